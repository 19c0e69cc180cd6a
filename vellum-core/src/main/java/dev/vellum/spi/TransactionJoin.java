package dev.vellum.spi;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Transactions that a framework runs over Vellum's data source, which Vellum's work joins: Spring's
 * {@code DataSourceTransactionManager} and {@code JpaTransactionManager}, for one (the Spring Boot starter's
 * implementation). While such a transaction runs on the calling thread, every statement Vellum runs there goes through
 * its connection and commits or rolls back with it; a Vellum transaction inside it is a savepoint, so a Vellum
 * operation that fails leaves nothing of itself behind. Without one, Vellum runs its own transactions as before.
 *
 * <p>Set with {@code VellumConfig.builder().joinTransactions(join)}.
 */
public interface TransactionJoin {

    /**
     * The connection of the transaction running on this thread over {@code dataSource}, or null when none runs (or
     * one runs over another data source). Each connection returned is handed back with {@link #release}.
     */
    Connection joinedConnection(DataSource dataSource) throws SQLException;

    /** Hands back a connection {@link #joinedConnection} returned; its transaction goes on. */
    void release(Connection connection, DataSource dataSource);

    /** Runs {@code action} once the joined transaction running on this thread has committed (never on rollback). */
    void afterCommit(Runnable action);
}
