package dev.vellum.spring;

import dev.vellum.spi.TransactionJoin;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Vellum's work joins the Spring transaction running on the thread over its data source: the one a
 * {@code DataSourceTransactionManager} (or {@code JdbcTransactionManager}, or a {@code JpaTransactionManager} that
 * exposes its JDBC connection) began, found as JdbcTemplate finds it. A transaction over another data source, or a
 * synchronization scope without a transaction ({@code SUPPORTS}), is not joined: Vellum then runs as it would alone.
 */
final class SpringTransactionJoin implements TransactionJoin {

    @Override
    public Connection joinedConnection(DataSource dataSource) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder)) {
            return null;
        }
        return DataSourceUtils.getConnection(dataSource);
    }

    @Override
    public void release(Connection connection, DataSource dataSource) {
        DataSourceUtils.releaseConnection(connection, dataSource);
    }

    @Override
    public void afterCommit(Runnable action) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }
}
