package dev.vellum;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
