package dev.vellum.internal;

import dev.vellum.Cancellation;
import dev.vellum.spi.SqlDialect;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Stops one statement that another thread runs, for a {@link Cancellation}. The cancel goes through the dialect,
 * which need not hold the driver's lock on the connection while a server that does not answer keeps the cancel
 * request waiting; if the work is then abandoned, the connection is closed under it. Until a cancel in flight has
 * been delivered, the statement's thread does not let go of the connection, so that the cancel can never reach the
 * next statement on it.
 */
final class StatementStop implements Cancellation.Registration {
    private final Statement statement;
    private final SqlDialect dialect;
    private Cancellation.Registration registration = Cancellation.Registration.NONE;
    private boolean sending;
    private boolean done;
    private boolean abandoned;

    private StatementStop(Statement statement, SqlDialect dialect) {
        this.statement = statement;
        this.dialect = dialect;
    }

    /** Registers the statement with the calling thread's cancellation, if it runs under one. */
    static Cancellation.Registration register(Statement statement, SqlDialect dialect) {
        if (!Cancellation.isActive()) {
            return Cancellation.Registration.NONE;
        }
        StatementStop stop = new StatementStop(statement, dialect);
        stop.registration = Cancellation.onCancel(stop::cancel, stop::abandon);
        return stop;
    }

    private void cancel() {
        synchronized (this) {
            if (done) {
                return;
            }
            sending = true;
        }
        try {
            dialect.cancel(statement);
        } catch (SQLException | RuntimeException ignored) {
            // the statement has finished or the connection is gone: nothing left to stop
        } finally {
            synchronized (this) {
                sending = false;
                notifyAll();
            }
        }
    }

    private void abandon() {
        synchronized (this) {
            if (done) {
                return;
            }
            abandoned = true;
            notifyAll();
        }
        try {
            // the statement's thread stops waiting on the socket
            JdbcDatabase.abortQuietly(statement.getConnection());
        } catch (SQLException ignored) {
            // closed already
        }
    }

    @Override
    public void close() {
        registration.close();
        boolean interrupted = false;
        synchronized (this) {
            done = true;
            while (sending && !abandoned) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // a cancel interrupts this thread too: the connection must still wait
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
