package dev.vellum.postgres;

import dev.vellum.spi.ChangeNotices;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.postgresql.PGConnection;

/**
 * Wakes change-feed readers through {@code LISTEN vellum_changes}: the capture trigger notifies at commit, in any
 * process. One connection outside the pool, opened when a reader first waits (behind a transaction-mode PgBouncer it
 * must reach the server directly: {@code VELLUM_MIGRATION_URL}). While it is down, readers poll each few seconds.
 */
final class ListenSignal extends ChangeNotices {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ListenSignal.class);
    private static final Duration RECONNECT = Duration.ofSeconds(1);

    private final Callable<Connection> connect;
    private final String describe;
    private volatile Thread listener;
    private volatile Connection connection;
    private volatile boolean closed;

    ListenSignal(Callable<Connection> connect, String describe) {
        super(Duration.ofSeconds(5));
        this.connect = connect;
        this.describe = describe;
    }

    /** Called by every reader at every wake-up: only the first takes the lock. */
    @Override
    protected void start() {
        if (listener != null || closed) {
            return;
        }
        synchronized (this) {
            if (listener == null && !closed) {
                Thread t = new Thread(this::listen, "vellum-postgres-changes");
                t.setDaemon(true);
                t.start();
                listener = t;
            }
        }
    }

    private void listen() {
        boolean warned = false;
        while (!closed) {
            try (Connection c = connect.call()) {
                connection = c;
                try (Statement statement = c.createStatement()) {
                    statement.execute("LISTEN vellum_changes");
                }
                warned = false;
                changed(); // a commit before LISTEN took effect is for the readers to find
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var notices =
                            pg.getNotifications((int) Duration.ofSeconds(10).toMillis());
                    if (notices != null && notices.length > 0) {
                        changed();
                    }
                }
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                if (!warned) {
                    LOG.warn(
                            "Listening for change-feed notices on {} failed ({}); waiting readers poll every 5s "
                                    + "until it reconnects",
                            describe,
                            e.getMessage());
                    warned = true;
                }
                changed();
                try {
                    Thread.sleep(RECONNECT.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing only to end the listener's wait
            }
        }
        Thread t;
        synchronized (this) {
            t = listener;
        }
        if (t != null) {
            t.interrupt();
        }
    }
}
