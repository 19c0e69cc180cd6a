package dev.vellum.testkit;

import dev.vellum.postgres.PostgresTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL server tests run against: the one {@code VELLUM_TEST_POSTGRES_URL} names, or else a throwaway
 * server started once per JVM from the binaries Maven brings (no Docker, works as root) and stopped when the run ends.
 * Hands out fresh, uniquely named databases.
 */
public final class PostgresServer implements AutoCloseable {
    /** Names a server to run the tests against instead of a throwaway one (listed in META-INF/vellum/variables). */
    static final String URL_VARIABLE = "VELLUM_TEST_POSTGRES_URL";
    private static final Object LOCK = new Object();
    private static PostgresServer shared;

    private final PostgresTarget admin;
    private final EmbeddedPostgres embedded;
    private final String prefix = "vellum_t" + Long.toString(ProcessHandle.current().pid(), 36) + "_";
    private final AtomicInteger counter = new AtomicInteger();
    private boolean closed;

    private PostgresServer(PostgresTarget admin, EmbeddedPostgres embedded) {
        this.admin = admin;
        this.embedded = embedded;
    }

    /** The server for this JVM, started on first use. */
    public static PostgresServer shared() {
        synchronized (LOCK) {
            if (shared == null) {
                shared = start();
                PostgresServer server = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vellum-test-postgres-stop"));
            }
            return shared;
        }
    }

    private static PostgresServer start() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            url = System.getProperty("vellum.test.postgres.url", "");
        }
        if (!url.isBlank()) {
            return new PostgresServer(PostgresTarget.parse(url.trim(), URL_VARIABLE), null);
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
            PostgresTarget admin = PostgresTarget.parse("postgres://postgres@127.0.0.1:" + embedded.getPort()
                    + "/postgres", "embedded server");
            return new PostgresServer(admin, embedded);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start a throwaway PostgreSQL server for the tests: "
                    + e.getMessage() + ". Set " + URL_VARIABLE + " to use an existing server.", e);
        }
    }

    /** Creates an empty database owned by the test user; returns where it is. */
    public PostgresTarget createDatabase() {
        String name = prefix + counter.incrementAndGet();
        adminStatement("CREATE DATABASE " + name);
        return admin.withDatabase(name);
    }

    /** Drops a database made by {@link #createDatabase()}, closing any connections still open to it. */
    public void dropDatabase(PostgresTarget database) {
        adminStatement("DROP DATABASE IF EXISTS " + database.database() + " WITH (FORCE)");
    }

    /** Credentials and address of the maintenance database. */
    public PostgresTarget admin() {
        return admin;
    }

    private void adminStatement(String sql) {
        Properties props = new Properties();
        if (!admin.user().isEmpty()) {
            props.setProperty("user", admin.user());
        }
        if (admin.password() != null) {
            props.setProperty("password", admin.password());
        }
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), props); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Test server refused '" + sql + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            if (shared == this) {
                shared = null;
            }
            if (embedded != null && !closed) {
                closed = true;
                try {
                    embedded.close();
                } catch (IOException e) {
                    System.err.println("Could not stop the throwaway PostgreSQL server: " + e.getMessage());
                }
            }
        }
    }
}
