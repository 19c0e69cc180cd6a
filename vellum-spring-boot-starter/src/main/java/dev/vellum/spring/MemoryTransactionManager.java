package dev.vellum.spring;

import dev.vellum.RecordStore;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.CallbackPreferringPlatformTransactionManager;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionCallback;

/**
 * {@code @Transactional} and {@code TransactionTemplate} for a store without a SQL database (the memory backend),
 * over {@link RecordStore#inTransaction}: the method runs in one store transaction, and every write it makes through
 * the store (on this thread) commits with it, or rolls back when it throws an exception its rules roll back for (or
 * marks the status rollback-only). {@code REQUIRED} joins the running transaction, and a joined method that fails (or
 * is marked rollback-only) dooms the whole transaction, whose commit then throws {@link UnexpectedRollbackException};
 * {@code NESTED} runs in a savepoint, so its failure undoes only its own writes; {@code SUPPORTS}, {@code MANDATORY}
 * and {@code NEVER} join, require or refuse a running transaction. {@code REQUIRES_NEW} and {@code NOT_SUPPORTED}
 * would need a second transaction beside the thread's one, which the memory store does not have: they are refused
 * inside a running transaction and run as {@code REQUIRED} (and without one) outside it. Store transactions are
 * callbacks, so the imperative {@code getTransaction}/{@code commit} calls are refused. SQL stores get
 * {@link VellumTransactionManager}, Spring's own, instead.
 */
final class MemoryTransactionManager implements CallbackPreferringPlatformTransactionManager {
    private final RecordStore store;
    /** The transaction this manager runs on this thread, if any. */
    private final ThreadLocal<Running> running = new ThreadLocal<>();

    MemoryTransactionManager(RecordStore store) {
        this.store = store;
    }

    /** One transaction of this manager; a joined method that fails marks it. */
    private static final class Running {
        boolean rollbackOnly;
    }

    @Override
    public <T> T execute(TransactionDefinition definition, TransactionCallback<T> callback)
            throws TransactionException {
        int propagation =
                definition == null ? TransactionDefinition.PROPAGATION_REQUIRED : definition.getPropagationBehavior();
        Running outer = running.get();
        switch (propagation) {
            case TransactionDefinition.PROPAGATION_REQUIRED,
                    TransactionDefinition.PROPAGATION_SUPPORTS,
                    TransactionDefinition.PROPAGATION_MANDATORY -> {
                if (outer != null) {
                    return join(outer, callback);
                }
                if (propagation == TransactionDefinition.PROPAGATION_MANDATORY) {
                    throw new IllegalTransactionStateException("No running transaction for a method marked with "
                            + "propagation MANDATORY: call it from a @Transactional one");
                }
                return propagation == TransactionDefinition.PROPAGATION_SUPPORTS
                        ? callback.doInTransaction(new SimpleTransactionStatus(false))
                        : begin(outer, callback);
            }
            case TransactionDefinition.PROPAGATION_NESTED -> {
                return begin(outer, callback); // inside the running transaction, store.inTransaction is a savepoint
            }
            case TransactionDefinition.PROPAGATION_NEVER -> {
                if (outer != null) {
                    throw new IllegalTransactionStateException(
                            "A method marked with propagation NEVER was called " + "inside a transaction");
                }
                return callback.doInTransaction(new SimpleTransactionStatus(false));
            }
            case TransactionDefinition.PROPAGATION_REQUIRES_NEW, TransactionDefinition.PROPAGATION_NOT_SUPPORTED -> {
                if (outer != null) {
                    throw new IllegalTransactionStateException("The memory store has one transaction a thread: "
                            + "REQUIRES_NEW and NOT_SUPPORTED cannot run inside a running transaction (a SQL store "
                            + "can); use REQUIRED or NESTED");
                }
                return propagation == TransactionDefinition.PROPAGATION_NOT_SUPPORTED
                        ? callback.doInTransaction(new SimpleTransactionStatus(false))
                        : begin(null, callback);
            }
            default -> throw new IllegalTransactionStateException("Unknown transaction propagation " + propagation);
        }
    }

    /** A joined method: its failure or rollback-only mark dooms the running transaction. */
    private static <T> T join(Running outer, TransactionCallback<T> callback) {
        SimpleTransactionStatus status = new SimpleTransactionStatus(false);
        try {
            T result = callback.doInTransaction(status);
            if (status.isRollbackOnly()) {
                outer.rollbackOnly = true;
            }
            return result;
        } catch (RuntimeException | Error e) {
            outer.rollbackOnly = true;
            throw e;
        }
    }

    /** A transaction of its own (a savepoint inside {@code outer}, the thread's running one, if any). */
    private <T> T begin(Running outer, TransactionCallback<T> callback) {
        Running mine = new Running();
        running.set(mine);
        try {
            return store.inTransaction(s -> {
                SimpleTransactionStatus status = new SimpleTransactionStatus(true);
                T result = callback.doInTransaction(status);
                if (mine.rollbackOnly) {
                    throw new UnexpectedRollbackException("Transaction rolled back because a method that joined it "
                            + "failed or marked it rollback-only");
                }
                if (status.isRollbackOnly()) {
                    throw new RollbackOnly(result);
                }
                return result;
            });
        } catch (RollbackOnly r) {
            @SuppressWarnings("unchecked")
            T result = (T) r.result;
            return result;
        } finally {
            if (outer == null) {
                running.remove();
            } else {
                running.set(outer);
            }
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
        return new IllegalTransactionStateException("Memory-store transactions run as callbacks: use @Transactional or "
                + "TransactionTemplate.execute, not getTransaction/commit/rollback");
    }
}
