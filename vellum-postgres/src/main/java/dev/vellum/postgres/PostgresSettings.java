package dev.vellum.postgres;

import dev.vellum.ConfigurationException;
import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import dev.vellum.spi.ConfigurationExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The PostgreSQL backend's settings: where the server is, how to connect, pools, timeouts, replicas. */
public final class PostgresSettings {
    public static final SettingKey URL = SettingKey.of(
                    "VELLUM_POSTGRES_URL",
                    "",
                    "postgres://user:pass@host:port/db?sslmode=... or a JDBC URL; falls back to DATABASE_URL")
            .secret()
            .fallingBackTo("DATABASE_URL");

    public static final SettingKey HOST = SettingKey.of(
                    "VELLUM_POSTGRES_HOST",
                    "",
                    "PostgreSQL: the server's host, given apart instead of (or with) a URL; falls back to PGHOST")
            .fallingBackTo("PGHOST");

    public static final SettingKey PORT = SettingKey.of(
                    "VELLUM_POSTGRES_PORT", "", "PostgreSQL: the server's port (5432 if none); falls back to PGPORT")
            .fallingBackTo("PGPORT");

    public static final SettingKey DATABASE = SettingKey.of(
                    "VELLUM_POSTGRES_DATABASE",
                    "",
                    "PostgreSQL: the database (the user's name if none); falls back to PGDATABASE")
            .fallingBackTo("PGDATABASE");

    public static final SettingKey USER = SettingKey.of(
                    "VELLUM_POSTGRES_USER", "", "PostgreSQL: the role to connect as; falls back to PGUSER")
            .fallingBackTo("PGUSER");

    public static final SettingKey PASSWORD = SettingKey.of(
                    "VELLUM_POSTGRES_PASSWORD",
                    "",
                    "PostgreSQL: the role's password (VELLUM_POSTGRES_PASSWORD_FILE is safer); falls back to PGPASSWORD")
            .secret()
            .fallingBackTo("PGPASSWORD");

    public static final SettingKey MIGRATION_URL = SettingKey.of(
                    "VELLUM_MIGRATION_URL",
                    "",
                    "PostgreSQL: a role that owns the schema; migrations, new collections and indexes use it, so "
                            + "VELLUM_POSTGRES_URL may name a role that only reads and writes rows")
            .secret();

    public static final SettingKey MIGRATION_PASSWORD_FILE = SettingKey.of(
            "VELLUM_MIGRATION_PASSWORD_FILE", "", "Read the password of VELLUM_MIGRATION_URL's role from this file");

    public static final SettingKey PASSWORD_FILE =
            SettingKey.of("VELLUM_POSTGRES_PASSWORD_FILE", "", "Read the PostgreSQL password from this file");

    public static final SettingKey POOL_MIN =
            SettingKey.of("VELLUM_POSTGRES_POOL_MIN", "2", "Connections kept open when idle");

    public static final SettingKey POOL_MAX =
            SettingKey.of("VELLUM_POSTGRES_POOL_MAX", "10", "Most connections open at once");

    public static final SettingKey PGBOUNCER = SettingKey.of(
            "VELLUM_POSTGRES_PGBOUNCER",
            "false",
            "Safe behind PgBouncer transaction pooling (no server-side prepared statements, no session state)");

    public static final SettingKey LOCK_TIMEOUT = SettingKey.of(
            "VELLUM_POSTGRES_LOCK_TIMEOUT",
            "30s",
            "Give up waiting for a row or table lock after this long (0 = wait forever)");

    public static final SettingKey STATEMENT_TIMEOUT = SettingKey.of(
            "VELLUM_POSTGRES_STATEMENT_TIMEOUT",
            "",
            "Cancel any statement running longer than this (empty = no limit)");

    public static final SettingKey REPLICA_URLS = SettingKey.of(
                    "VELLUM_POSTGRES_REPLICA_URLS",
                    "",
                    "Read replicas, comma-separated URLs: record-store reads go to them (a URL without user or password "
                            + "uses the primary's)")
            .secret();

    public static final SettingKey REPLICA_MAX_LAG = SettingKey.of(
            "VELLUM_POSTGRES_REPLICA_MAX_LAG",
            "10s",
            "A replica further behind the primary than this serves no reads until it catches up");

    public static final SettingKey REPLICA_WAIT = SettingKey.of(
            "VELLUM_POSTGRES_REPLICA_WAIT",
            "0",
            "How long a read that must see an earlier write waits for a replica to replay it before it reads from "
                    + "the primary (0 = read from the primary at once)");

    /** Every setting of this module, in the order {@code vellum config} lists them. */
    public static final List<SettingKey> ALL = List.of(
            URL,
            HOST,
            PORT,
            DATABASE,
            USER,
            PASSWORD,
            MIGRATION_URL,
            MIGRATION_PASSWORD_FILE,
            PASSWORD_FILE,
            POOL_MIN,
            POOL_MAX,
            PGBOUNCER,
            LOCK_TIMEOUT,
            STATEMENT_TIMEOUT,
            REPLICA_URLS,
            REPLICA_MAX_LAG,
            REPLICA_WAIT);

    private PostgresSettings() {}

    static int poolMin(VellumConfig config) {
        return config.getInt(POOL_MIN, 0);
    }

    static int poolMax(VellumConfig config) {
        return config.getInt(POOL_MAX, 1);
    }

    static boolean pgbouncer(VellumConfig config) {
        return config.getBoolean(PGBOUNCER);
    }

    /** Zero means wait forever. */
    static Duration lockTimeout(VellumConfig config) {
        return config.getDuration(LOCK_TIMEOUT).orElse(Duration.ZERO);
    }

    static Optional<Duration> statementTimeout(VellumConfig config) {
        return config.getDuration(STATEMENT_TIMEOUT);
    }

    /** Declares the settings to {@link VellumConfig} and checks them whenever a configuration is built. */
    public static final class Extension implements ConfigurationExtension {
        @Override
        public List<SettingKey> settings() {
            return ALL;
        }

        @Override
        public void check(VellumConfig config) {
            if (poolMin(config) > poolMax(config)) {
                throw new ConfigurationException(POOL_MIN.key() + " (" + poolMin(config) + ") must not be greater "
                        + "than " + POOL_MAX.key() + " (" + poolMax(config) + ")");
            }
            pgbouncer(config);
            lockTimeout(config);
            statementTimeout(config);
        }
    }
}
