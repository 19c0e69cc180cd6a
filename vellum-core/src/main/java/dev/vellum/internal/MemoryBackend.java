package dev.vellum.internal;

import dev.vellum.ConfigurationException;
import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.SettingKey;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.spi.BackendProvider;
import dev.vellum.spi.RecordDialect;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The reference backend as a provider: {@code memory:} opens a fresh store in this process. */
public final class MemoryBackend implements BackendProvider {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public List<String> urlForms() {
        return List.of("memory:");
    }

    @Override
    public boolean handlesUrl(String url) {
        return url.equals("memory:") || url.equals("memory");
    }

    @Override
    public Map<SettingKey, String> settingsFromUrl(String url) {
        return Map.of();
    }

    @Override
    public String describeTarget(VellumConfig config) {
        return "process memory";
    }

    @Override
    public Database open(VellumConfig config) {
        throw new ConfigurationException("The memory backend keeps records in this process and has no SQL, so "
                + "it cannot open a Database. Use sqlite or postgres for SQL (set VELLUM_DB_BACKEND).");
    }

    @Override
    public RecordDialect recordDialect(Database db) {
        throw new UnsupportedOperationException("the memory backend has no SQL");
    }

    @Override
    public Optional<RecordStore> openNativeStore(VellumConfig config) {
        return Optional.of(Vellum.inMemory(config));
    }
}
