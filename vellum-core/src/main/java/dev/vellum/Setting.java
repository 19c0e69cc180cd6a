package dev.vellum;

import java.util.Arrays;
import java.util.Optional;

/**
 * Core's configuration keys; each module declares its own ({@link dev.vellum.spi.ConfigurationExtension}: the SQLite
 * and PostgreSQL backends', the HTTP server's). Keys are strict: a {@code VELLUM_*} variable that no installed
 * module declares is an error, so a typo never silently falls back to a default.
 */
public enum Setting implements SettingKey {
    DB_BACKEND("VELLUM_DB_BACKEND", "sqlite", "Backend: sqlite, postgres or memory"),
    CONNECT_TIMEOUT("VELLUM_CONNECT_TIMEOUT", "30s", "How long to wait for a connection (e.g. 500ms, 30s, 2m)"),
    AUTO_MIGRATE("VELLUM_AUTO_MIGRATE", "true", "Apply pending migrations when the database is opened"),
    CHANGES_RETENTION(
            "VELLUM_CHANGES_RETENTION",
            "7d",
            "How long the change feed keeps changes; a token older than this is refused (410) so the client resyncs"),
    CHANGES_POLL_INTERVAL(
            "VELLUM_CHANGES_POLL_INTERVAL",
            "1s",
            "PostgreSQL behind PgBouncer without VELLUM_MIGRATION_URL: how often waiting change-feed readers look for "
                    + "new changes (elsewhere they are woken by LISTEN/NOTIFY or SQLite's data version)"),
    MAX_RECORD_SIZE(
            "VELLUM_MAX_RECORD_SIZE",
            "16MB",
            "Largest record: its fields, and its metadata, each at most this many bytes of JSON text (checked before a "
                    + "write commits, patches and field operators included), e.g. 1MB, 16MB"),
    MAX_ANSWER_SIZE(
            "VELLUM_MAX_ANSWER_SIZE",
            "16MB",
            "Largest answer to a read, in bytes of JSON text: a page of records or changes ends early (its cursor or "
                    + "token goes on from there; a page always holds one), a larger aggregation is refused"),
    MIGRATIONS(
            "VELLUM_MIGRATIONS",
            "",
            "The application's migration locations, comma-separated; each holds one folder per dialect"),
    ENV_FILE("VELLUM_ENV_FILE", ".env", "The .env file to read");

    private final String key;
    private final String defaultValue;
    private final String description;
    private final boolean secret;
    private final String fallbackKey;

    Setting(String key, String defaultValue, String description) {
        this(key, defaultValue, description, false);
    }

    Setting(String key, String defaultValue, String description, boolean secret) {
        this(key, defaultValue, description, secret, null);
    }

    Setting(String key, String defaultValue, String description, boolean secret, String fallbackKey) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
        this.secret = secret;
        this.fallbackKey = fallbackKey;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String defaultValue() {
        return defaultValue;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public boolean isSecret() {
        return secret;
    }

    @Override
    public String fallbackKey() {
        return fallbackKey;
    }

    public static Optional<Setting> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }
}
