package dev.vellum.spring;

import dev.vellum.RecordStore;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.CallbackPreferringPlatformTransactionManager;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionCallback;

/**
 * {@code @Transactional} and {@code TransactionTemplate} over {@link RecordStore#inTransaction}: the method runs in
 * one Vellum transaction, and every write it makes through the store (on this thread) commits with it, or rolls back
 * when it throws an exception its rules roll back for (or marks the status rollback-only). A transactional method
 * called inside another runs in a savepoint: its failure undoes its own writes, and the outer one decides about the
 * rest. Vellum transactions are callbacks, so the imperative {@code getTransaction}/{@code commit} calls are refused.
 */
public class VellumTransactionManager implements CallbackPreferringPlatformTransactionManager {
    private final RecordStore store;

    public VellumTransactionManager(RecordStore store) {
        this.store = store;
    }

    @Override
    public <T> T execute(TransactionDefinition definition, TransactionCallback<T> callback) throws TransactionException {
        int propagation = definition == null ? TransactionDefinition.PROPAGATION_REQUIRED
                : definition.getPropagationBehavior();
        if (propagation != TransactionDefinition.PROPAGATION_REQUIRED
                && propagation != TransactionDefinition.PROPAGATION_SUPPORTS
                && propagation != TransactionDefinition.PROPAGATION_NESTED
                && propagation != TransactionDefinition.PROPAGATION_MANDATORY) {
            throw new IllegalTransactionStateException("Vellum transactions support the propagations REQUIRED, "
                    + "SUPPORTS, MANDATORY and NESTED (a nested call is a savepoint), not " + propagation);
        }
        try {
            return store.inTransaction(s -> {
                SimpleTransactionStatus status = new SimpleTransactionStatus(true);
                T result = callback.doInTransaction(status);
                if (status.isRollbackOnly()) {
                    throw new RollbackOnly(result);
                }
                return result;
            });
        } catch (RollbackOnly r) {
            @SuppressWarnings("unchecked")
            T result = (T) r.result;
            return result;
        }
    }

    /** Ends the transaction with a rollback while the callback's result is still returned. */
    private static final class RollbackOnly extends RuntimeException {
        private final transient Object result;

        RollbackOnly(Object result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    @Override
    public TransactionStatus getTransaction(TransactionDefinition definition) {
        throw imperative();
    }

    @Override
    public void commit(TransactionStatus status) {
        throw imperative();
    }

    @Override
    public void rollback(TransactionStatus status) {
        throw imperative();
    }

    private static IllegalTransactionStateException imperative() {
        return new IllegalTransactionStateException("Vellum transactions run as callbacks: use @Transactional or "
                + "TransactionTemplate.execute, not getTransaction/commit/rollback");
    }
}
