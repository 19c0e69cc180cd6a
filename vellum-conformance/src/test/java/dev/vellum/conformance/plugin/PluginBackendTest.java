package dev.vellum.conformance.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.ConfigurationException;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.ops.Maintenance;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A backend defined only in this test module is a first-class backend: opened by its URL or its name, listed where
 * configuration lists what is installed, served by the operations. (Every {@code @StoreTest} of the conformance
 * suite also runs on it: see this module's pom.)
 */
class PluginBackendTest {
    @Test
    void opensByUrlAndByName() {
        try (RecordStore store = Vellum.open("memtest:")) {
            assertThat(store.backendName()).isEqualTo("memtest");
            store.collection("people").insert(Map.of("name", "Ada", "age", 36));
            assertThat(store.collection("people")
                            .find(Query.where(Filter.gte("age", 18)))
                            .records())
                    .hasSize(1);
        }
        VellumConfig byName =
                VellumConfig.builder().isolated().backend("MemTest").build();
        assertThat(byName.backend()).isEqualTo("memtest");
        assertThat(byName.describeTarget()).isEqualTo("test memory");
        try (RecordStore store = Vellum.open(byName)) {
            assertThat(store.collections()).isEmpty();
        }
    }

    @Test
    void configurationListsItWithTheShippedBackends() {
        assertThatThrownBy(() ->
                        VellumConfig.builder().isolated().backend("memtset").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Unknown database backend 'memtset'. Expected one of: sqlite, postgres, memory, memtest "
                        + "(set VELLUM_DB_BACKEND) Did you mean memtest?");
        assertThatThrownBy(() -> VellumConfig.builder().url("mysql://localhost/db"))
                .hasMessage("Unsupported database URL scheme 'mysql:'. Use memory:, sqlite:PATH, jdbc:sqlite:PATH, "
                        + "postgres://, postgresql://, jdbc:postgresql:// or memtest:");
    }

    @Test
    void itsOwnRulesApply() {
        assertThatThrownBy(() -> Database.open("memtest:"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("The memtest backend has no SQL");
        try (RecordStore store = Vellum.open("memtest:")) {
            store.collection("c").insert(Map.of("a", 1));
            assertThat(Maintenance.stats(store, Duration.ofSeconds(1)).toString())
                    .isEqualTo("{\"backend\":\"memtest\",\"collections\":{\"c\":{\"records\":1}}}");
        }
    }
}
