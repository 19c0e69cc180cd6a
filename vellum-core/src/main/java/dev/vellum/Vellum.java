package dev.vellum;

import dev.vellum.engine.Records;
import dev.vellum.engine.memory.MemoryStore;
import dev.vellum.engine.sql.SqlStore;
import dev.vellum.internal.Backends;
import dev.vellum.internal.JdbcDatabase;
import dev.vellum.spi.BackendProvider;
import java.util.Optional;

/**
 * Entry point to the record store.
 *
 * <pre>{@code
 * try (RecordStore store = Vellum.open()) {            // sqlite ./vellum.db unless configured otherwise
 *     Collection users = store.collection("users");
 *     users.insert(Map.of("name", "Ada", "age", 36));
 *     Page adults = users.find(Query.where(Filter.gte("age", 18)).sort("-age"));
 * }
 * }</pre>
 */
public final class Vellum {
    private Vellum() {}

    /** The store the environment and {@code .env} describe. */
    public static RecordStore open() {
        return open(VellumConfig.fromEnvironment());
    }

    /** {@code memory:}, {@code sqlite:PATH}, {@code postgres://…} and the other URL forms of {@link VellumConfig.Builder#url}. */
    public static RecordStore open(String url) {
        return open(VellumConfig.builder().url(url).build());
    }

    /**
     * A new record id, as {@link Collection#insert} would make one (UUIDv7): for callers that must know the ids
     * before the records are written.
     */
    public static String newId() {
        return Records.newId();
    }

    /** The store a configuration describes, through the backend module that serves its backend. */
    public static RecordStore open(VellumConfig config) {
        BackendProvider provider = Backends.require(config.backend());
        Optional<RecordStore> nativeStore = provider.openNativeStore(config);
        if (nativeStore.isPresent()) {
            return nativeStore.get();
        }
        Database opened = provider.open(config);
        if (!(opened instanceof JdbcDatabase db)) {
            opened.close();
            throw new ConfigurationException("The '" + provider.name() + "' backend cannot hold a record store: "
                    + "its database was not made by Vellum's JDBC engine. Report this to the backend's authors.");
        }
        try {
            SqlStore store = new SqlStore(
                    db,
                    provider.recordDialect(db),
                    config.getDuration(Setting.CHANGES_RETENTION).orElse(java.time.Duration.ofDays(7)),
                    provider.changeSignal(db, config),
                    config.sizeLimits());
            if (config.autoMigrate()) {
                store.upgradeIndexes();
            }
            return store;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** This build's version, e.g. {@code 0.1.0}: what the CLI, the server and backups report. */
    public static String version() {
        return Version.VALUE;
    }

    /** Read once, from the resource the build writes. */
    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            java.util.Properties properties = new java.util.Properties();
            try (java.io.InputStream in = Vellum.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return properties.getProperty("version", "unknown");
        }
    }

    /**
     * A fresh, empty store in this process's memory (what {@code memory:} opens): the reference semantics with
     * nothing written to disk, for tests, caches and trying things out. Its records go when it is closed.
     */
    public static RecordStore inMemory() {
        return new MemoryStore(java.time.Duration.ofDays(7), dev.vellum.internal.SizeLimits.DEFAULT);
    }

    /** {@link #inMemory()} with the configuration's settings that apply to it ({@code VELLUM_CHANGES_RETENTION}). */
    public static RecordStore inMemory(VellumConfig config) {
        return new MemoryStore(
                config.getDuration(Setting.CHANGES_RETENTION).orElse(java.time.Duration.ofDays(7)),
                config.sizeLimits());
    }
}
