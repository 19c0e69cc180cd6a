package dev.vellum.spring;

import dev.vellum.Database;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;

/**
 * Spring's own {@link DataSourceTransactionManager} over the data source of Vellum's database, so
 * {@code @Transactional} and {@code TransactionTemplate} run Vellum's work in one transaction with every propagation
 * Spring has ({@code REQUIRED}, {@code REQUIRES_NEW}, {@code NESTED} as a savepoint, {@code NOT_SUPPORTED}, …) and the
 * imperative API. Vellum's writes join it through {@link SpringTransactionJoin}.
 *
 * <p>SQLite lets one transaction write at a time, and Vellum's own SQLite transactions take that lock as they begin:
 * a new transaction ({@code REQUIRES_NEW}) while this thread's is suspended would wait for itself, so it is refused at
 * once with a message saying what works instead.
 */
public class VellumTransactionManager extends DataSourceTransactionManager {
    private final boolean oneWriter;
    /** How many of this manager's transactions this thread has suspended. */
    private final ThreadLocal<int[]> suspended = ThreadLocal.withInitial(() -> new int[1]);

    public VellumTransactionManager(Database database) {
        super(database.dataSource());
        this.oneWriter = database.backendName().equals("sqlite");
    }

    @Override
    protected Object doSuspend(Object transaction) {
        Object held = super.doSuspend(transaction);
        suspended.get()[0]++;
        return held;
    }

    @Override
    protected void doResume(Object transaction, Object suspendedResources) {
        suspended.get()[0]--;
        super.doResume(transaction, suspendedResources);
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {
        if (oneWriter && suspended.get()[0] > 0) {
            throw new IllegalTransactionStateException("SQLite lets one transaction write at a time, and the "
                    + "transaction this one would suspend holds that: a new transaction (REQUIRES_NEW) would wait for "
                    + "it forever. Use propagation NESTED (a savepoint, undone alone on failure), run the work after "
                    + "the transaction ends, or move to PostgreSQL");
        }
        super.doBegin(transaction, definition);
    }
}
