package dev.vellum.spring;

import dev.vellum.Setting;
import dev.vellum.SettingKey;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.sqlite.SqliteSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Vellum's settings as Spring properties ({@code vellum.*}). A property that is set wins over the {@code VELLUM_*}
 * variable of the same setting, which wins over {@code .env}; one left unset leaves the setting to them. Without
 * {@code vellum.url} (or a backend, a SQLite path or a PostgreSQL URL, here or in the environment), an application
 * that has a {@code DataSource} runs the store on it.
 */
@ConfigurationProperties("vellum")
public class VellumProperties {
    /**
     * Where the records live, backend and location in one: sqlite:./app.db, postgres://user:pass@host:5432/db (or a
     * JDBC URL), or memory:. Unset: the application's DataSource if it has one, else VELLUM_* variables, else
     * ./vellum.db.
     */
    private String url;
    /** The backend: sqlite, postgres or memory (VELLUM_DB_BACKEND). */
    private String backend;
    /** How long to wait for a connection (VELLUM_CONNECT_TIMEOUT). */
    private Duration connectTimeout;
    /** Apply pending migrations when the store opens (VELLUM_AUTO_MIGRATE). */
    private Boolean autoMigrate;
    /**
     * The application's migration locations, each with one folder per dialect, e.g. classpath:db/app
     * (VELLUM_MIGRATIONS).
     */
    private List<String> migrations;
    /** The .env file to read (VELLUM_ENV_FILE). */
    private String envFile;
    /**
     * Largest record: its fields, and its metadata, each at most this much JSON text; larger writes are refused
     * (VELLUM_MAX_RECORD_SIZE).
     */
    private DataSize maxRecordSize;
    /**
     * Largest answer to a read: a page of records or changes ends early before its JSON text passes it, a larger
     * aggregation is refused (VELLUM_MAX_ANSWER_SIZE).
     */
    private DataSize maxAnswerSize;

    private final Sqlite sqlite = new Sqlite();
    private final Postgres postgres = new Postgres();
    private final Migration migration = new Migration();
    private final Changes changes = new Changes();
    private final Json json = new Json();

    /** How typed collections map Java values (a Spring setting, not one of Vellum's). */
    public static class Json {
        /**
         * Map typed collections' values with the application's Jackson 3 JsonMapper (its modules, naming strategy and
         * settings) instead of Vellum's own. Decide before data is written: stored field names follow the mapper.
         */
        private boolean applicationMapper;

        public boolean isApplicationMapper() {
            return applicationMapper;
        }

        public void setApplicationMapper(boolean applicationMapper) {
            this.applicationMapper = applicationMapper;
        }
    }

