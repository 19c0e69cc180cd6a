package dev.vellum;

import dev.vellum.internal.Backends;
import dev.vellum.internal.Messages;
import dev.vellum.internal.ServiceLinks;
import dev.vellum.spi.BackendProvider;
import dev.vellum.spi.ConfigurationExtension;
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

    /** Values and their sources by key, for every known setting. */
    private final Map<String, String> values;

    private final Map<String, String> sources;
    private final String backend;
    private final Duration connectTimeout;
    private final boolean autoMigrate;
    private final List<String> migrationLocations;
    private final boolean requireCurrentSchema;
    private final javax.sql.DataSource dataSource;
    private final dev.vellum.spi.TransactionJoin transactionJoin;
    private final dev.vellum.internal.SizeLimits sizeLimits;

    private VellumConfig(
            Map<String, String> values,
            Map<String, String> sources,
            boolean requireCurrentSchema,
            javax.sql.DataSource dataSource,
            dev.vellum.spi.TransactionJoin transactionJoin) {
        this.requireCurrentSchema = requireCurrentSchema;
        this.dataSource = dataSource;
        this.transactionJoin = transactionJoin;
        this.values = values;
        this.sources = sources;
        this.backend = parseBackend(get(Setting.DB_BACKEND));
        this.connectTimeout = getDuration(Setting.CONNECT_TIMEOUT)
                .orElseThrow(() ->
                        new ConfigurationException(Setting.CONNECT_TIMEOUT.key() + " must not be empty; use e.g. 30s"));
        if (connectTimeout.toMillis() < 250) {
            throw new ConfigurationException(Setting.CONNECT_TIMEOUT.key() + " must be at least 250ms, got '"
                    + get(Setting.CONNECT_TIMEOUT) + "'");
        }
        this.autoMigrate = getBoolean(Setting.AUTO_MIGRATE);
        this.sizeLimits = new dev.vellum.internal.SizeLimits(
                sizeBetween(Setting.MAX_RECORD_SIZE, "1KB", 1024),
                sizeBetween(Setting.MAX_ANSWER_SIZE, "64KB", 64 * 1024));
        this.migrationLocations = Arrays.stream(get(Setting.MIGRATIONS).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
        Backends.named(backend).ifPresent(provider -> provider.validate(this));
        Known.EXTENSIONS.forEach(extension -> extension.check(this));
    }

    /** Core's settings and those the installed modules declare, in the order they are listed. */
    private static final class Known {
        static final List<ConfigurationExtension> EXTENSIONS =
                ServiceLoader.load(ConfigurationExtension.class, VellumConfig.class.getClassLoader()).stream()
                        .map(ServiceLoader.Provider::get)
                        .sorted(java.util.Comparator.comparing(e -> e.getClass().getName()))
                        .toList();
        static final Map<String, SettingKey> BY_KEY = declared();

        private static Map<String, SettingKey> declared() {
            Map<String, SettingKey> settings = new LinkedHashMap<>();
            List<SettingKey> all = new ArrayList<>(Arrays.asList(Setting.values()));
            EXTENSIONS.forEach(extension -> all.addAll(extension.settings()));
            for (SettingKey setting : all) {
                if (settings.put(setting.key(), setting) != null) {
                    throw new IllegalStateException("Two modules declare the setting " + setting.key());
                }
            }
            return java.util.Collections.unmodifiableMap(settings);
        }
    }

    /** Every setting this configuration knows: core's, then each installed module's. */
    public List<SettingKey> settings() {
        return List.copyOf(Known.BY_KEY.values());
    }

    /**
     * A size setting in bytes: {@code 65536}, {@code 512KB}, {@code 10MB} or {@code 1GB}; an error names the key.
     */
    public long getSize(SettingKey setting) {
        String raw = get(setting).trim().toUpperCase(Locale.ROOT);
        Matcher m = SIZE.matcher(raw);
        if (!m.matches()) {
            throw new ConfigurationException(
                    setting.key() + " must be a size such as 65536, 512KB or 10MB, got '" + get(setting) + "'");
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

    private long sizeBetween(SettingKey setting, String least, long leastBytes) {
        long size = getSize(setting);
        if (size < leastBytes || size > 1024L * 1024 * 1024) {
            throw new ConfigurationException(
                    setting.key() + " must be between " + least + " and 1GB, got '" + get(setting) + "'");
        }
        return size;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public boolean autoMigrate() {
        return autoMigrate;
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

    /**
     * The raw value of a setting (after layering and defaults). Secret settings are returned as they are.
     *
     * @throws IllegalArgumentException for a setting no installed module declares
     */
    public String get(SettingKey setting) {
        String value = values.get(setting.key());
        if (value == null) {
            throw new IllegalArgumentException(
                    setting.key() + " is not a setting of any installed module (its module is not on the classpath)");
        }
        return value;
    }

    /** Where a setting's value came from: builder, environment, a .env path, or default. */
    public String sourceOf(SettingKey setting) {
        get(setting);
        return sources.get(setting.key());
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
        for (SettingKey s : Known.BY_KEY.values()) {
            String value = values.get(s.key());
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
    public int getInt(SettingKey setting, int minimum) {
        String raw = get(setting).trim();
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
    public boolean getBoolean(SettingKey setting) {
        String raw = get(setting).trim().toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default ->
                throw new ConfigurationException(setting.key() + " must be true or false, got '" + get(setting) + "'");
        };
    }

    /** A duration setting ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d}, {@code 0}); empty when blank. */
    public Optional<Duration> getDuration(SettingKey setting) {
        String raw = get(setting).trim().toLowerCase(Locale.ROOT);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        if (raw.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw new ConfigurationException(
                    setting.key() + " must be a duration such as 500ms, 30s, 2m or 1h, got '" + get(setting) + "'");
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

        /** Shortcut for the SQLite backend's {@code VELLUM_SQLITE_PATH}. */
        public Builder sqlitePath(Path path) {
            return set("VELLUM_SQLITE_PATH", path.toString());
        }

        /** Shortcut for the PostgreSQL backend's {@code VELLUM_POSTGRES_URL}. */
        public Builder postgresUrl(String url) {
            return set("VELLUM_POSTGRES_URL", url);
        }

        /** Shortcut for the PostgreSQL backend's {@code VELLUM_POSTGRES_POOL_MIN}. */
        public Builder poolMin(int min) {
            return set("VELLUM_POSTGRES_POOL_MIN", Integer.toString(min));
        }

        /** Shortcut for the PostgreSQL backend's {@code VELLUM_POSTGRES_POOL_MAX}. */
        public Builder poolMax(int max) {
            return set("VELLUM_POSTGRES_POOL_MAX", Integer.toString(max));
        }

        public Builder connectTimeout(Duration timeout) {
            return set(Setting.CONNECT_TIMEOUT.key(), timeout.toMillis() + "ms");
        }

        public Builder autoMigrate(boolean autoMigrate) {
            return set(Setting.AUTO_MIGRATE.key(), Boolean.toString(autoMigrate));
        }

        /** Shortcut for the PostgreSQL backend's {@code VELLUM_POSTGRES_PGBOUNCER}. */
        public Builder pgbouncer(boolean pgbouncer) {
            return set("VELLUM_POSTGRES_PGBOUNCER", Boolean.toString(pgbouncer));
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

        /** Sets a setting, core's or a module's. */
        public Builder set(SettingKey setting, String value) {
            return set(setting.key(), value);
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

            Map<String, String> values = new LinkedHashMap<>();
            Map<String, String> sources = new LinkedHashMap<>();
            for (SettingKey s : Known.BY_KEY.values()) {
                String key = s.key();
                if (explicit.containsKey(key)) {
                    values.put(key, explicit.get(key));
                    sources.put(key, "builder");
                } else if (environment.containsKey(key)) {
                    values.put(key, environment.get(key));
                    sources.put(key, "environment");
                } else if (dotenv.containsKey(key)) {
                    values.put(key, dotenv.get(key));
                    sources.put(key, dotenvName());
                } else {
                    values.put(key, s.defaultValue());
                    sources.put(key, "default");
                }
                String fallbackKey = s.fallbackKey();
                if (fallbackKey != null && values.get(key).isBlank()) {
                    String fallback = environment.getOrDefault(fallbackKey, dotenv.getOrDefault(fallbackKey, ""));
                    if (!fallback.isBlank()) {
                        values.put(key, fallback);
                        sources.put(key, fallbackKey);
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
            lines("META-INF/vellum/variables").forEach(names::add);
            return java.util.Set.copyOf(names);
        }

        /** Vellum's own modules by the prefix of their keys ({@code META-INF/vellum/modules}). */
        private static final class Modules {
            static final Map<String, String> BY_PREFIX = read();

            private static Map<String, String> read() {
                Map<String, String> modules = new LinkedHashMap<>();
                for (String line : lines("META-INF/vellum/modules")) {
                    String[] prefixAndModule = line.split("\\s+");
                    modules.put(prefixAndModule[0], prefixAndModule[1]);
                }
                return modules;
            }

            /** The module that would declare {@code key}, when that module is not installed. */
            static Optional<String> absentFor(String key) {
                return BY_PREFIX.entrySet().stream()
                        .filter(e -> key.startsWith(e.getKey()))
                        .filter(e -> Known.BY_KEY.keySet().stream().noneMatch(k -> k.startsWith(e.getKey())))
                        .map(Map.Entry::getValue)
                        .findFirst();
            }
        }

        /** The lines of every resource of this name, without blanks and {@code #} comments. */
        private static List<String> lines(String resource) {
            List<String> lines = new ArrayList<>();
            try {
                java.util.Enumeration<java.net.URL> lists =
                        VellumConfig.class.getClassLoader().getResources(resource);
                while (lists.hasMoreElements()) {
                    try (java.io.InputStream in = lists.nextElement().openStream()) {
                        for (String line :
                                new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                            String text = line.strip();
                            if (!text.isEmpty() && !text.startsWith("#")) {
                                lines.add(text);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return lines;
        }

        /** Environments hold many other variables, so there only {@code VELLUM_*} keys are ours to check. */
        private static void rejectUnknownKeys(Iterable<String> keys, String where, boolean allKeysAreOurs) {
            List<String> known = new ArrayList<>(Known.BY_KEY.keySet());
            for (String key : keys) {
                boolean ours = allKeysAreOurs || key.startsWith("VELLUM_");
                if (ours && !Known.BY_KEY.containsKey(key) && !ToolVariables.NAMES.contains(key)) {
                    Optional<String> module = Modules.absentFor(key);
                    if (module.isPresent() && !allKeysAreOurs) {
                        continue; // a setting of a module this application does not have
                    }
                    if (module.isPresent()) {
                        throw new ConfigurationException(key + " is a setting of " + module.get() + ", which is not "
                                + "on the classpath; add the dev.vellum:" + module.get() + " dependency.");
                    }
                    String hint = Messages.nearest(key, known)
                            .map(k -> " Did you mean " + k + "?")
                            .orElse(" Known settings: " + String.join(", ", known) + ".");
                    throw new ConfigurationException("Unknown setting " + key + " in " + where + "." + hint);
                }
            }
        }
    }
}
