package dev.vellum;

import io.github.cdimascio.dotenv.Dotenv;
import io.github.cdimascio.dotenv.DotenvEntry;
import io.github.cdimascio.dotenv.DotenvException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolved, validated configuration. Each value comes from the first of: the builder, the real environment, the
 * {@code .env} file (or the one {@code VELLUM_ENV_FILE} names), the default. Build one with {@link #builder()} or
 * {@link #fromEnvironment()}; every problem is a {@link ConfigurationException} naming the key.
 */
public final class VellumConfig {
    /** Backend names accepted by {@code VELLUM_DB_BACKEND}. */
    public static final List<String> BACKENDS = List.of("sqlite", "postgres", "memory");

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KB|MB|GB)?");

    private final Map<Setting, String> values;
    private final Map<Setting, String> sources;
    private final String backend;
    private final Path sqlitePath;
    private final PostgresTarget postgres;
    private final int poolMin;
    private final int poolMax;
    private final Duration connectTimeout;
    private final boolean autoMigrate;
    private final boolean pgbouncer;
    private final Duration lockTimeout;
    private final Optional<Duration> statementTimeout;
    private final List<String> migrationLocations;
    private final boolean requireCurrentSchema;
    private final ServerSettings server;

    private VellumConfig(Map<Setting, String> values, Map<Setting, String> sources, String postgresUrl,
                         boolean requireCurrentSchema) {
        this.requireCurrentSchema = requireCurrentSchema;
        this.values = values;
        this.sources = sources;
        this.backend = parseBackend(values.get(Setting.DB_BACKEND));
        this.sqlitePath = Path.of(values.get(Setting.SQLITE_PATH).isBlank()
                ? Setting.SQLITE_PATH.defaultValue() : values.get(Setting.SQLITE_PATH));
        this.poolMin = parseInt(Setting.POSTGRES_POOL_MIN, 0);
        this.poolMax = parseInt(Setting.POSTGRES_POOL_MAX, 1);
        if (poolMin > poolMax) {
            throw new ConfigurationException(Setting.POSTGRES_POOL_MIN.key() + " (" + poolMin + ") must not be greater "
                    + "than " + Setting.POSTGRES_POOL_MAX.key() + " (" + poolMax + ")");
        }
        this.connectTimeout = parseDuration(Setting.CONNECT_TIMEOUT).orElseThrow(() -> new ConfigurationException(
                Setting.CONNECT_TIMEOUT.key() + " must not be empty; use e.g. 30s"));
        if (connectTimeout.toMillis() < 250) {
            throw new ConfigurationException(Setting.CONNECT_TIMEOUT.key() + " must be at least 250ms, got '"
                    + values.get(Setting.CONNECT_TIMEOUT) + "'");
        }
        this.autoMigrate = parseBoolean(Setting.AUTO_MIGRATE);
        this.pgbouncer = parseBoolean(Setting.POSTGRES_PGBOUNCER);
        this.lockTimeout = parseDuration(Setting.POSTGRES_LOCK_TIMEOUT).orElse(Duration.ZERO);
        this.statementTimeout = parseDuration(Setting.POSTGRES_STATEMENT_TIMEOUT);
        this.migrationLocations = Arrays.stream(values.get(Setting.MIGRATIONS).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.postgres = resolvePostgres(postgresUrl);
        this.server = new ServerSettings(values.get(Setting.HTTP_HOST).trim(), parseInt(Setting.HTTP_PORT, 0),
                readApiKeys(), parseSize(Setting.HTTP_MAX_BODY), parseInt(Setting.HTTP_MAX_PAGE_SIZE, 1),
                parseInt(Setting.HTTP_DEFAULT_PAGE_SIZE, 1),
                parseDuration(Setting.HTTP_REQUEST_TIMEOUT).orElse(Duration.ZERO),
                parseInt(Setting.HTTP_MAX_FILTER_DEPTH, 1), parseInt(Setting.HTTP_MAX_FILTER_CONDITIONS, 1),
                parseDuration(Setting.HTTP_SHUTDOWN_GRACE).orElse(Duration.ZERO),
                parseInt(Setting.HTTP_MAX_CONCURRENT, 1),
                parseDuration(Setting.HTTP_IDLE_TIMEOUT).orElse(Duration.ofSeconds(30)),
                parseSize(Setting.HTTP_MIN_BODY_RATE));
        if (server.port() > 65535) {
            throw new ConfigurationException(Setting.HTTP_PORT.key() + " must be at most 65535, got " + server.port());
        }
        if (server.defaultPageSize() > server.maxPageSize()) {
            throw new ConfigurationException(Setting.HTTP_DEFAULT_PAGE_SIZE.key() + " (" + server.defaultPageSize()
                    + ") must not be greater than " + Setting.HTTP_MAX_PAGE_SIZE.key() + " (" + server.maxPageSize()
                    + ")");
        }
    }

    /**
     * What {@code vellum serve} needs: where to listen, who may call, and the limits on requests.
     *
     * @param requestTimeout zero for no limit
     * @param shutdownGrace  how long requests in flight may run once a stop begins
     * @param maxConcurrent  requests handled at once; more are answered 503 at once
     * @param idleTimeout    a connection silent this long is closed
     * @param minBodyRate    bytes per second below which a request body is refused (0 = no minimum)
     */
    public record ServerSettings(String host, int port, List<String> apiKeys, long maxBodyBytes, int maxPageSize,
                                 int defaultPageSize, Duration requestTimeout, int maxFilterDepth,
                                 int maxFilterConditions, Duration shutdownGrace, int maxConcurrent,
                                 Duration idleTimeout, long minBodyRate) {
        /** The keys are secrets: never printed. */
        @Override
        public String toString() {
            return "ServerSettings[" + host + ":" + port + ", " + apiKeys.size() + " API key(s)]";
        }
    }

    public ServerSettings server() {
        return server;
    }

    /** The schema owner's server ({@code VELLUM_MIGRATION_URL}), when migrations and DDL use a role of their own. */
    public Optional<PostgresTarget> migrationTarget() {
        String url = values.get(Setting.MIGRATION_URL).trim();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        PostgresTarget target = PostgresTarget.parse(url, Setting.MIGRATION_URL.key());
        return Optional.of(withPasswordFile(target, Setting.MIGRATION_PASSWORD_FILE));
    }

    /** The target with its password read from the file the setting names, if it names one. */
    private PostgresTarget withPasswordFile(PostgresTarget target, Setting setting) {
        String passwordFile = values.get(setting).trim();
        if (passwordFile.isEmpty()) {
            return target;
        }
        try {
            return target.withPassword(Files.readString(Path.of(passwordFile)).strip());
        } catch (IOException e) {
            throw new ConfigurationException(setting.key() + " names '" + passwordFile + "', which cannot be read ("
                    + e.getClass().getSimpleName() + "). Check the path and its permissions.");
        }
    }

    private List<String> readApiKeys() {
        String raw = values.get(Setting.API_KEYS);
        String file = values.get(Setting.API_KEYS_FILE).trim();
        if (!file.isEmpty()) {
            try {
                raw = raw + "," + Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new ConfigurationException(Setting.API_KEYS_FILE.key() + " names '" + file + "', which cannot "
                        + "be read (" + e.getClass().getSimpleName() + "). Check the path and its permissions.");
            }
        }
        List<String> keys = Arrays.stream(raw.split("[,\\n]")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        for (String key : keys) {
            if (key.length() < 16) {
                throw new ConfigurationException("Every API key (" + Setting.API_KEYS.key() + ") must be at least 16 "
                        + "characters long; one has " + key.length() + ". Generate one with: openssl rand -hex 32");
            }
        }
        return keys;
    }

    private long parseSize(Setting setting) {
        String raw = values.get(setting).trim().toUpperCase(Locale.ROOT);
        Matcher m = SIZE.matcher(raw);
        if (!m.matches()) {
            throw new ConfigurationException(setting.key() + " must be a size such as 65536, 512KB or 10MB, got '"
                    + values.get(setting) + "'");
        }
        long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            case "GB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    /** Configuration from the environment and {@code .env} alone. */
    public static VellumConfig fromEnvironment() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code sqlite}, {@code postgres} or {@code memory}. */
    public String backend() {
        return backend;
    }

    public Path sqlitePath() {
        return sqlitePath;
    }

    /** The PostgreSQL target; present whenever the backend is postgres, and whenever a URL was configured. */
    public Optional<PostgresTarget> postgres() {
        return Optional.ofNullable(postgres);
    }

    public int poolMin() {
        return poolMin;
    }

    public int poolMax() {
        return poolMax;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public boolean autoMigrate() {
        return autoMigrate;
    }

    public boolean pgbouncer() {
        return pgbouncer;
    }

    /** Zero means wait forever. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    public Optional<Duration> statementTimeout() {
        return statementTimeout;
    }

    /** The application's migration locations, e.g. {@code classpath:db/app}; each holds a folder per dialect. */
    public List<String> migrationLocations() {
        return migrationLocations;
    }

    /**
     * With auto-migrate off, whether opening a database whose schema is behind fails (the default). Tools that
     * inspect or apply migrations turn this off.
     */
    public boolean requireCurrentSchema() {
        return requireCurrentSchema;
    }

    /** The raw value of a setting (after layering and defaults). Secret settings are returned as they are. */
    public String get(Setting setting) {
        return values.get(setting);
    }

    /** Where a setting's value came from: builder, environment, a .env path, or default. */
    public String sourceOf(Setting setting) {
        return sources.get(setting);
    }

    /** A one-line summary of where the data lives, e.g. {@code ./vellum.db} or {@code localhost:5432/app as user 'app'}. */
    public String describeTarget() {
        return switch (backend) {
            case "sqlite" -> sqlitePath.toString();
            case "postgres" -> postgres.describe();
            default -> "process memory";
        };
    }

    /** Every setting with its value; secrets are shown as {@code ****}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("VellumConfig[");
        String separator = "";
        for (Setting s : Setting.values()) {
            String value = values.get(s);
            text.append(separator).append(s.key()).append('=')
                    .append(s.isSecret() && !value.isEmpty() ? "****" : value);
            separator = ", ";
        }
        return text.append(']').toString();
    }

    private static String parseBackend(String raw) {
        String name = raw.trim().toLowerCase(Locale.ROOT);
        if (name.equals("postgresql")) {
            return "postgres";
        }
        if (!BACKENDS.contains(name)) {
            throw new ConfigurationException("Unknown database backend '" + raw + "'. Expected one of: "
                    + String.join(", ", BACKENDS) + " (set " + Setting.DB_BACKEND.key() + ")");
        }
        return name;
    }

    private int parseInt(Setting setting, int minimum) {
        String raw = values.get(setting).trim();
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(setting.key() + " must be a whole number, got '" + raw + "'");
        }
        if (value < minimum) {
            throw new ConfigurationException(setting.key() + " must be at least " + minimum + ", got " + value);
        }
        return value;
    }

    private boolean parseBoolean(Setting setting) {
        String raw = values.get(setting).trim().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigurationException(setting.key() + " must be true or false, got '"
                    + values.get(setting) + "'");
        };
    }

    private Optional<Duration> parseDuration(Setting setting) {
        String raw = values.get(setting).trim().toLowerCase(Locale.ROOT);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        if (raw.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw new ConfigurationException(setting.key() + " must be a duration such as 500ms, 30s, 2m or 1h, got '"
                    + values.get(setting) + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        });
    }

    private PostgresTarget resolvePostgres(String url) {
        if (url.isBlank()) {
            if (backend.equals("postgres")) {
                throw new ConfigurationException("The postgres backend needs a server address: set "
                        + Setting.POSTGRES_URL.key() + " (or DATABASE_URL), e.g. "
                        + "postgres://app:secret@localhost:5432/app");
            }
            return null;
        }
        PostgresTarget target = PostgresTarget.parse(url.trim(), sources.get(Setting.POSTGRES_URL).equals("DATABASE_URL")
                ? "DATABASE_URL" : Setting.POSTGRES_URL.key());
        return withPasswordFile(target, Setting.POSTGRES_PASSWORD_FILE);
    }

    /**
     * Flyway-style builder. Typed setters and {@link #set(String, String)} take precedence over the environment.
     */
    public static final class Builder {
        private final Map<String, String> explicit = new LinkedHashMap<>();
        private Map<String, String> environment = System.getenv();
        private Path envFile;
        private boolean readEnvFile = true;
        private boolean requireCurrentSchema = true;

        private Builder() {
        }

        /**
         * Sets backend and location from one URL: {@code memory:}, {@code sqlite:PATH}, {@code jdbc:sqlite:PATH},
         * {@code postgres://…}, {@code postgresql://…} or {@code jdbc:postgresql://…}.
         */
        public Builder url(String url) {
            if (url.equals("memory:") || url.equals("memory")) {
                explicit.put(Setting.DB_BACKEND.key(), "memory");
            } else if (url.startsWith("jdbc:sqlite:") || url.startsWith("sqlite:")) {
                String path = url.substring(url.indexOf("sqlite:") + "sqlite:".length());
                if (path.isEmpty()) {
                    throw new ConfigurationException("The SQLite URL '" + url + "' has no file path; use e.g. sqlite:./app.db");
                }
                explicit.put(Setting.DB_BACKEND.key(), "sqlite");
                explicit.put(Setting.SQLITE_PATH.key(), path);
            } else if (PostgresTarget.isPostgresUrl(url)) {
                explicit.put(Setting.DB_BACKEND.key(), "postgres");
                explicit.put(Setting.POSTGRES_URL.key(), url);
            } else {
                String scheme = url.contains(":") ? url.substring(0, url.indexOf(':') + 1) : url;
                throw new ConfigurationException("Unsupported database URL scheme '" + scheme + "'. Use memory:, "
                        + "sqlite:PATH, jdbc:sqlite:PATH, postgres://, postgresql:// or jdbc:postgresql://");
            }
            return this;
        }

        public Builder backend(String backend) {
            return set(Setting.DB_BACKEND.key(), backend);
        }

        public Builder sqlitePath(Path path) {
            return set(Setting.SQLITE_PATH.key(), path.toString());
        }

        public Builder postgresUrl(String url) {
            return set(Setting.POSTGRES_URL.key(), url);
        }

        public Builder poolMin(int min) {
            return set(Setting.POSTGRES_POOL_MIN.key(), Integer.toString(min));
        }

        public Builder poolMax(int max) {
            return set(Setting.POSTGRES_POOL_MAX.key(), Integer.toString(max));
        }

        public Builder connectTimeout(Duration timeout) {
            return set(Setting.CONNECT_TIMEOUT.key(), timeout.toMillis() + "ms");
        }

        public Builder autoMigrate(boolean autoMigrate) {
            return set(Setting.AUTO_MIGRATE.key(), Boolean.toString(autoMigrate));
        }

        public Builder pgbouncer(boolean pgbouncer) {
            return set(Setting.POSTGRES_PGBOUNCER.key(), Boolean.toString(pgbouncer));
        }

        /** The application's own migration locations, e.g. {@code classpath:db/app} holding {@code sqlite/} and {@code postgresql/}. */
        public Builder migrations(String... locations) {
            return set(Setting.MIGRATIONS.key(), String.join(",", locations));
        }

        /**
         * With auto-migrate off, {@code false} lets a database whose schema is behind open anyway, for tools that
         * show or apply migrations ({@code vellum migrate}).
         */
        public Builder requireCurrentSchema(boolean require) {
            this.requireCurrentSchema = require;
            return this;
        }

        /** Sets any setting by its key. Unknown keys are rejected when {@link #build()} runs. */
        public Builder set(String key, String value) {
            explicit.put(key, value);
            return this;
        }

        /** Reads variables from this map instead of the process environment (tests, embedding). */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        /** Reads this {@code .env} file instead of the default; it must exist. */
        public Builder envFile(Path file) {
            this.envFile = file;
            return this;
        }

        /** Neither the process environment nor any {@code .env} file: only the builder and defaults. */
        public Builder isolated() {
            this.environment = Map.of();
            this.readEnvFile = false;
            return this;
        }

        public VellumConfig build() {
            Map<String, String> dotenv = readEnvFile ? readDotenv() : Map.of();
            rejectUnknownKeys(explicit.keySet(), "the configuration builder", true);
            rejectUnknownKeys(environment.keySet(), "the environment", false);
            rejectUnknownKeys(dotenv.keySet(), dotenvName(), false);

            Map<Setting, String> values = new LinkedHashMap<>();
            Map<Setting, String> sources = new LinkedHashMap<>();
            for (Setting s : Setting.values()) {
                if (explicit.containsKey(s.key())) {
                    values.put(s, explicit.get(s.key()));
                    sources.put(s, "builder");
                } else if (environment.containsKey(s.key())) {
                    values.put(s, environment.get(s.key()));
                    sources.put(s, "environment");
                } else if (dotenv.containsKey(s.key())) {
                    values.put(s, dotenv.get(s.key()));
                    sources.put(s, dotenvName());
                } else {
                    values.put(s, s.defaultValue());
                    sources.put(s, "default");
                }
            }
            String postgresUrl = values.get(Setting.POSTGRES_URL);
            if (postgresUrl.isBlank()) {
                String fallback = environment.getOrDefault("DATABASE_URL", dotenv.getOrDefault("DATABASE_URL", ""));
                if (!fallback.isBlank()) {
                    postgresUrl = fallback;
                    values.put(Setting.POSTGRES_URL, fallback);
                    sources.put(Setting.POSTGRES_URL, "DATABASE_URL");
                }
            }
            return new VellumConfig(values, sources, postgresUrl, requireCurrentSchema);
        }

        private Path dotenvPath() {
            if (envFile != null) {
                return envFile;
            }
            String named = explicit.getOrDefault(Setting.ENV_FILE.key(), environment.get(Setting.ENV_FILE.key()));
            return Path.of(named == null || named.isBlank() ? Setting.ENV_FILE.defaultValue() : named);
        }

        private String dotenvName() {
            return dotenvPath().toString();
        }

        private Map<String, String> readDotenv() {
            Path path = dotenvPath();
            boolean mustExist = envFile != null || explicit.containsKey(Setting.ENV_FILE.key())
                    || environment.containsKey(Setting.ENV_FILE.key());
            if (!Files.exists(path)) {
                if (mustExist) {
                    throw new ConfigurationException(Setting.ENV_FILE.key() + " names '" + path
                            + "', which does not exist");
                }
                return Map.of();
            }
            Path absolute = path.toAbsolutePath();
            try {
                Dotenv dotenv = Dotenv.configure()
                        .directory(absolute.getParent().toString())
                        .filename(absolute.getFileName().toString())
                        .load();
                Map<String, String> entries = new LinkedHashMap<>();
                for (DotenvEntry e : dotenv.entries(Dotenv.Filter.DECLARED_IN_ENV_FILE)) {
                    entries.put(e.getKey(), e.getValue());
                }
                return entries;
            } catch (DotenvException e) {
                throw new ConfigurationException("Cannot read " + path + ": " + e.getMessage()
                        + ". Each line must look like KEY=value.");
            }
        }

        /**
         * Variables of the scripts around the library ({@code ./vellum}, {@code scripts/dev-postgres}, the benchmark,
         * the init scripts): not settings, but not typos either.
         */
        private static final java.util.Set<String> TOOL_VARIABLES = java.util.Set.of("VELLUM_JAVA_OPTS",
                "VELLUM_BENCH_POSTGRES_URL", "VELLUM_DEV_POSTGRES_DIR", "VELLUM_DEV_POSTGRES_PORT",
                "VELLUM_DEV_POSTGRES_BIN", "VELLUM_DEV_POSTGRES_BINARIES", "VELLUM_MIGRATOR_PASSWORD",
                "VELLUM_MIGRATOR_PASSWORD_FILE", "VELLUM_APP_PASSWORD", "VELLUM_APP_PASSWORD_FILE");

        /** Environments hold many other variables, so there only {@code VELLUM_*} keys are ours to check. */
        private static void rejectUnknownKeys(Iterable<String> keys, String where, boolean allKeysAreOurs) {
            List<String> known = new ArrayList<>();
            for (Setting s : Setting.values()) {
                known.add(s.key());
            }
            for (String key : keys) {
                boolean ours = allKeysAreOurs || key.startsWith("VELLUM_");
                if (ours && Setting.byKey(key).isEmpty() && !TOOL_VARIABLES.contains(key)) {
                    String hint = Strings.nearest(key, known).map(k -> " Did you mean " + k + "?")
                            .orElse(" Known settings: " + String.join(", ", known) + ".");
                    throw new ConfigurationException("Unknown setting " + key + " in " + where + "." + hint);
                }
            }
        }
    }
}
