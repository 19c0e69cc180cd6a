package dev.vellum;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A typed value with what the store keeps beside it: its id, version (for optimistic writes), timestamps and
 * metadata.
 */
public record Versioned<T>(T value, String id, long version, Instant createdAt, Instant updatedAt,
                           ObjectNode metadata) {
}
