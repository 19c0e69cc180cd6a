package dev.vellum;

import dev.vellum.spi.BackendProvider;

import java.util.Map;
import java.util.ServiceLoader;

/** Finds the backend module for a configuration, or says exactly which dependency is missing. */
final class Backends {
    private static final Map<String, String> MISSING_MODULE = Map.of(
            "sqlite", "SQLite backend requires the vellum-sqlite module (dev.vellum:vellum-sqlite, which brings "
                    + "org.xerial:sqlite-jdbc). Add it to your dependencies.",
            "postgres", "PostgreSQL backend requires the vellum-postgres module (dev.vellum:vellum-postgres, which "
                    + "brings org.postgresql:postgresql). Add it to your dependencies.");

    private Backends() {
    }

    static Database open(VellumConfig config) {
        String backend = config.backend();
        if (backend.equals("memory")) {
            throw new ConfigurationException("The memory backend keeps records in this process and has no SQL, so "
                    + "it cannot open a Database. Use sqlite or postgres for SQL (set VELLUM_DB_BACKEND).");
        }
        return provider(backend).open(config);
    }

    static RecordStore openStore(VellumConfig config) {
        BackendProvider provider = provider(config.backend());
        Database db = provider.open(config);
        try {
            SqlStore store = new SqlStore((dev.vellum.spi.JdbcDatabase) db, provider.recordDialect(db));
            if (config.autoMigrate()) {
                store.upgradeIndexes();
            }
            return store;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    static BackendProvider provider(String backend) {
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            if (provider.name().equals(backend)) {
                return provider;
            }
        }
        throw new ConfigurationException(MISSING_MODULE.getOrDefault(backend,
                "No module on the classpath provides the '" + backend + "' backend."));
    }
}
