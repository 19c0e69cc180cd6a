package dev.vellum;

import dev.vellum.internal.Timestamps;
import dev.vellum.spi.ChangeSignal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The change log of a SQL backend: {@code vellum_changes}, filled by the triggers of each collection with its feed
 * enabled (migration V6 and {@link dev.vellum.spi.RecordDialect#captureChanges}). Read on the primary, never on a
 * replica, so a token never runs ahead of what a later read shows.
 */
final class SqlChanges implements ChangeLog {
    private static final String COLUMNS = "seq, collection, op, id, version, fields, metadata, created_at, updated_at, at";
    /** How often one process looks for changes past the retention. */
    private static final long PURGE_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final SqlStore store;
    private final Duration retention;
    private final ChangeSignal signal;
    private final AtomicLong lastPurge = new AtomicLong(System.nanoTime() - PURGE_EVERY_NANOS);

    SqlChanges(SqlStore store, Duration retention, ChangeSignal signal) {
        this.store = store;
        this.retention = retention;
        this.signal = signal;
    }

    @Override
    public long head() {
        return store.db.fetchOne("SELECT (SELECT COALESCE(MAX(seq), 0) FROM vellum_changes), (SELECT purged_through "
                + "FROM vellum_feed_state)", rs -> Math.max(rs.getLong(1), rs.getLong(2))).orElse(0L);
    }

    @Override
    public long purgedThrough() {
        return store.db.fetchOne("SELECT purged_through FROM vellum_feed_state", rs -> rs.getLong(1)).orElse(0L);
    }

    @Override
    public List<Change> read(long after, int limit) {
        // literal limit: PostgreSQL plans for it rather than for a generic one
        return store.db.fetchAll("SELECT " + COLUMNS + " FROM vellum_changes WHERE seq > ? ORDER BY seq LIMIT " + limit,
                this::change, after);
    }

    private Change change(ResultSet rs) throws SQLException {
        Change.Op op = Change.Op.valueOf(rs.getString(3).toUpperCase(java.util.Locale.ROOT));
        String id = rs.getString(4);
        long version = rs.getLong(5);
        Record record = op == Change.Op.DELETE ? null : new Record(id, store.dialect.readObject(rs, 6),
                store.dialect.readObject(rs, 7), version, store.dialect.readInstant(rs, 8),
                store.dialect.readInstant(rs, 9));
        return new Change(Long.toString(rs.getLong(1)), op, rs.getString(2), id, version,
                store.dialect.readInstant(rs, 10), record);
    }

    @Override
    public boolean enabled(String collection) {
        return store.db.fetchOne("SELECT collection FROM vellum_feeds WHERE collection = ?", collection).isPresent();
    }

    /**
     * Removes the oldest changes, up to the first one within the retention: a prefix, so the scan stops there (the
     * numbers follow commit order, and the times nearly so).
     */
    @Override
    public void purgeExpired() {
        long last = lastPurge.get();
        if (System.nanoTime() - last < PURGE_EVERY_NANOS || !lastPurge.compareAndSet(last, System.nanoTime())) {
            return;
        }
        purgeNow();
    }

    @Override
    public long purgeNow() {
        return purge(Timestamps.now().minus(retention));
    }

    /**
     * Removes the changes before the first one at or after {@code cutoff}, but never the newest (its token, now(),
     * stays good, and SQLite numbers the next change after it); returns how many.
     */
    long purge(Instant cutoff) {
        long keepFrom = store.db.fetchOne("SELECT seq FROM vellum_changes WHERE at >= ? ORDER BY seq LIMIT 1",
                rs -> rs.getLong(1), cutoff).orElse(Long.MAX_VALUE);
        return store.db.inTransaction(tx -> {
            // bounded by the cutoff too: a change committed since the first query is new, never removed
            long newest = tx.fetchOne("SELECT MAX(seq) FROM vellum_changes", rs -> rs.getLong(1)).orElse(0L);
            long through = tx.fetchOne("SELECT MAX(seq) FROM vellum_changes WHERE seq < ? AND seq < ? AND at < ?",
                    rs -> rs.getLong(1), keepFrom, newest, cutoff).orElse(0L);
            if (through == 0) {
                return 0L;
            }
            long removed = tx.execute("DELETE FROM vellum_changes WHERE seq <= ?", through);
            tx.execute("UPDATE vellum_feed_state SET purged_through = ? WHERE purged_through < ?", through, through);
            return removed;
        });
    }

    @Override
    public ChangeSignal signal() {
        return signal;
    }
}
