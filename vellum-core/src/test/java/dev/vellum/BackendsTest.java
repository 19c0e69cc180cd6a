package dev.vellum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** vellum-core alone has no backend module on its classpath: opening one says which dependency to add. */
class BackendsTest {
    @Test
    void missingPostgresModuleNamesTheDependency() {
        assertThatThrownBy(() -> Database.open("postgres://app@localhost/app"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("PostgreSQL backend requires the vellum-postgres module (dev.vellum:vellum-postgres, which "
                        + "brings org.postgresql:postgresql). Add it to your dependencies.");
    }

    @Test
    void missingSqliteModuleNamesTheDependency() {
        assertThatThrownBy(() -> Database.open("sqlite:./never-created.db"))
                .hasMessage("SQLite backend requires the vellum-sqlite module (dev.vellum:vellum-sqlite, which brings "
                        + "org.xerial:sqlite-jdbc). Add it to your dependencies.");
    }

    @Test
    void memoryBackendHasNoSql() {
        assertThatThrownBy(() -> Database.open("memory:"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("has no SQL");
    }

    @Test
    void unknownBackendListsTheShippedOnesEvenWhenTheirModulesAreAbsent() {
        assertThatThrownBy(
                        () -> VellumConfig.builder().isolated().backend("mysql").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Unknown database backend 'mysql'. Expected one of: sqlite, postgres, memory "
                        + "(set VELLUM_DB_BACKEND)");
        assertThatThrownBy(
                        () -> VellumConfig.builder().isolated().backend("sqlit").build())
                .hasMessageEndingWith("Did you mean sqlite?");
    }

    @Test
    void unknownUrlListsEveryForm() {
        assertThatThrownBy(() -> VellumConfig.builder().url("mysql://localhost/db"))
                .hasMessage("Unsupported database URL scheme 'mysql:'. Use memory:, sqlite:PATH, jdbc:sqlite:PATH, "
                        + "postgres://, postgresql:// or jdbc:postgresql://");
    }

    @Test
    void aShippedBackendNamedWithoutItsModuleFailsOnOpenNotOnBuild() {
        VellumConfig config =
                VellumConfig.builder().isolated().backend("postgresql").build();
        assertThat(config.backend()).isEqualTo("postgres");
        assertThat(config.describeTarget()).isEqualTo("the postgres backend (its module is not installed)");
        assertThatThrownBy(() -> Vellum.open(config)).hasMessageStartingWith("PostgreSQL backend requires");
    }

    /** An application's data source of a database Vellum does not run on: what to do, and no part of its URL. */
    @Test
    void anUnsupportedDataSourceSaysWhatToDo() {
        assertThatThrownBy(() -> dev.vellum.internal.Backends.forDataSourceUrl("jdbc:h2:mem:app;PASSWORD=secret"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("The application's data source is a jdbc:h2: database")
                .hasMessageContaining("vellum.url")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> dev.vellum.internal.Backends.forDataSourceUrl("jdbc:postgresql://db/app"))
                .hasMessageContaining("vellum-postgres module");
    }
}
