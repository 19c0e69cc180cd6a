package dev.vellum.server;

import dev.vellum.Cancellation;
import dev.vellum.ConnectionException;
import dev.vellum.OperationCancelledException;
import dev.vellum.PoolExhaustedException;
import dev.vellum.RecordStore;
import dev.vellum.VellumException;
import io.javalin.http.Context;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the API runs store work: on the request's own thread, under a bounded number of permits, cancelled in the
 * database at the request timeout, and answered with the truth about what was written. Whether the work writes comes
 * from its {@link Operation}.
 */
final class Execution {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    /**
     * How long a timed-out request waits, once cancelled, to learn whether its work rolled back or committed: a
     * cancelled statement stops within milliseconds; only a commit in flight on a broken connection takes longer.
     */
    private static final long OUTCOME_WAIT_MILLIS = 10_000;
    /** How long a read past its deadline may take to say why it stopped. */
    private static final long READ_GRACE_MILLIS = 250;
    /** Cancels reads past their deadline off the request's thread. */
    private static final java.util.concurrent.Executor CANCELLER =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "vellum-cancel");
                t.setDaemon(true);
                return t;
            });

    /** Cancels work at its deadline; one thread for every request's alarm. */
    private static final ScheduledThreadPoolExecutor ALARMS = alarms();

    private static ScheduledThreadPoolExecutor alarms() {
        ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vellum-deadlines");
            t.setDaemon(true);
            return t;
        });
        alarms.setRemoveOnCancelPolicy(true); // most requests finish long before their alarm
        return alarms;
    }

    private final RecordStore store;
    /**
     * SQLite or memory: a cancel stops the work in-process (sqlite3_interrupt, interrupted lock waits). A server over
     * a network may answer nothing at all, not even a cancel request.
     */
    private final boolean embedded;

    private final ServerSettings limits;
    private final Metrics metrics;
    private final ExecutorService workers;
    /** Store work in progress; bounded so that a flood is answered 503 at once instead of queueing without end. */
    private final Semaphore permits;

    Execution(RecordStore store, ServerSettings limits, Metrics metrics, ExecutorService workers) {
        this.store = store;
        this.embedded =
                store.database().map(db -> db.backendName().equals("sqlite")).orElse(true);
        this.limits = limits;
        this.metrics = metrics;
        this.workers = workers;
        this.permits = new Semaphore(limits.maxConcurrent());
    }

    /**
     * Runs store work under a permit. A request that finds every permit taken waits its turn, up to the queue
     * timeout: a burst is served a little later instead of turned away while the work in progress finishes in
     * milliseconds; only load that stays beyond what the store can do is answered 503.
     */
    <T> T withPermit(Supplier<T> work) {
        if (!permits.tryAcquire() && !awaitPermit()) {
            throw new Problem(
                            503,
                            "saturated",
                            "Server busy",
                            "The server is doing as much store work at once as it takes "
                                    + "(VELLUM_HTTP_MAX_CONCURRENT), and this request waited "
                                    + limits.queueTimeout().toMillis()
                                    + " ms (VELLUM_HTTP_QUEUE_TIMEOUT) without its turn; retry shortly.")
                    .retryAfter(1);
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }

    private boolean awaitPermit() {
        long wait = limits.queueTimeout().toNanos();
        if (wait <= 0) {
            return false;
        }
        try {
            return permits.tryAcquire(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw stopping();
        }
    }

    /**
     * Runs one store operation, timed, within the request timeout. At the deadline the work is cancelled (its
     * statement in the database too), and the answer is what really happened: 503 when it rolled back or never
     * started, its own answer when it had already begun to commit. No error answer hides a write.
     */
    void bounded(Context ctx, Operation operation, Supplier<Reply> work) {
        String token = ctx.header(Api.CONSISTENCY);
        boolean write = operation.writes();
        Supplier<Reply> timed = () -> metrics.time(operation.metricName(), () -> {
            // reads see the write a client's token names (any replica within the lag bound without one); a write
            // answers the token that makes later reads, on any node, see it
            Reply reply = store.readAfter(token, work);
            return write && reply.status() < 300 ? reply.header(Api.CONSISTENCY, store.consistencyToken()) : reply;
        });
        long timeout = limits.requestTimeout().toMillis();
        Supplier<Problem> timedOut = () -> new Problem(
                        503,
                        "timeout",
                        "Request timed out",
                        "The request took longer "
                                + "than " + timeout
                                + " ms (VELLUM_HTTP_REQUEST_TIMEOUT) and was cancelled; nothing was written. If it "
                                + "reads much, narrow the filter, add an index, or page with a smaller limit; GET /ready shows whether "
                                + "the database is slow to answer.")
                .retryAfter(1);
        Reply reply;
        try {
            reply = withPermit(() -> timeout == 0 ? timed.get() : onThisThread(timed, timeout, write, timedOut));
        } catch (Problem | VellumException known) {
            throw Problem.isShortOfMemory(known) ? Problem.shortOfMemory(write) : known;
        } catch (OutOfMemoryError e) {
            throw Problem.shortOfMemory(write);
        } catch (RuntimeException | Error unexpected) {
            if (!write) {
                throw unexpected;
            }
            // whatever failed may have failed after the commit: the answer must not say nothing was written
            LOG.error(
                    "{} {} failed unexpectedly; its outcome is unknown (request id {})",
                    ctx.method().name(),
                    ctx.path(),
                    ctx.<String>attribute(VellumServer.REQUEST_ID_KEY),
                    unexpected);
            throw new Problem(
                            503,
                            "outcome-unknown",
                            "Outcome unknown",
                            "The write failed in an unexpected way, "
                                    + "perhaps after it committed. Read the record(s) to see whether it was applied before you "
                                    + "retry.")
                    .retryAfter(1);
        }
        reply.writeTo(ctx, write);
    }

    /**
     * Runs work on the calling thread, cancelled at the deadline by an alarm; no thread changes hands. The answer
     * is what really happened: its result when it finished (a write whose commit had begun included), a timeout
     * when it was stopped. A database server that answers nothing, not even the cancel, is abandoned a moment
     * later: the connections the work waits on are closed, so the request still ends near its deadline.
     */
    private <T> T onThisThread(Supplier<T> work, long millis, boolean write, Supplier<Problem> timedOut) {
        Cancellation cancellation = new Cancellation();
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        ScheduledFuture<?> alarm = ALARMS.schedule(
                () -> {
                    if (embedded) {
                        cancellation.cancel(); // in-process: returns at once
                        return;
                    }
                    // a cancel request to a server that does not answer would hold the alarm thread
                    CANCELLER.execute(cancellation::cancel);
                    ALARMS.schedule(
                            () -> {
                                abandoned.set(true);
                                cancellation.abandon();
                            },
                            write ? OUTCOME_WAIT_MILLIS : READ_GRACE_MILLIS,
                            TimeUnit.MILLISECONDS);
                },
                millis,
                TimeUnit.MILLISECONDS);
        try {
            return cancellation.run(work);
        } catch (OperationCancelledException e) {
            throw abandoned.get() ? timedOut.get() : whyCancelled(e, timedOut);
        } catch (ConnectionException e) {
            if (abandoned.get() && !write) {
                throw timedOut.get();
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    /**
     * Runs work on a worker for at most {@code millis}; past that cancels it and, when {@code awaitOutcome} (work
     * that may write), answers its true outcome; a read-only probe answers at once.
     */
    <T> T withDeadline(Supplier<T> work, long millis, boolean awaitOutcome, Supplier<Problem> timedOut) {
        Cancellation cancellation = new Cancellation();
        Future<T> future;
        try {
            future = workers.submit(() -> cancellation.run(work));
        } catch (RejectedExecutionException e) {
            throw stopping();
        }
        try {
            try {
                return future.get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!awaitOutcome) {
                    // a read answers now: cancelling it may wait on a server that does not answer (a hung replica)
                    CANCELLER.execute(cancellation::cancel);
                    try {
                        // a read stopped while it waited for a connection says why in a moment
                        return future.get(READ_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stillRunning) {
                        throw timedOut.get();
                    }
                }
                cancellation.cancel();
                try {
                    return future.get(OUTCOME_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    throw new Problem(
                                    503,
                                    "outcome-unknown",
                                    "Outcome unknown",
                                    "The request timed out while its "
                                            + "write was committing, and the database has not said whether it succeeded. Read the "
                                            + "record(s) to see whether it was applied before you retry.")
                            .retryAfter(1);
                }
            }
        } catch (InterruptedException e) {
            cancellation.cancel();
            Thread.currentThread().interrupt();
            throw stopping();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OperationCancelledException cancelled) {
                throw whyCancelled(cancelled, timedOut);
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Cut short while waiting for a connection: the database is unreachable, or the pool is busy; else a timeout. */
    private static RuntimeException whyCancelled(OperationCancelledException cancelled, Supplier<Problem> timedOut) {
        if (cancelled.getCause() instanceof ConnectionException
                || cancelled.getCause() instanceof PoolExhaustedException) {
            return (RuntimeException) cancelled.getCause();
        }
        return timedOut.get();
    }

    private static Problem stopping() {
        return new Problem(503, "unavailable", "Server stopping", "The server is stopping; retry.").retryAfter(1);
    }
}
