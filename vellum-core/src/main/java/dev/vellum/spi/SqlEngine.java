package dev.vellum.spi;

import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.VellumConfig;
import java.sql.SQLException;
import java.util.ServiceLoader;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The JDBC engine a SQL backend opens its database with: connections, statements, transactions, the writer lock,
 * migrations (Vellum's for the dialect and the application's), and, through {@link BackendProvider#recordDialect},
 * the record store on top. Core provides it ({@code META-INF/services/dev.vellum.spi.SqlEngine}), as JDBC's driver
 * manager finds drivers; a backend's {@link BackendProvider#open} returns what {@link #open} gives.
 */
public interface SqlEngine {

    /** The engine core provides. */
    static SqlEngine get() {
        return ServiceLoader.load(SqlEngine.class, SqlEngine.class.getClassLoader())
                .findFirst()
                .orElseThrow(
                        () -> new IllegalStateException("vellum-core provides no SqlEngine: is it on the classpath?"));
    }

    /**
     * Wraps a started pool, then applies pending migrations (or, with auto-migrate off, checks none are pending);
     * closes the pool if that fails. A pool that is the configuration's {@link VellumConfig#dataSource()} is the
     * application's: Vellum uses it and leaves closing it to its owner.
     *
     * @param target            where the data lives, without credentials (for messages)
     * @param writeLock         held by every write and transaction, or null when the database handles concurrent
     *                          writers itself
     * @param migrationLock     keeps two processes from migrating at once
     * @param connectionFailure turns a failure to get a connection into a message that names the target
     */
    Database open(
            SqlDialect dialect,
            DataSource pool,
            VellumConfig config,
            String target,
            Lock writeLock,
            MigrationLock migrationLock,
            Function<SQLException, ConnectionException> connectionFailure);
}
