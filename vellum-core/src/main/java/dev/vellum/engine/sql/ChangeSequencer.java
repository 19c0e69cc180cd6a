package dev.vellum.engine.sql;

import dev.vellum.internal.JdbcDatabase;
import dev.vellum.spi.FeedCapture;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers committed changes for a backend whose feed triggers leave them pending ({@link
 * FeedCapture#sequenceChanges}), so that writers never wait for each other. Readers run it before they read (a read
 * sees every change committed before it started); one thread per store runs it soon after each commit this process
 * makes, so that readers elsewhere hear of the changes, and now and then for changes other programs committed. Runs
 * are serialized by the database (an advisory lock) and each is one short transaction of its own.
 */
final class ChangeSequencer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeSequencer.class);
    /** How often the thread looks for changes that no commit of this process told it of. */
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);
    /** After a failed run (the database down), the thread waits this long before the next. */
    private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);
    /**
     * Under a stream of commits, how long the thread waits at most for the next commit before a run. Both
     * alternatives measured worse (docs/benchmarks.md, "The change feed"): running at once at 16 writers, and a
     * window held to its end for a lone writer.
     */
    private static final long NEXT_COMMIT_WAIT_NANOS = Duration.ofMillis(10).toNanos();

    /** Changes numbered since the last upkeep of the pending table that call for the next. */
    private static final long UPKEEP_AFTER_CHANGES = 10_000;
    /** The least time between two upkeeps. */
    private static final long UPKEEP_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private final JdbcDatabase db;
    /** Where the upkeep runs: it needs the table's owner. */
    private final JdbcDatabase owner;

    private final String statement;
    private final String upkeep;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final AtomicLong sinceUpkeep = new AtomicLong();
    private final AtomicBoolean upkeepRunning = new AtomicBoolean();
    private long lastUpkeep = System.nanoTime();
    /** How many changes the thread's last run numbered: more than one means commits come faster than runs. */
    private long lastNumbered;

    private volatile boolean closed;
    /** True once this process knows of a collection with its feed on; until then commits do not wake the thread. */
    private volatile boolean feeds;

    private final Thread thread;

    ChangeSequencer(JdbcDatabase db, JdbcDatabase owner, FeedCapture capture) {
        this.db = db;
        this.owner = owner;
        this.statement = capture.sequenceChanges();
        this.upkeep = capture.pendingUpkeep();
        this.thread = new Thread(this::loop, "vellum-feed-sequencer");
        thread.setDaemon(true);
        thread.start();
        db.afterCommits(this::committed);
    }

    /** Numbers every change committed so far; returns how many it numbered. */
    long run() {
        long numbered = db.onOwnConnection(connection -> {
            try (PreparedStatement query = connection.prepareStatement(statement);
                    ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        });
        if (numbered > 0) {
            feeds = true;
            if (sinceUpkeep.addAndGet(numbered) >= UPKEEP_AFTER_CHANGES) {
                LockSupport.unpark(thread);
            }
        }
        return numbered;
    }

    /** A feed is on: commits may have changes to number. */
    void feedsExist() {
        feeds = true;
    }

    private void committed() {
        if (feeds && !woken.getAndSet(true)) {
            LockSupport.unpark(thread);
        }
    }

    /** Looks at once (the feeds that exist), then after each wake-up or every {@link #LOOK_EVERY}. */
    private void loop() {
        boolean told = false;
        while (!closed) {
            try {
                if (!told) {
                    feeds = anyFeed();
                }
                if (feeds) {
                    if (told && lastNumbered > 1) {
                        // commits come faster than runs: wait for the next one (its wake-up ends the park) so the
                        // run numbers a few more together. A lone writer's commits are numbered one by one, at once.
                        LockSupport.parkNanos(this, NEXT_COMMIT_WAIT_NANOS);
                    }
                    lastNumbered = run();
                }
                upkeepIfDue();
            } catch (RuntimeException e) {
                LOG.debug("Numbering committed changes failed; trying again: {}", e.getMessage());
                LockSupport.parkNanos(this, AFTER_FAILURE.toNanos());
            }
            if (!woken.get() && !closed) {
                LockSupport.parkNanos(this, LOOK_EVERY.toNanos());
            }
            told = woken.getAndSet(false);
        }
    }

    /**
     * After many changes were numbered, reclaims the pending table's dead rows, which every run would otherwise read
     * through until autovacuum comes by. On a thread of its own, so that numbering never waits for it; concurrent
     * writers and runs go on meanwhile.
     */
    private void upkeepIfDue() {
        if (upkeep == null
                || sinceUpkeep.get() < UPKEEP_AFTER_CHANGES
                || System.nanoTime() - lastUpkeep < UPKEEP_EVERY_NANOS
                || !upkeepRunning.compareAndSet(false, true)) {
            return;
        }
        sinceUpkeep.set(0);
        lastUpkeep = System.nanoTime();
        Thread vacuum = new Thread(
                () -> {
                    try {
                        owner.onOwnConnection(connection -> {
                            try (Statement statement = connection.createStatement()) {
                                return statement.execute(upkeep);
                            }
                        });
                    } catch (RuntimeException e) {
                        LOG.debug("Upkeep of the pending changes failed: {}", e.getMessage());
                    } finally {
                        upkeepRunning.set(false);
                    }
                },
                "vellum-feed-upkeep");
        vacuum.setDaemon(true);
        vacuum.start();
    }

    private boolean anyFeed() {
        return db.onOwnConnection(connection -> {
            try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM vellum_feeds LIMIT 1");
                    ResultSet rs = query.executeQuery()) {
                return rs.next();
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
