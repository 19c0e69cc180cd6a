package dev.vellum.postgres;

import dev.vellum.MigrationException;
import dev.vellum.spi.MigrationLock;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/**
 * Holds a PostgreSQL advisory lock for the whole of a migration run. Flyway locks each run itself, but it decides
 * whether to baseline before taking its lock, so two processes opening a fresh database at once could both try;
 * this lock makes the second wait and then find nothing to do. It uses its own connection, outside the pool, so a
 * pool of one still has a connection left for Flyway.
 */
final class AdvisoryMigrationLock implements MigrationLock {
    /** "vellum" in ASCII: any constant works, as long as every Vellum process uses the same one. */
    private static final long KEY = 0x76656c6c756dL;

    private final Supplier<Connection> connect;

    AdvisoryMigrationLock(Supplier<Connection> connect) {
        this.connect = connect;
    }

    @Override
    public <T> T around(Supplier<T> work) {
        try (Connection connection = connect.get();
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + KEY + ")");
            try {
                return work.get();
            } finally {
                statement.execute("SELECT pg_advisory_unlock(" + KEY + ")");
            }
        } catch (SQLException e) {
            throw new MigrationException("Cannot take the migration lock: " + e.getMessage(), e);
        }
    }
}
