package dev.vellum.conformance.plugin;

import dev.vellum.Collection;
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

/**
 * A backend that exists only in this test module, to prove the plugin seam: it claims the {@code memtest:} URL
 * scheme and the name {@code memtest}, and keeps records in memory through the public API. Nothing in core names
 * it; the conformance suite runs against it (see the {@code vellum.test.extraBackends} property in this module's
 * pom).
 */
public final class SecondMemoryBackend implements BackendProvider {
    static final String NAME = "memtest";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> urlForms() {
        return List.of("memtest:");
    }

    @Override
    public boolean handlesUrl(String url) {
        return url.startsWith("memtest:");
    }

    @Override
    public Map<SettingKey, String> settingsFromUrl(String url) {
        return Map.of();
    }

    @Override
    public String describeTarget(VellumConfig config) {
        return "test memory";
    }

    @Override
    public Database open(VellumConfig config) {
        throw new ConfigurationException("The memtest backend has no SQL");
    }

    @Override
    public RecordDialect recordDialect(Database db) {
        throw new UnsupportedOperationException("no SQL");
    }

    @Override
    public Optional<RecordStore> openNativeStore(VellumConfig config) {
        return Optional.of(new Store(Vellum.inMemory(config)));
    }

    /** The store under this backend's own name. */
    private record Store(RecordStore records) implements RecordStore {
        @Override
        public Collection collection(String name) {
            return records.collection(name);
        }

        @Override
        public List<String> collections() {
            return records.collections();
        }

        @Override
        public boolean dropCollection(String name) {
            return records.dropCollection(name);
        }

        @Override
        public <T, X extends Exception> T inTransaction(Work<T, X> work) throws X {
            return records.inTransaction(tx -> work.run(new Store(tx)));
        }

        @Override
        public <T, X extends Exception> T inSnapshot(Work<T, X> work) throws X {
            return records.inSnapshot(tx -> work.run(new Store(tx)));
        }

        @Override
        public dev.vellum.Changes changes() {
            return records.changes();
        }

        @Override
        public String backendName() {
            return NAME;
        }

        @Override
        public Optional<Database> database() {
            return Optional.empty();
        }

        @Override
        public void close() {
            records.close();
        }
    }
}