    /** SQLite. */
    public static class Sqlite {
        /** The SQLite database file (VELLUM_SQLITE_PATH). */
        private String path;

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }
    }

    /** PostgreSQL. */
    public static class Postgres {
        /** postgres://user:pass@host:port/db or a JDBC URL (VELLUM_POSTGRES_URL). */
        private String url;
        /** The server's host name, instead of a URL (VELLUM_POSTGRES_HOST). */
        private String host;
        /** The server's port (VELLUM_POSTGRES_PORT). */
        private Integer port;
        /** The database's name (VELLUM_POSTGRES_DATABASE). */
        private String database;
        /** The role to connect as (VELLUM_POSTGRES_USER). */
        private String user;
        /** The role's password (VELLUM_POSTGRES_PASSWORD); a file (password-file) keeps it out of the environment. */
        private String password;
        /** A file holding the password, e.g. a mounted secret (VELLUM_POSTGRES_PASSWORD_FILE). */
        private String passwordFile;
        /** Connections kept open when idle (VELLUM_POSTGRES_POOL_MIN). */
        private Integer poolMin;
        /** Most connections open at once (VELLUM_POSTGRES_POOL_MAX). */
        private Integer poolMax;
        /** Safe behind PgBouncer's transaction pooling (VELLUM_POSTGRES_PGBOUNCER). */
        private Boolean pgbouncer;
        /** A statement waiting this long for a lock fails; 0 waits forever (VELLUM_POSTGRES_LOCK_TIMEOUT). */
        private Duration lockTimeout;
        /** Cancel statements running longer than this (VELLUM_POSTGRES_STATEMENT_TIMEOUT). */
        private Duration statementTimeout;
        /** Read replicas' URLs (VELLUM_POSTGRES_REPLICA_URLS). */
        private List<String> replicaUrls;
        /** A replica further behind than this serves no reads (VELLUM_POSTGRES_REPLICA_MAX_LAG). */
        private Duration replicaMaxLag;
        /** How long a read that must see a write waits for a replica (VELLUM_POSTGRES_REPLICA_WAIT). */
        private Duration replicaWait;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public Integer getPort() {
            return port;
        }

        public void setPort(Integer port) {
            this.port = port;
        }

        public String getDatabase() {
            return database;
        }

        public void setDatabase(String database) {
            this.database = database;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getPasswordFile() {
            return passwordFile;
        }

        public void setPasswordFile(String passwordFile) {
            this.passwordFile = passwordFile;
        }

        public Integer getPoolMin() {
            return poolMin;
        }

        public void setPoolMin(Integer poolMin) {
            this.poolMin = poolMin;
        }

        public Integer getPoolMax() {
            return poolMax;
        }

        public void setPoolMax(Integer poolMax) {
            this.poolMax = poolMax;
        }

        public Boolean getPgbouncer() {
            return pgbouncer;
        }

        public void setPgbouncer(Boolean pgbouncer) {
            this.pgbouncer = pgbouncer;
        }

        public Duration getLockTimeout() {
            return lockTimeout;
        }

        public void setLockTimeout(Duration lockTimeout) {
            this.lockTimeout = lockTimeout;
        }

        public Duration getStatementTimeout() {
            return statementTimeout;
        }

        public void setStatementTimeout(Duration statementTimeout) {
            this.statementTimeout = statementTimeout;
        }

        public List<String> getReplicaUrls() {
            return replicaUrls;
        }

        public void setReplicaUrls(List<String> replicaUrls) {
            this.replicaUrls = replicaUrls;
        }

        public Duration getReplicaMaxLag() {
            return replicaMaxLag;
        }

        public void setReplicaMaxLag(Duration replicaMaxLag) {
            this.replicaMaxLag = replicaMaxLag;
        }

        public Duration getReplicaWait() {
            return replicaWait;
        }

        public void setReplicaWait(Duration replicaWait) {
            this.replicaWait = replicaWait;
        }
    }

    /** A PostgreSQL role that owns the schema, for migrations, new collections and indexes. */
    public static class Migration {
        /** That role's URL (VELLUM_MIGRATION_URL). */
        private String url;
        /** A file holding that role's password (VELLUM_MIGRATION_PASSWORD_FILE). */
        private String passwordFile;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getPasswordFile() {
            return passwordFile;
        }

        public void setPasswordFile(String passwordFile) {
            this.passwordFile = passwordFile;
        }
    }

    /** The change feed. */
    public static class Changes {
        /** How long changes are kept; an older token is refused (VELLUM_CHANGES_RETENTION). */
        private Duration retention;
        /** How often waiting readers look for changes where nothing wakes them (VELLUM_CHANGES_POLL_INTERVAL). */
        private Duration pollInterval;

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }
    }

    /**
     * The property of each setting it has, for messages: Vellum names settings by their variables, a Spring
     * application by these.
     */
    static final Map<SettingKey, String> PROPERTY_NAMES = propertyNames();

    private static Map<SettingKey, String> propertyNames() {
        Map<SettingKey, String> names = new LinkedHashMap<>();
        names.put(Setting.DB_BACKEND, "vellum.backend");
        names.put(Setting.CONNECT_TIMEOUT, "vellum.connect-timeout");
        names.put(Setting.AUTO_MIGRATE, "vellum.auto-migrate");
        names.put(Setting.MIGRATIONS, "vellum.migrations");
        names.put(Setting.ENV_FILE, "vellum.env-file");
        names.put(Setting.MAX_RECORD_SIZE, "vellum.max-record-size");
        names.put(Setting.MAX_ANSWER_SIZE, "vellum.max-answer-size");
        names.put(SqliteSettings.PATH, "vellum.sqlite.path");
        names.put(PostgresSettings.URL, "vellum.postgres.url");
        names.put(PostgresSettings.HOST, "vellum.postgres.host");
        names.put(PostgresSettings.PORT, "vellum.postgres.port");
        names.put(PostgresSettings.DATABASE, "vellum.postgres.database");
        names.put(PostgresSettings.USER, "vellum.postgres.user");
        names.put(PostgresSettings.PASSWORD, "vellum.postgres.password");
        names.put(PostgresSettings.PASSWORD_FILE, "vellum.postgres.password-file");
        names.put(PostgresSettings.POOL_MIN, "vellum.postgres.pool-min");
        names.put(PostgresSettings.POOL_MAX, "vellum.postgres.pool-max");
        names.put(PostgresSettings.PGBOUNCER, "vellum.postgres.pgbouncer");
        names.put(PostgresSettings.LOCK_TIMEOUT, "vellum.postgres.lock-timeout");
        names.put(PostgresSettings.STATEMENT_TIMEOUT, "vellum.postgres.statement-timeout");
        names.put(PostgresSettings.REPLICA_URLS, "vellum.postgres.replica-urls");
        names.put(PostgresSettings.REPLICA_MAX_LAG, "vellum.postgres.replica-max-lag");
        names.put(PostgresSettings.REPLICA_WAIT, "vellum.postgres.replica-wait");
        names.put(PostgresSettings.MIGRATION_URL, "vellum.migration.url");
        names.put(PostgresSettings.MIGRATION_PASSWORD_FILE, "vellum.migration.password-file");
        names.put(Setting.CHANGES_RETENTION, "vellum.changes.retention");
        names.put(Setting.CHANGES_POLL_INTERVAL, "vellum.changes.poll-interval");
        return Map.copyOf(names);
    }

    /** The settings these properties give, by variable name; unset properties give none. */
    Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        put(settings, Setting.DB_BACKEND, backend);
        put(settings, Setting.CONNECT_TIMEOUT, connectTimeout);
        put(settings, Setting.AUTO_MIGRATE, autoMigrate);
        put(settings, Setting.MIGRATIONS, migrations == null ? null : String.join(",", migrations));
        put(settings, Setting.ENV_FILE, envFile);
        put(settings, Setting.MAX_RECORD_SIZE, maxRecordSize == null ? null : maxRecordSize.toBytes());
        put(settings, Setting.MAX_ANSWER_SIZE, maxAnswerSize == null ? null : maxAnswerSize.toBytes());
        put(settings, SqliteSettings.PATH, sqlite.path);
        put(settings, PostgresSettings.URL, postgres.url);
        put(settings, PostgresSettings.HOST, postgres.host);
        put(settings, PostgresSettings.PORT, postgres.port);
        put(settings, PostgresSettings.DATABASE, postgres.database);
        put(settings, PostgresSettings.USER, postgres.user);
        put(settings, PostgresSettings.PASSWORD, postgres.password);
        put(settings, PostgresSettings.PASSWORD_FILE, postgres.passwordFile);
        put(settings, PostgresSettings.POOL_MIN, postgres.poolMin);
        put(settings, PostgresSettings.POOL_MAX, postgres.poolMax);
        put(settings, PostgresSettings.PGBOUNCER, postgres.pgbouncer);
        put(settings, PostgresSettings.LOCK_TIMEOUT, postgres.lockTimeout);
        put(settings, PostgresSettings.STATEMENT_TIMEOUT, postgres.statementTimeout);
        put(
                settings,
                PostgresSettings.REPLICA_URLS,
                postgres.replicaUrls == null ? null : String.join(",", postgres.replicaUrls));
        put(settings, PostgresSettings.REPLICA_MAX_LAG, postgres.replicaMaxLag);
        put(settings, PostgresSettings.REPLICA_WAIT, postgres.replicaWait);
        put(settings, PostgresSettings.MIGRATION_URL, migration.url);
        put(settings, PostgresSettings.MIGRATION_PASSWORD_FILE, migration.passwordFile);
        put(settings, Setting.CHANGES_RETENTION, changes.retention);
        put(settings, Setting.CHANGES_POLL_INTERVAL, changes.pollInterval);
        return settings;
    }

    private static void put(Map<String, String> settings, SettingKey setting, Object value) {
        if (value != null) {
            settings.put(setting.key(), value instanceof Duration d ? d.toMillis() + "ms" : value.toString());
        }
    }

    /** Every property name, for spotting a misspelt one. */
    static List<String> names() {
        List<String> names = new ArrayList<>(PROPERTY_NAMES.values());
        names.add("vellum.url");
        names.add("vellum.json.application-mapper");
        return names;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public DataSize getMaxRecordSize() {
        return maxRecordSize;
    }

    public void setMaxRecordSize(DataSize maxRecordSize) {
        this.maxRecordSize = maxRecordSize;
    }

    public DataSize getMaxAnswerSize() {
        return maxAnswerSize;
    }

    public void setMaxAnswerSize(DataSize maxAnswerSize) {
        this.maxAnswerSize = maxAnswerSize;
    }

    public String getBackend() {
        return backend;
    }

    public void setBackend(String backend) {
        this.backend = backend;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Boolean getAutoMigrate() {
        return autoMigrate;
    }

    public void setAutoMigrate(Boolean autoMigrate) {
        this.autoMigrate = autoMigrate;
    }

    public List<String> getMigrations() {
        return migrations;
    }

    public void setMigrations(List<String> migrations) {
        this.migrations = migrations;
    }

    public String getEnvFile() {
        return envFile;
    }

    public void setEnvFile(String envFile) {
        this.envFile = envFile;
    }

    public Sqlite getSqlite() {
        return sqlite;
    }

    public Postgres getPostgres() {
        return postgres;
    }

    public Migration getMigration() {
        return migration;
    }

    public Changes getChanges() {
        return changes;
    }

    public Json getJson() {
        return json;
    }
}
