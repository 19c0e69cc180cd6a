package dev.vellum;

/**
 * The outcome of applying migrations.
 *
 * @param applied       how many migrations ran now
 * @param schemaVersion the newest applied Vellum schema version afterwards
 * @param appVersion    the newest applied application migration afterwards, or empty when the application has none
 */
public record MigrationReport(int applied, String schemaVersion, String appVersion) {}
