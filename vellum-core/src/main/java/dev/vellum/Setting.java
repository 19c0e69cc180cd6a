package dev.vellum;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every configuration key Vellum reads. Keys are strict: a {@code VELLUM_*} variable that is not listed here is an
 * error, so a typo never silently falls back to a default.
 */
public enum Setting {
    DB_BACKEND("VELLUM_DB_BACKEND", "sqlite", "Backend: sqlite, postgres or memory"),
    SQLITE_PATH("VELLUM_SQLITE_PATH", "./vellum.db", "SQLite database file"),
    POSTGRES_URL(
            "VELLUM_POSTGRES_URL",
            "",
            "postgres://user:pass@host:port/db?sslmode=... or a JDBC URL; falls back to DATABASE_URL",
            true,
            "DATABASE_URL"),
    POSTGRES_HOST(
            "VELLUM_POSTGRES_HOST",
            "",
            "PostgreSQL: the server's host, given apart instead of (or with) a URL; falls back to PGHOST",
            false,
            "PGHOST"),
    POSTGRES_PORT(
            "VELLUM_POSTGRES_PORT",
            "",
            "PostgreSQL: the server's port (5432 if none); falls back to PGPORT",
            false,
            "PGPORT"),
    POSTGRES_DATABASE(
            "VELLUM_POSTGRES_DATABASE",
            "",
            "PostgreSQL: the database (the user's name if none); falls back to PGDATABASE",
            false,
            "PGDATABASE"),
    POSTGRES_USER(
            "VELLUM_POSTGRES_USER", "", "PostgreSQL: the role to connect as; falls back to PGUSER", false, "PGUSER"),
    POSTGRES_PASSWORD(
            "VELLUM_POSTGRES_PASSWORD",
            "",
            "PostgreSQL: the role's password (VELLUM_POSTGRES_PASSWORD_FILE is safer); falls back to PGPASSWORD",
            true,
            "PGPASSWORD"),
    MIGRATION_URL(
            "VELLUM_MIGRATION_URL",
            "",
            "PostgreSQL: a role that owns the schema; migrations, new collections and indexes use it, so "
                    + "VELLUM_POSTGRES_URL may name a role that only reads and writes rows",
            true),
    MIGRATION_PASSWORD_FILE(
            "VELLUM_MIGRATION_PASSWORD_FILE", "", "Read the password of VELLUM_MIGRATION_URL's role from this file"),
    POSTGRES_PASSWORD_FILE("VELLUM_POSTGRES_PASSWORD_FILE", "", "Read the PostgreSQL password from this file"),
    POSTGRES_POOL_MIN("VELLUM_POSTGRES_POOL_MIN", "2", "Connections kept open when idle"),
    POSTGRES_POOL_MAX("VELLUM_POSTGRES_POOL_MAX", "10", "Most connections open at once"),
    CONNECT_TIMEOUT("VELLUM_CONNECT_TIMEOUT", "30s", "How long to wait for a connection (e.g. 500ms, 30s, 2m)"),
    AUTO_MIGRATE("VELLUM_AUTO_MIGRATE", "true", "Apply pending migrations when the database is opened"),
    POSTGRES_PGBOUNCER(
            "VELLUM_POSTGRES_PGBOUNCER",
            "false",
            "Safe behind PgBouncer transaction pooling (no server-side prepared statements, no session state)"),
    POSTGRES_LOCK_TIMEOUT(
            "VELLUM_POSTGRES_LOCK_TIMEOUT",
            "30s",
            "Give up waiting for a row or table lock after this long (0 = wait forever)"),
    POSTGRES_STATEMENT_TIMEOUT(
            "VELLUM_POSTGRES_STATEMENT_TIMEOUT",
            "",
            "Cancel any statement running longer than this (empty = no limit)"),
    POSTGRES_REPLICA_URLS(
            "VELLUM_POSTGRES_REPLICA_URLS",
            "",
            "Read replicas, comma-separated URLs: record-store reads go to them (a URL without user or password "
                    + "uses the primary's)",
            true),
    POSTGRES_REPLICA_MAX_LAG(
            "VELLUM_POSTGRES_REPLICA_MAX_LAG",
            "10s",
            "A replica further behind the primary than this serves no reads until it catches up"),
    POSTGRES_REPLICA_WAIT(
            "VELLUM_POSTGRES_REPLICA_WAIT",
            "0",
            "How long a read that must see an earlier write waits for a replica to replay it before it reads from "
                    + "the primary (0 = read from the primary at once)"),
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
    ENV_FILE("VELLUM_ENV_FILE", ".env", "The .env file to read"),
    HTTP_HOST(
            "VELLUM_HTTP_HOST",
            "127.0.0.1",
            "vellum serve: address to listen on (a non-loopback address needs VELLUM_API_KEYS)"),
    HTTP_PORT("VELLUM_HTTP_PORT", "8080", "vellum serve: port (0 = any free port)"),
    API_KEYS(
            "VELLUM_API_KEYS",
            "",
            "vellum serve: comma-separated API keys; when set, /v1 requests need 'Authorization: Bearer <key>'",
            true),
    API_KEYS_FILE(
            "VELLUM_API_KEYS_FILE",
            "",
            "vellum serve: read the API keys from this file (one per line or comma-separated)"),
    HTTP_MAX_BODY(
            "VELLUM_HTTP_MAX_BODY",
            "10MB",
            "vellum serve: largest JSON request body (NDJSON batches are streamed and not limited), e.g. 512KB, 10MB"),
    HTTP_MAX_PAGE_SIZE("VELLUM_HTTP_MAX_PAGE_SIZE", "1000", "vellum serve: largest page a query may ask for"),
    HTTP_DEFAULT_PAGE_SIZE("VELLUM_HTTP_DEFAULT_PAGE_SIZE", "100", "vellum serve: page size when a query names none"),
    HTTP_REQUEST_TIMEOUT(
            "VELLUM_HTTP_REQUEST_TIMEOUT",
            "30s",
            "vellum serve: a request still running after this long gets 503 (exports and batches are exempt)"),
    HTTP_MAX_FILTER_DEPTH(
            "VELLUM_HTTP_MAX_FILTER_DEPTH", "16", "vellum serve: deepest nesting of and/or/not in a filter"),
    HTTP_MAX_FILTER_CONDITIONS(
            "VELLUM_HTTP_MAX_FILTER_CONDITIONS",
            "200",
            "vellum serve: most conditions (and list elements) in one filter"),
    HTTP_MAX_CONCURRENT(
            "VELLUM_HTTP_MAX_CONCURRENT",
            "128",
            "vellum serve: most requests handled at once; more get 503 with Retry-After at once instead of queueing"),
    HTTP_IDLE_TIMEOUT(
            "VELLUM_HTTP_IDLE_TIMEOUT",
            "30s",
            "vellum serve: close a connection that sends or reads nothing for this long"),
    HTTP_MIN_BODY_RATE(
            "VELLUM_HTTP_MIN_BODY_RATE",
            "64",
            "vellum serve: slowest request body accepted, in bytes per second on average (slower uploads get 408; "
                    + "0 = no minimum)"),
    HTTP_MAX_FEED_READERS_PER_CLIENT(
            "VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT",
            "32",
            "vellum serve: change-feed streams and long-polls one client (its API key, or without keys its IP address) "
                    + "may hold at once; more get 429 with Retry-After (0 = no limit)"),
    HTTP_ALLOWED_HOSTS(
            "VELLUM_HTTP_ALLOWED_HOSTS",
            "",
            "vellum serve without API keys: more names this machine answers to (a Host header other than localhost, "
                    + "127.0.0.1, [::1], the listening address or these is refused, so a web page cannot reach the "
                    + "server through a name it rebinds), comma-separated"),
    HTTP_CORS_ORIGINS(
            "VELLUM_HTTP_CORS_ORIGINS",
            "",
            "vellum serve: origins whose pages may call the API from a browser, comma-separated "
                    + "(https://app.example.com), or * for any; empty = none"),
    HTTP_STREAM_TOKEN_TTL(
            "VELLUM_HTTP_STREAM_TOKEN_TTL",
            "10m",
            "vellum serve: how long a stream token (for a browser's EventSource) opens its stream"),
    HTTP_SHUTDOWN_GRACE(
            "VELLUM_HTTP_SHUTDOWN_GRACE",
            "20s",
            "vellum serve: on SIGTERM, how long requests in flight may take to finish");

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

    /** The environment variable name, e.g. {@code VELLUM_POSTGRES_POOL_MAX}. */
    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** True when the value may carry a password and so is never echoed in messages. */
    public boolean isSecret() {
        return secret;
    }

    /**
     * A variable read when this setting is not set anywhere, e.g. {@code DATABASE_URL} for the PostgreSQL URL
     * (the convention of hosting platforms); null when there is none.
     */
    public String fallbackKey() {
        return fallbackKey;
    }

    public static Optional<Setting> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }
}
