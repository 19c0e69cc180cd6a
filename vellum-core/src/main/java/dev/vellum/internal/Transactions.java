package dev.vellum.internal;

import dev.vellum.Cancellation;
import dev.vellum.ConnectionException;
import dev.vellum.Database.TransactionWork;
import dev.vellum.OperationCancelledException;
import dev.vellum.StorageException;
import dev.vellum.spi.SqlDialect;
import dev.vellum.spi.TransactionJoin;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.concurrent.locks.Lock;
import javax.sql.DataSource;

/**
 * A {@link JdbcDatabase}'s transactions: the one the calling thread runs (its connection, whether it wrote),
 * savepoints for transactions inside it, a framework's transaction that Vellum's work joins, and the writer lock
 * that serializes writers where the database does not (SQLite). Commits that wrote are noted for read replicas.
 */
final class Transactions {
    private final JdbcDatabase db;
    private final SqlDialect dialect;
    private final DataSource pool;
    /** False for the application's data source: its connections are readied before use. */
    private final boolean ownsPool;
    /** A framework's transactions that Vellum's work joins, or null. */
    private final TransactionJoin join;
    /** Held by every write and transaction, or null when the database handles concurrent writers itself. */
    private final Lock writeLock;

    private final String target;
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

    Transactions(
            JdbcDatabase db,
            SqlDialect dialect,
            DataSource pool,
            boolean ownsPool,
            TransactionJoin join,
            Lock writeLock,
            String target) {
        this.db = db;
        this.dialect = dialect;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.join = join;
        this.writeLock = writeLock;
        this.target = target;
    }

    /** The calling thread's transaction, or null. */
    Transaction current() {
        return current.get();
    }

    /**
     * True when the calling thread is inside a transaction of this database, or inside a framework's transaction that
     * Vellum's work joins: what it writes may still roll back.
     */
    boolean isInTransaction() {
        return current.get() != null || joinsTransaction();
    }

    /** Gives a framework's connection back to it (the framework closes it). */
    void release(Connection joined) {
        join.release(joined, pool);
    }

    /** True when writers take the writer lock. */
    boolean serializesWriters() {
        return writeLock != null;
    }

    void unlockWriting() {
        writeLock.unlock();
    }

    /** A transaction, or (snapshot) a read-only one at REPEATABLE READ that does not take the writer lock. */
    <T, X extends Exception> T run(TransactionWork<T, X> work, boolean snapshot) throws X {
        Transaction tx = current.get();
        if (tx != null) {
            return inSavepoint(tx, work);
        }
        Connection joined = joinedConnection();
        if (joined != null) {
            return joining(joined, joinedDb -> run(work, snapshot));
        }
        boolean locked = writeLock != null && !snapshot;
        if (locked) {
            lockForWriting();
        }
        try {
            Connection connection = db.acquire();
            try {
                try {
                    if (snapshot) {
                        dialect.beginSnapshot(connection);
                    } else {
                        connection.setAutoCommit(false);
                    }
                } catch (SQLException e) {
                    throw db.failure(e, "BEGIN");
                }
                Transaction transaction = new Transaction(connection);
                current.set(transaction);
                T result;
                try {
                    result = work.run(db);
                } catch (Throwable t) {
                    JdbcDatabase.rollbackQuietly(connection, t);
                    throw t;
                }
                try {
                    // a cancelled work rolls back here; from here on, cancelling leaves the commit alone
                    Cancellation.beginCommit();
                } catch (OperationCancelledException e) {
                    JdbcDatabase.rollbackQuietly(connection, e);
                    throw e;
                }
                boolean committed = false;
                try {
                    connection.commit();
                    committed = true;
                    if (!snapshot && transaction.wrote) {
                        db.noteCommit();
                    }
                } catch (SQLException e) {
                    JdbcDatabase.rollbackQuietly(connection, e);
                    RuntimeException failed = db.failure(e, "COMMIT");
                    if (failed instanceof ConnectionException) {
                        // the commit may have reached the server before the connection broke
                        throw new dev.vellum.CommitOutcomeUnknownException(
                                "The " + dialect.name() + " connection was "
                                        + "lost during COMMIT: the transaction may or may not have been applied. Read what it "
                                        + "wrote before retrying it.",
                                e);
                    }
                    throw failed;
                } finally {
                    Cancellation.endCommit(committed);
                }
                return result;
            } finally {
                current.remove();
                try {
                    connection.setAutoCommit(true);
                    if (snapshot) {
                        dialect.endSnapshot(connection);
                    }
                } catch (SQLException ignored) {
                    // the pool discards a connection it cannot reset
                }
                JdbcDatabase.closeQuietly(connection);
            }
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }

    private <T, X extends Exception> T inSavepoint(Transaction tx, TransactionWork<T, X> work) throws X {
        Savepoint savepoint;
        try {
            savepoint = tx.connection.setSavepoint();
        } catch (SQLException e) {
            throw db.failure(e, "SAVEPOINT");
        }
        T result;
        try {
            result = work.run(db);
        } catch (Throwable t) {
            try {
                tx.connection.rollback(savepoint);
            } catch (SQLException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        try {
            tx.connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw db.failure(e, "RELEASE SAVEPOINT");
        }
        return result;
    }

    /** The connection of a framework's transaction on this thread over this database's data source, or null. */
    Connection joinedConnection() {
        if (join == null) {
            return null;
        }
        Connection connection;
        try {
            connection = join.joinedConnection(pool);
        } catch (SQLException e) {
            throw db.connectionFailure.apply(e);
        }
        if (connection != null && !ownsPool) {
            try {
                dialect.prepareForeignConnection(connection);
            } catch (SQLException e) {
                join.release(connection, pool);
                throw db.failure(e, "connection setup");
            }
        }
        return connection;
    }

    /** True while a framework's transaction over this database runs on this thread. */
    private boolean joinsTransaction() {
        Connection joined = joinedConnection();
        if (joined == null) {
            return false;
        }
        join.release(joined, pool);
        return true;
    }

    /**
     * Runs work inside a framework's transaction, as if it were a Vellum transaction that this work neither began nor
     * commits: nested Vellum transactions are savepoints in it, and its commit (the framework's) is noted for replicas.
     * No writer lock: the framework's connection began its transaction without it, and waiting for the lock while
     * holding the database's own could deadlock against a Vellum transaction that holds the lock.
     */
    <T, X extends Exception> T joining(Connection joined, TransactionWork<T, X> work) throws X {
        Transaction tx = new Transaction(joined);
        current.set(tx);
        try {
            return work.run(db);
        } finally {
            current.remove();
            if (tx.wrote && db.notesCommits()) {
                join.afterCommit(db::noteCommit);
            }
            join.release(joined, pool);
        }
    }

    /** Takes the writer lock; a cancelled work stops waiting for it. */
    void lockForWriting() {
        try {
            writeLock.lockInterruptibly();
        } catch (InterruptedException e) {
            if (Cancellation.currentIsCancelled()) {
                throw new OperationCancelledException(
                        "The operation was cancelled while waiting to write; nothing " + "was written", e);
            }
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while waiting for the writer lock of " + target, e);
        }
    }

    static final class Transaction {
        final Connection connection;
        /** Whether it ran a statement that may write: only then do replicas need to see its commit. */
        boolean wrote;

        Transaction(Connection connection) {
            this.connection = connection;
        }
    }
}
