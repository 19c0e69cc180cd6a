package dev.vellum.engine.sql;

import dev.vellum.internal.JdbcDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers committed changes for a backend whose feed triggers leave them pending ({@link
 * dev.vellum.spi.FeedCapture#sequenceChanges}), so that writers never wait for each other. Readers run it before
 * they read (a read sees every change committed before it started); one thread per store runs it soon after each
 * commit this process makes, so readers elsewhere hear of the changes, and now and then for changes other programs
 * committed. Runs are serialized by the database (an advisory lock) and each is one short transaction of its own.
 */
final class ChangeSequencer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeSequencer.class);
    /** How often the thread looks for changes that no commit of this process told it of. */
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);
    /** After a failed run (the database down), the thread waits this long before the next. */
    private static final Duration AFTER_FAILURE = Duration.ofSeconds(1);

    private final JdbcDatabase db;
    private final String statement;
    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile boolean closed;
    /** True once this process knows of a collection with its feed on; until then commits do not wake the thread. */
    private volatile boolean feeds;

    private final Thread thread;

    ChangeSequencer(JdbcDatabase db, String statement) {
        this.db = db;
        this.statement = statement;
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
                    run();
                }
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
