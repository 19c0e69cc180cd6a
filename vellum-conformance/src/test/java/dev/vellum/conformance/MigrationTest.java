package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.vellum.Database;
import dev.vellum.MigrationException;
import dev.vellum.MigrationReport;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

/** Vellum's schema and the application's migrations: fresh, re-run, concurrent, edited, disabled auto-migrate. */
class MigrationTest {
    @TempDir
    Path migrations;

    /** Writes an application migration into the dialect folders ({@code sqlite/}, {@code postgresql/}). */
    private void appMigration(String file, String sqliteSql, String postgresSql) throws IOException {
        Files.createDirectories(migrations.resolve("sqlite"));
        Files.createDirectories(migrations.resolve("postgresql"));
        Files.writeString(migrations.resolve("sqlite").resolve(file), sqliteSql);
        Files.writeString(migrations.resolve("postgresql").resolve(file), postgresSql);
    }

    private String location() {
        return "filesystem:" + migrations;
    }

    private static long applied(Database db, String table) {
        return db.fetchOne("SELECT COUNT(*) AS n FROM " + table + " WHERE success = "
                        + db.dialect().booleanLiteral(true) + " AND version <> '0'")
                .orElseThrow()
                .getLong("n");
    }

    @BackendTest
    void freshDatabaseGetsVellumSchemaAndReRunAppliesNothing(TestBackend backend) {
        Database first = backend.open();
        assertThat(first.health().schemaVersion()).isEqualTo("9");
        assertThat(first.fetchAll("SELECT name FROM vellum_collections")).isEmpty();
        assertThat(applied(first, "vellum_schema_history")).isEqualTo(9);
        first.close();

        Database again = backend.open();
        MigrationReport report = again.migrate();
        assertThat(report.applied()).isZero();
        assertThat(report.schemaVersion()).isEqualTo("9");
        assertThat(applied(again, "vellum_schema_history")).isEqualTo(9);
    }

    @BackendTest
    void applicationMigrationsComeFromTheDialectFolder(TestBackend backend) throws IOException {
        appMigration(
                "V1__people.sql",
                "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, joined TEXT);",
                "CREATE TABLE people (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, joined TIMESTAMPTZ);");
        appMigration(
                "V2__seed.sql",
                "INSERT INTO people (name) VALUES ('ada');",
                "INSERT INTO people (name) VALUES ('ada');");
        Database db = backend.open(b -> b.migrations(location()));
        assertThat(db.fetchOne("SELECT name FROM people").orElseThrow().getString("name"))
                .isEqualTo("ada");
        assertThat(applied(db, "flyway_schema_history")).isEqualTo(2);
        assertThat(db.migrate().appVersion()).isEqualTo("2");
    }

    @BackendTest
    void migrationsAreAppliedOnceWhenTwoProcessesOpenAtOnce(TestBackend backend) throws Exception {
        appMigration(
                "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "CREATE TABLE t (id INTEGER PRIMARY KEY);");
        appMigration(
                "V2__u.sql", "CREATE TABLE u (id INTEGER PRIMARY KEY);", "CREATE TABLE u (id INTEGER PRIMARY KEY);");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(ChildJvm.start(OpenAndMigrate.class, backend.url(), location()));
        }
        for (Process p : processes) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
            assertThat(p.exitValue()).as(ChildJvm.output(p)).isZero();
        }
        Database db = backend.open(b -> b.migrations(location()));
        assertThat(applied(db, "vellum_schema_history")).isEqualTo(9);
        assertThat(applied(db, "flyway_schema_history")).isEqualTo(2);
    }

    @BackendTest
    void threadsOpeningAtOnceAllSucceed(TestBackend backend) throws Exception {
        appMigration(
                "V1__t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);", "CREATE TABLE t (id INTEGER PRIMARY KEY);");
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            threads.add(new Thread(() -> {
                try {
                    backend.open(b -> b.migrations(location()));
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        assertThat(applied(backend.open(), "flyway_schema_history")).isEqualTo(1);
    }

    @BackendTest
    void editedAppliedMigrationIsRefusedByName(TestBackend backend) throws IOException {
        appMigration(
                "V1__people.sql",
                "CREATE TABLE people (id INTEGER PRIMARY KEY);",
                "CREATE TABLE people (id INTEGER PRIMARY KEY);");
        backend.open(b -> b.migrations(location())).close();
        appMigration(
                "V1__people.sql",
                "CREATE TABLE people (id INTEGER PRIMARY KEY, extra TEXT);",
                "CREATE TABLE people (id INTEGER PRIMARY KEY, extra TEXT);");
        assertThatThrownBy(() -> backend.open(b -> b.migrations(location())))
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("Migration V1__people.sql (")
                .hasMessageContaining("was changed after it was applied to this database");
    }

    @BackendTest
    void withAutoMigrateOffABehindSchemaIsRefusedUntilMigrated(TestBackend backend) throws IOException {
        assertThatThrownBy(() -> backend.open(b -> b.autoMigrate(false)))
                .isInstanceOf(MigrationException.class)
                .hasMessage(
                        "The database schema is behind: 9 migration(s) pending (V1__catalog.sql, V2__record_store.sql, "
                                + "V3__index_form.sql, V4__case_folding.sql, V5__faster_case_folding.sql, V6__change_feed.sql, V7__field_operators.sql, "
                                + "V8__record_size.sql, V9__feed_sequencer.sql). Run "
                                + "`vellum migrate`, or set "
                                + "VELLUM_AUTO_MIGRATE=true to apply them on open.");
        backend.open().close();
        backend.open(b -> b.autoMigrate(false)).close();

        appMigration("V1__later.sql", "CREATE TABLE later (id INTEGER);", "CREATE TABLE later (id INTEGER);");
        assertThatThrownBy(() -> backend.open(b -> b.autoMigrate(false).migrations(location())))
                .hasMessageContaining("1 migration(s) pending (V1__later.sql)");
    }

    @BackendTest
    void failingMigrationIsReportedAndLeavesNoHalfAppliedVersion(TestBackend backend) throws IOException {
        appMigration(
                "V1__broken.sql",
                "CREATE TABLE ok_table (id INTEGER);\nCREATE TABLE (;",
                "CREATE TABLE ok_table (id INTEGER);\nCREATE TABLE (;");
        assertThatThrownBy(() -> backend.open(b -> b.migrations(location())))
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("Migration failed: ")
                .hasMessageContaining("V1__broken.sql");
    }

    @BackendTest("postgres")
    void createIndexConcurrentlyInAMigrationDoesNotHang(TestBackend backend) throws IOException {
        appMigration("V1__table.sql", "", "CREATE TABLE events (id BIGSERIAL PRIMARY KEY, kind TEXT);");
        appMigration("V2__index.sql", "", "CREATE INDEX CONCURRENTLY events_kind ON events (kind);");
        Database db =
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> backend.open(b -> b.migrations(location())));
        assertThat(db.fetchOne("SELECT indexname FROM pg_indexes WHERE indexname = 'events_kind'"))
                .isPresent();
    }

    /** Child process body for the cross-process test. */
    public static final class OpenAndMigrate {
        public static void main(String[] args) {
            try (Database db = Database.open(dev.vellum.VellumConfig.builder()
                    .isolated()
                    .url(args[0])
                    .migrations(args[1])
                    .build())) {
                System.out.println("schema " + db.health().schemaVersion());
            }
        }
    }
}
