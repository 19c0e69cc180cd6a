package dev.vellum;

import dev.vellum.internal.Backends;
import dev.vellum.internal.Messages;
import dev.vellum.internal.ServiceLinks;
import dev.vellum.spi.BackendProvider;
import dev.vellum.spi.SettingsCheck;
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
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolved, validated configuration. Each value comes from the first of: the builder, the real environment, the
 * {@code .env} file (or the one {@code VELLUM_ENV_FILE} names), the default. Build one with {@link #builder()} or
 * {@link #fromEnvironment()}; every problem is a {@link ConfigurationException} naming the key.
 */
public final class VellumConfig {
    static {
        dev.vellum.internal.QuietLogging.quietenMissingProvider(); // before anything Vellum starts can log
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KB|MB|GB)?");

    private final Map<Setting, String> values;
    private final Map<Setting, String> sources;
    private final String backend;
    private final int poolMin;
    private final int poolMax;
    private final Duration connectTimeout;
    private final boolean autoMigrate;
    private final boolean pgbouncer;
    private final Duration lockTimeout;
    private final Optional<Duration> statementTimeout;
    private final List<String> migrationLocations;
    private final boolean requireCurrentSchema;
    private final javax.sql.DataSource dataSource;
    private final dev.vellum.spi.TransactionJoin transactionJoin;
    private final dev.vellum.internal.SizeLimits sizeLimits;

    private VellumConfig(
            Map<Setting, String> values,
            Map<Setting, String> sources,
            boolean requireCurrentSchema,
            javax.sql.DataSource dataSource,
            dev.vellum.spi.TransactionJoin transactionJoin) {
        this.requireCurrentSchema = requireCurrentSchema;
        this.dataSource = dataSource;
        this.transactionJoin = transactionJoin;
        this.values = values;
        this.sources = sources;
        this.backend = parseBackend(values.get(Setting.DB_BACKEND));
        this.poolMin = getInt(Setting.POSTGRES_POOL_MIN, 0);
        this.poolMax = getInt(Setting.POSTGRES_POOL_MAX, 1);
        if (poolMin > poolMax) {
            throw new ConfigurationException(Setting.POSTGRES_POOL_MIN.key() + " (" + poolMin + ") must not be greater "
                    + "than " + Setting.POSTGRES_POOL_MAX.key() + " (" + poolMax + ")");
        }
        this.connectTimeout = getDuration(Setting.CONNECT_TIMEOUT)
                .orElseThrow(() ->
                        new ConfigurationException(Setting.CONNECT_TIMEOUT.key() + " must not be empty; use e.g. 30s"));
        if (connectTimeout.toMillis() < 250) {
            throw new ConfigurationException(Setting.CONNECT_TIMEOUT.key() + " must be at least 250ms, got '"
                    + values.get(Setting.CONNECT_TIMEOUT) + "'");
        }
        this.autoMigrate = getBoolean(Setting.AUTO_MIGRATE);
        this.pgbouncer = getBoolean(Setting.POSTGRES_PGBOUNCER);
        this.lockTimeout = getDuration(Setting.POSTGRES_LOCK_TIMEOUT).orElse(Duration.ZERO);
        this.statementTimeout = getDuration(Setting.POSTGRES_STATEMENT_TIMEOUT);
        this.sizeLimits = new dev.vellum.internal.SizeLimits(
                sizeBetween(Setting.MAX_RECORD_SIZE, "1KB", 1024),
                sizeBetween(Setting.MAX_ANSWER_SIZE, "64KB", 64 * 1024));
        this.migrationLocations = Arrays.stream(values.get(Setting.MIGRATIONS).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        Backends.named(backend).ifPresent(provider -> provider.validate(this));
        SettingsChecks.INSTALLED.forEach(check -> check.check(this));
    }

    /** The modules' own checks of their settings (the server's, for one). */
    private static final class SettingsChecks {
        static final List<SettingsCheck> INSTALLED =
                ServiceLoader.load(SettingsCheck.class, VellumConfig.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .toList();
    }

    /**
     * A size setting in bytes: {@code 65536}, {@code 512KB}, {@code 10MB} or {@code 1GB}; an error names the key.
     */
    public long getSize(Setting setting) {
        String raw = values.get(setting).trim().toUpperCase(Locale.ROOT);
        Matcher m = SIZE.matcher(raw);
        if (!m.matches()) {
            throw new ConfigurationException(
                    setting.key() + " must be a size such as 65536, 512KB or 10MB, got '" + values.get(setting) + "'");
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

    /** The backend's name, e.g. {@code sqlite}, {@code postgres} or {@code memory}. */
    public String backend() {
        return backend;
    }

    /** VELLUM_MAX_RECORD_SIZE in bytes: the most JSON text a record's fields, or its metadata, may hold. */
    public long maxRecordSize() {
        return sizeLimits.recordBytes();
    }

    /** VELLUM_MAX_ANSWER_SIZE in bytes: the most JSON text one read answers. */
    public long maxAnswerSize() {
        return sizeLimits.answerBytes();
    }

    /** The store's limits in bytes. */
    public dev.vellum.internal.SizeLimits sizeLimits() {
        return sizeLimits;
    }

    private long sizeBetween(Setting setting, String least, long leastBytes) {
        long size = getSize(setting);
        if (size < leastBytes || size > 1024L * 1024 * 1024) {
            throw new ConfigurationException(
                    setting.key() + " must be between " + least + " and 1GB, got '" + values.get(setting) + "'");
        }
        return size;
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

    /**
     * The application's own data source, when the database runs on it ({@link Builder#dataSource}); empty when Vellum
     * opens its own pool from the settings.
     */
    public Optional<javax.sql.DataSource> dataSource() {
        return Optional.ofNullable(dataSource);
    }

    /** The framework transactions Vellum's work joins ({@link Builder#joinTransactions}), if any. */
    public Optional<dev.vellum.spi.TransactionJoin> transactionJoin() {
        return Optional.ofNullable(transactionJoin);
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
        return Backends.named(backend)
                .map(p -> p.describeTarget(this))
                .orElse("the " + backend + " backend (its module is not installed)");
    }

    /** Every setting with its value; secrets are shown as {@code ****}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("VellumConfig[");
        String separator = "";
        for (Setting s : Setting.values()) {
            String value = values.get(s);
            text.append(separator)
                    .append(s.key())
                    .append('=')
                    .append(s.isSecret() && !value.isEmpty() ? "****" : value);
            separator = ", ";
        }
        return text.append(']').toString();
    }

    private static String parseBackend(String raw) {
        return Backends.canonicalName(raw).orElseThrow(() -> {
            List<String> known = Backends.knownNames();
            String hint = Messages.nearest(raw.trim().toLowerCase(Locale.ROOT), known)
                    .map(n -> " Did you mean " + n + "?")
                    .orElse("");
            return new ConfigurationException("Unknown database backend '" + raw + "'. Expected one of: "
                    + String.join(", ", known) + " (set " + Setting.DB_BACKEND.key() + ")" + hint);
        });
    }

    /** A whole-number setting of at least {@code minimum}; an error names the key. */
    public int getInt(Setting setting, int minimum) {
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

    /** A true/false setting ({@code true/yes/on/1}, {@code false/no/off/0}); an error names the key. */
    public boolean getBoolean(Setting setting) {
        String raw = values.get(setting).trim().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default ->
                throw new ConfigurationException(
                        setting.key() + " must be true or false, got '" + values.get(setting) + "'");
        };
    }

    /** A duration setting ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d}, {@code 0}); empty when blank. */
    public Optional<Duration> getDuration(Setting setting) {
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
        return Optional.of(
                switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                });
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
        private javax.sql.DataSource dataSource;
        private dev.vellum.spi.TransactionJoin transactionJoin;

        private Builder() {}

        /**
         * Runs on the application's own data source (a pool it configured and closes) instead of opening one: the
         * backend is the one that claims its JDBC URL ({@code jdbc:postgresql:}, {@code jdbc:sqlite:}), learned from a
         * connection when the configuration is built, unless {@link #url} or {@link #backend} says otherwise. Vellum
         * applies its migrations there and never closes it. Its pool settings ({@code VELLUM_POSTGRES_POOL_*}, the
         * session timeouts) are then the data source's own.
         */
        public Builder dataSource(javax.sql.DataSource applicationDataSource) {
            this.dataSource = java.util.Objects.requireNonNull(applicationDataSource, "dataSource");
            return this;
        }

        /**
         * Makes Vellum's work join the transactions a framework runs over its data source (Spring's transaction
         * managers: the Spring Boot starter sets this).
         */
        public Builder joinTransactions(dev.vellum.spi.TransactionJoin join) {
            this.transactionJoin = java.util.Objects.requireNonNull(join, "join");
            return this;
        }

        /**
         * Sets backend and location from one URL: {@code memory:}, {@code sqlite:PATH}, {@code jdbc:sqlite:PATH},
         * {@code postgres://…}, {@code postgresql://…} or {@code jdbc:postgresql://…}.
         */
        public Builder url(String url) {
            BackendProvider provider = Backends.forUrl(url);
            explicit.put(Setting.DB_BACKEND.key(), provider.name());
            provider.settingsFromUrl(url).forEach((setting, value) -> explicit.put(setting.key(), value));
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
            Map<String, String> environment = ServiceLinks.without(this.environment);
            Map<String, String> dotenv = readEnvFile ? readDotenv() : Map.of();
            if (dataSource != null && !explicit.containsKey(Setting.DB_BACKEND.key())) {
                String url = Backends.urlOf(dataSource);
                BackendProvider provider = Backends.forDataSourceUrl(url);
                explicit.put(Setting.DB_BACKEND.key(), provider.name());
                provider.settingsFromUrl(url).forEach((setting, value) -> explicit.put(setting.key(), value));
            }
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
            for (Setting s : Setting.values()) {
                String fallbackKey = s.fallbackKey();
                if (fallbackKey != null && values.get(s).isBlank()) {
                    String fallback = environment.getOrDefault(fallbackKey, dotenv.getOrDefault(fallbackKey, ""));
                    if (!fallback.isBlank()) {
                        values.put(s, fallback);
                        sources.put(s, fallbackKey);
                    }
                }
            }
            return new VellumConfig(values, sources, requireCurrentSchema, dataSource, transactionJoin);
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
            boolean mustExist = envFile != null
                    || explicit.containsKey(Setting.ENV_FILE.key())
                    || environment.containsKey(Setting.ENV_FILE.key());
            if (!Files.exists(path)) {
                if (mustExist) {
                    throw new ConfigurationException(
                            Setting.ENV_FILE.key() + " names '" + path + "', which does not exist");
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
                throw new ConfigurationException(
                        "Cannot read " + path + ": " + e.getMessage() + ". Each line must look like KEY=value.");
            }
        }

        /**
         * Variables that are not settings but not typos either: those of the scripts and tools around the library
         * ({@code ./vellum}, {@code scripts/dev-postgres}, the benchmark, the test kit), listed one per line in
         * core's {@code META-INF/vellum/variables} (so an application that has none of those modules accepts them
         * too), and those a third-party module lists in a resource of the same name.
         */
        private static final class ToolVariables {
            static final java.util.Set<String> NAMES = read();
        }

        private static java.util.Set<String> read() {
            java.util.Set<String> names = new java.util.HashSet<>();
            try {
                java.util.Enumeration<java.net.URL> lists =
                        VellumConfig.class.getClassLoader().getResources("META-INF/vellum/variables");
                while (lists.hasMoreElements()) {
                    try (java.io.InputStream in = lists.nextElement().openStream()) {
                        for (String line :
                                new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                            String name = line.strip();
                            if (!name.isEmpty() && !name.startsWith("#")) {
                                names.add(name);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return java.util.Set.copyOf(names);
        }

        /** Environments hold many other variables, so there only {@code VELLUM_*} keys are ours to check. */
        private static void rejectUnknownKeys(Iterable<String> keys, String where, boolean allKeysAreOurs) {
            List<String> known = new ArrayList<>();
            for (Setting s : Setting.values()) {
                known.add(s.key());
            }
            for (String key : keys) {
                boolean ours = allKeysAreOurs || key.startsWith("VELLUM_");
                if (ours && Setting.byKey(key).isEmpty() && !ToolVariables.NAMES.contains(key)) {
                    String hint = Messages.nearest(key, known)
                            .map(k -> " Did you mean " + k + "?")
                            .orElse(" Known settings: " + String.join(", ", known) + ".");
                    throw new ConfigurationException("Unknown setting " + key + " in " + where + "." + hint);
                }
            }
        }
    }
}
