package dev.vellum.example;

import java.time.Instant;
import java.util.List;

/** A note as the application sees it: a Java record, stored as a Vellum record (id from the {@code id} component). */
public record Note(String id, String title, String body, List<String> tags, long views, Instant written) {}
