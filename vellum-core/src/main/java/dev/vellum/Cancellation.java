package dev.vellum;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Lets one thread stop store work that another thread runs, so that giving up on an answer never leaves the work
 * to commit later. {@link #cancel()} cancels the statement in the database ({@code Statement.cancel}: a PostgreSQL
 * cancel request, {@code sqlite3_interrupt} on SQLite), interrupts waits for a connection or the writer lock, and
 * makes a transaction that has not reached its commit roll back. A commit that has begun is not interrupted: the
 * work then ends as it ends, so whoever cancelled can wait for its outcome and still tell the truth. While work runs
 * under a cancellation, each row-changing statement outside a transaction runs in one of its own, so that its commit
 * can be refused too; a statement that cannot run in a transaction (DDL, upkeep such as {@code VACUUM}) is stopped
 * if it is running, but stays done if it completed.
 *
 * <pre>{@code
 * Cancellation c = new Cancellation();
 * Future<Record> f = executor.submit(() -> c.run(() -> users.insert(fields)));
 * try { return f.get(3, SECONDS); }
 * catch (TimeoutException e) { c.cancel(); return f.get(); } // the real outcome: the record, or an exception
 * }</pre>
 */
public final class Cancellation {
    private static final ThreadLocal<Cancellation> CURRENT = new ThreadLocal<>();

    /** COMMITTED: a commit of this work succeeded, so from then on it can no longer be undone by cancelling. */
    private enum State {
        NEW,
        RUNNING,
        COMMITTING,
        COMMITTED,
        CANCELLED,
        DONE
    }

    private State state = State.NEW;
    private Thread thread;
    private final List<Runnable> cancellers = new ArrayList<>(1);
    private final List<Runnable> abandoners = new ArrayList<>(1);

    /**
     * Runs {@code work} on the calling thread, bound to this cancellation. Work cancelled before it starts never
     * runs.
     *
     * @throws OperationCancelledException when cancelled before or during the work (nothing was written)
     */
    public <T> T run(Supplier<T> work) {
        synchronized (this) {
            if (state == State.CANCELLED) {
                throw cancelled();
            }
            if (state != State.NEW) {
                throw new IllegalStateException("A Cancellation runs one piece of work once");
            }
            state = State.RUNNING;
            thread = Thread.currentThread();
        }
        Cancellation outer = CURRENT.get();
        CURRENT.set(this);
        try {
            T result = work.get();
            checkpoint();
            return result;
        } catch (RuntimeException e) {
            throw isCancelled() && !(e instanceof OperationCancelledException) ? withCause(e) : e;
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
            synchronized (this) {
                if (state != State.CANCELLED) {
                    state = State.DONE;
                }
                thread = null;
                cancellers.clear();
                abandoners.clear();
                // an interrupt meant for this work must not reach the next task of a pooled thread
                Thread.interrupted();
            }
        }
    }

