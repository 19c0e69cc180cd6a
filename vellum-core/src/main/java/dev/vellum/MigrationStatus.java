package dev.vellum;

import java.time.Instant;

/**
 * One migration as {@code vellum migrate status} shows it.
 *
 * @param scope       {@code vellum} for Vellum's own schema, {@code app} for the application's migrations
 * @param version     e.g. {@code 1}; empty for repeatable migrations
 * @param description from the file name
 * @param script      the file name, e.g. {@code V1__catalog.sql}
 * @param state       Flyway's state: {@code Success}, {@code Pending}, {@code Failed}, {@code Baseline}, …
 * @param installedOn when it was applied, or null when pending
 */
public record MigrationStatus(
        String scope, String version, String description, String script, String state, Instant installedOn) {}
