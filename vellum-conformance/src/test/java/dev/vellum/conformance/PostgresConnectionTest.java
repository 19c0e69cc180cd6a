package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.ConfigurationException;
import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.StorageException;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.LocalPorts;
import dev.vellum.testkit.PostgresServer;
import dev.vellum.testkit.TestBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connection settings and connection errors on PostgreSQL. */
class PostgresConnectionTest {

    private static int closedPort() {
        return LocalPorts.free();
    }

    @Test
    void refusedConnectionNamesTargetAndSettingButNotThePassword() throws Exception {
        int port = closedPort();
        assertThatThrownBy(() -> Database.open(VellumConfig.builder()
                        .isolated()
                        .url("postgres://app:s3cr%40t@127.0.0.1:" + port + "/shop")
                        .build()))
                .isInstanceOf(ConnectionException.class)
                .hasMessage("Cannot connect to PostgreSQL at 127.0.0.1:" + port + "/shop as user 'app': "
                        + "Connection refused. Check VELLUM_POSTGRES_URL.")
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void databaseUrlFallbackIsNamedInTheError() throws Exception {
        int port = closedPort();
        assertThatThrownBy(() -> Database.open(VellumConfig.builder()
                        .environment(Map.of(
                                "VELLUM_DB_BACKEND",
                                "postgres",
                                "DATABASE_URL",
                                "postgres://app:pw@127.0.0.1:" + port + "/shop"))
                        .envFile(java.nio.file.Files.writeString(
                                java.nio.file.Files.createTempFile("empty", ".env"), ""))
                        .build()))
                .hasMessageEndingWith("Connection refused. Check DATABASE_URL.");
    }

    @BackendTest("postgres")
    void unknownDatabaseIsReportedPlainly(TestBackend backend) {
        String url = backend.postgres().withDatabase("no_such_db").toUrlWithCredentials();
        assertThatThrownBy(() ->
                        Database.open(VellumConfig.builder().isolated().url(url).build()))
                .isInstanceOf(ConnectionException.class)
                .hasMessageContaining("as user '" + backend.postgres().user() + "': no such database: ")
                .hasMessageContaining("no_such_db");
    }

    @BackendTest("postgres")
    void everyConnectionCarriesTheLockAndStatementTimeouts(TestBackend backend) {
        Database db = backend.open(
                b -> b.set("VELLUM_POSTGRES_LOCK_TIMEOUT", "7s").set("VELLUM_POSTGRES_STATEMENT_TIMEOUT", "300ms"));
        assertThat(db.fetchOne("SHOW lock_timeout").orElseThrow().get(0)).isEqualTo("7s");
        assertThat(db.fetchOne("SHOW statement_timeout").orElseThrow().get(0)).isEqualTo("300ms");
        assertThatThrownBy(() -> db.fetchAll("SELECT pg_sleep(2)"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("statement timeout");
    }

    @BackendTest("postgres")
    void lockTimeoutTurnsAHangIntoAnError(TestBackend backend) throws Exception {
        Database db = backend.open(b -> b.set("VELLUM_POSTGRES_LOCK_TIMEOUT", "500ms"));
        db.execute("CREATE TABLE locked (id INTEGER PRIMARY KEY)");
        db.execute("INSERT INTO locked VALUES (1)");
        Thread holder = new Thread(() -> db.useTransaction(tx -> {
            tx.execute("UPDATE locked SET id = 1 WHERE id = 1");
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        holder.start();
        Thread.sleep(300);
        long start = System.nanoTime();
        assertThatThrownBy(() -> db.execute("UPDATE locked SET id = 1 WHERE id = 1"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("lock timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        holder.join();
    }

    @BackendTest("postgres")
    void pgbouncerModeUsesNoSessionStateAndNoServerSidePreparedStatements(TestBackend backend) {
        backend.open().close(); // migrations need a session: applied directly first
        Database db = backend.open(b -> b.pgbouncer(true));
        assertThat(db.fetchOne("SHOW lock_timeout").orElseThrow().get(0)).isEqualTo("0");
        for (int i = 0; i < 200; i++) {
            assertThat(db.fetchOne("SELECT ?::int AS n", i).orElseThrow().getInt("n"))
                    .isEqualTo(i);
        }
        assertThat(db.fetchOne("SELECT COUNT(*) AS n FROM pg_prepared_statements")
                        .orElseThrow()
                        .getLong("n"))
                .isZero();
    }

    @BackendTest("postgres")
    void poolBoundsComeFromConfiguration(TestBackend backend) {
        Database db = backend.open(b -> b.poolMin(1).poolMax(3));
        assertThat(db.health().pool().max()).isEqualTo(3);
    }

    /**
     * Every connection busy is not "the database cannot be reached" (issue 26: a pool taken by slow readers answered
     * "unavailable"): it is a PoolExhaustedException that says so.
     */
    @BackendTest("postgres")
    void aBusyPoolIsNotAnUnreachableDatabase(TestBackend backend) throws Exception {
        Database db = backend.open(b -> b.poolMin(0).poolMax(1).set("VELLUM_CONNECT_TIMEOUT", "500ms"));
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> db.useTransaction(tx -> {
            holding.countDown();
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        holder.start();
        holding.await();
        assertThatThrownBy(() -> db.fetchOne("SELECT 1"))
                .isInstanceOf(dev.vellum.PoolExhaustedException.class)
                .isNotInstanceOf(ConnectionException.class)
                .hasMessageContaining("No database connection became free in time")
                .hasMessageContaining("VELLUM_POSTGRES_POOL_MAX");
        holder.join();
        assertThat(db.fetchOne("SELECT 1 AS n").orElseThrow().getInt("n")).isEqualTo(1);
    }

    /**
     * The build's version matrix names the major it started ({@code -Dvellum.test.postgres.major}, or the one the
     * machine's binaries report): check it is the one that answers.
     */
    @BackendTest("postgres")
    void theServerIsTheVersionTheBuildAskedFor(TestBackend backend) {
        int expected = PostgresServer.shared().expectedMajor();
        int actual = PostgresServer.shared().majorVersion();
        assertThat(actual).isBetween(13, 18);
        if (expected != 0) {
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void aDatabaseThatCannotHoldUnicodeIsRefusedWithTheFix() throws Exception {
        PostgresServer server = PostgresServer.shared();
        PostgresTarget admin = server.admin();
        String name = "vellum_ascii_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
                    + "TEMPLATE template0");
        }
        PostgresTarget ascii = admin.withDatabase(name);
        try {
            assertThatThrownBy(() -> Vellum.open(VellumConfig.builder()
                                    .isolated()
                                    .url(ascii.toUrlWithCredentials())
                                    .build())
                            .close())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("The database's encoding is SQL_ASCII; the record store needs UTF8. Create the "
                            + "database with ENCODING 'UTF8' (for example CREATE DATABASE name ENCODING 'UTF8' "
                            + "TEMPLATE template0)");
        } finally {
            server.dropDatabase(ascii);
        }
    }
}
