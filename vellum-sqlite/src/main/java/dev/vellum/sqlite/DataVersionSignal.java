package dev.vellum.sqlite;

import dev.vellum.spi.ChangeNotices;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Wakes change-feed readers when any connection, in this process or another, commits to the file: SQLite's
 * {@code PRAGMA data_version} on a connection of its own changes then. In WAL mode the pragma reads the WAL index in
 * shared memory, not the disk, so checking it every few milliseconds costs microseconds; the checks run only while
 * a reader waits.
 */
final class DataVersionSignal extends ChangeNotices {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DataVersionSignal.class);
    private static final long CHECK_EVERY_MILLIS = 5;
    /** With no reader waiting this long, the watcher stops (the next wait starts it again). */
    private static final long IDLE_NANOS = Duration.ofSeconds(10).toNanos();

    private final Path file;
    private volatile Thread watcher;
    private volatile long lastUse;
    private volatile boolean closed;

    DataVersionSignal(Path file) {
        super(Duration.ofSeconds(1));
        this.file = file;
    }

    /** Called by every reader at every wake-up: the lock only when the watcher must be started. */
    @Override
    protected void start() {
        lastUse = System.nanoTime();
        Thread running = watcher;
        if (running != null && running.isAlive() || closed) {
            return;
        }
        startWatcher();
    }

    private synchronized void startWatcher() {
        if ((watcher == null || !watcher.isAlive()) && !closed) {
            watcher = new Thread(this::watch, "vellum-sqlite-changes");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    private synchronized boolean idle() {
        return closed || System.nanoTime() - lastUse > IDLE_NANOS;
    }

    private void watch() {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            long seen = version(statement);
            changed(); // anything committed before the first check is for the readers to find
            while (!idle()) {
                Thread.sleep(CHECK_EVERY_MILLIS);
                long now = version(statement);
                if (now != seen) {
                    seen = now;
                    changed();
                }
            }
        } catch (SQLException e) {
            if (closed) {
                return; // the store closed while the watcher checked
            }
            LOG.warn(
                    "Watching {} for new changes failed ({}); waiting change-feed readers poll each second instead",
                    file,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long version(Statement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery("PRAGMA data_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits briefly for the watcher to close its connection, so the file can be removed right after. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = watcher;
        }
        if (t != null) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
