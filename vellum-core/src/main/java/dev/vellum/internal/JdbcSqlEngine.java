package dev.vellum.internal;

import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.VellumConfig;
import dev.vellum.spi.MigrationLock;
import dev.vellum.spi.SqlDialect;
import dev.vellum.spi.SqlEngine;
import java.sql.SQLException;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import javax.sql.DataSource;

/** Core's {@link SqlEngine}: a {@link JdbcDatabase}. */
public final class JdbcSqlEngine implements SqlEngine {
    @Override
    public Database open(
            SqlDialect dialect,
            DataSource pool,
            VellumConfig config,
            String target,
            Lock writeLock,
            MigrationLock migrationLock,
            Function<SQLException, ConnectionException> connectionFailure) {
        return JdbcDatabase.open(dialect, pool, config, target, writeLock, migrationLock, connectionFailure);
    }
}