    /**
     * Stops the work: nothing it has not committed will be. Returns false when there is nothing left to stop: the
     * work has finished, or its commit has begun (then its outcome, success or failure, is what it returns). A
     * single-record write that the database finished just as the cancel came stands too: what {@link #run} returns
     * or throws is always the outcome.
     */
    public boolean cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (state == State.DONE || state == State.COMMITTING || state == State.COMMITTED) {
                return false;
            }
            if (state == State.CANCELLED) {
                return true;
            }
            boolean running = state == State.RUNNING;
            state = State.CANCELLED;
            toRun = new ArrayList<>(cancellers);
            if (running && thread != null) {
                thread.interrupt();
            }
        }
        for (Runnable canceller : toRun) {
            try {
                canceller.run();
            } catch (RuntimeException ignored) {
                // cancelling is best effort: the commit check below still keeps the work from committing
            }
        }
        return true;
    }

    /**
     * Breaks off what the work still waits on after {@link #cancel()} did not stop it, such as a database server that
     * answers nothing (not even the cancel): the connections it waits on are closed, so that it ends at once with a
     * connection error. A write that was committing then has an unknown outcome, and says so. Does nothing once the
     * work has finished.
     */
    public void abandon() {
        List<Runnable> toRun;
        synchronized (this) {
            if (state == State.DONE || state == State.NEW) {
                return;
            }
            toRun = new ArrayList<>(abandoners);
        }
        for (Runnable abandoner : toRun) {
            try {
                abandoner.run();
            } catch (RuntimeException ignored) {
                // best effort, as cancelling is
            }
        }
    }

    public synchronized boolean isCancelled() {
        return state == State.CANCELLED;
    }

    // ---- hooks for backends ----

    /** True when the calling thread runs work that has been cancelled. */
    public static boolean currentIsCancelled() {
        Cancellation c = CURRENT.get();
        return c != null && c.isCancelled();
    }

    /** Throws {@link OperationCancelledException} when the calling thread's work has been cancelled. */
    public static void checkpoint() {
        if (currentIsCancelled()) {
            throw cancelled();
        }
    }

    /**
     * Registers how to stop what the calling thread is about to do (say, {@code statement::cancel}) until the
     * returned handle is closed. Runs it at once if the work is cancelled already.
     */
    public static Registration onCancel(Runnable canceller) {
        return onCancel(canceller, null);
    }

    /**
     * {@link #onCancel(Runnable)}, with how to break off the wait if the cancel does not stop it ({@link #abandon}),
     * say closing the connection.
     */
    public static Registration onCancel(Runnable canceller, Runnable abandoner) {
        Cancellation c = CURRENT.get();
        if (c == null) {
            return Registration.NONE;
        }
        synchronized (c) {
            if (c.state == State.RUNNING || c.state == State.COMMITTED) {
                c.cancellers.add(canceller);
                if (abandoner != null) {
                    c.abandoners.add(abandoner);
                }
                return () -> {
                    synchronized (c) {
                        c.cancellers.remove(canceller);
                        c.abandoners.remove(abandoner);
                    }
                };
            }
            if (c.state != State.CANCELLED) {
                return Registration.NONE;
            }
        }
        throw cancelled();
    }

    /**
     * Called by a backend right before it commits the outermost transaction: throws when the work was cancelled (the
     * transaction must roll back), and otherwise makes {@link #cancel()} leave the commit alone.
     */
    public static void beginCommit() {
        Cancellation c = CURRENT.get();
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (c.state == State.CANCELLED) {
                throw cancelled();
            }
            if (c.state == State.RUNNING) {
                c.state = State.COMMITTING;
            }
        }
    }

    /**
     * Called by a backend after a commit: once one succeeded, the work's outcome stands and {@link #cancel()} leaves
     * it alone; after a failed one the work may still be cancelled.
     */
    public static void endCommit(boolean committed) {
        Cancellation c = CURRENT.get();
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (c.state == State.COMMITTING) {
                c.state = committed ? State.COMMITTED : State.RUNNING;
            }
        }
    }

    /**
     * Called by a backend when a statement that was its own commit (autocommit) has returned, or lost its connection
     * while it ran: it may have committed although a cancel came meanwhile (the cancel reaches the server after the
     * statement ended), so the work's outcome now stands — its result, or the error that says the outcome is
     * unknown — and is no longer reported as cancelled.
     */
    public static void outcomeStands() {
        Cancellation c = CURRENT.get();
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (c.state == State.RUNNING || c.state == State.CANCELLED) {
                c.state = State.COMMITTED;
            }
        }
    }

    /** True when the calling thread runs cancellable work: its writes then need an explicit commit to guard. */
    public static boolean isActive() {
        return CURRENT.get() != null;
    }

    private static OperationCancelledException cancelled() {
        return new OperationCancelledException(
                "The operation was cancelled before it committed; nothing was written", null);
    }

    private static OperationCancelledException withCause(RuntimeException e) {
        return new OperationCancelledException(
                "The operation was cancelled before it committed; nothing was written", e);
    }

    /** A registered canceller; closing it unregisters. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        Registration NONE = () -> {};

        @Override
        void close();
    }
}
