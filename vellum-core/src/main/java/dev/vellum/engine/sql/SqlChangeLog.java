package dev.vellum.engine.sql;

import dev.vellum.Change;
import dev.vellum.Filter;
import dev.vellum.Record;
import dev.vellum.engine.ChangeLog;
import dev.vellum.engine.SharedReads;
import dev.vellum.internal.JdbcDatabase;
import dev.vellum.internal.JdbcDatabase.Access;
import dev.vellum.internal.Timestamps;
import dev.vellum.spi.ChangeSignal;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.RecordTable;
import dev.vellum.spi.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The change log of a SQL backend: {@code vellum_changes}, filled by the triggers of each collection with its feed
 * enabled (migration V6 and {@link dev.vellum.spi.FeedCapture#captureChanges}). Read on the primary, never on a
 * replica, so a token never runs ahead of what a later read shows.
 */
final class SqlChangeLog implements ChangeLog {
    private final SharedReads sharedReads = new SharedReads();
    private static final String COLUMNS =
            "seq, collection, op, id, version, fields, metadata, created_at, updated_at, at";
    /** How often one process looks for changes past the retention. */
    private static final long PURGE_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final SqlStore store;
    private final Duration retention;
    private final ChangeSignal signal;
    private final AtomicLong lastPurge = new AtomicLong(System.nanoTime() - PURGE_EVERY_NANOS);
    /** Numbers pending changes; null where triggers number them as they commit. */
    private final ChangeSequencer sequencer;

    SqlChangeLog(SqlStore store, Duration retention, ChangeSignal signal) {
        this.store = store;
        List<String> content = RecordTable.DOCUMENTS;
        String small = store.dialect.storedSmall(content);
        this.pageColumns = small == null
                ? COLUMNS + ", 0"
                : "seq, collection, op, id, version, CASE WHEN " + small
                        + " THEN fields END, CASE WHEN " + small + " THEN metadata END, created_at, updated_at, at, "
                        + store.dialect.storedSize(content);
        this.retention = retention;
        this.signal = signal;
        this.sequencer = store.dialect
                .feedCapture()
                .filter(capture -> capture.sequenceChanges() != null)
                .map(capture -> new ChangeSequencer(store.db, store.ddl, capture))
                .orElse(null);
    }

    /**
     * Numbers the changes committed so far, where triggers leave them pending (PostgreSQL): a token or a read then
     * covers every change committed before it.
     */
    private void sequence() {
        if (sequencer != null) {
            sequencer.run();
        }
    }

    /** A collection's feed was turned on in this process: its commits wake the sequencer at once. */
    void feedEnabled() {
        if (sequencer != null) {
            sequencer.feedsExist();
        }
    }

    void close() {
        if (sequencer != null) {
            sequencer.close();
        }
    }

    @Override
    public long head() {
        sequence();
        return store.db
                .fetchOne(
                        Access.READ,
                        "SELECT (SELECT COALESCE(MAX(seq), 0) FROM vellum_changes), (SELECT purged_through "
                                + "FROM vellum_feed_state)",
                        rs -> Math.max(rs.getLong(1), rs.getLong(2)))
                .orElse(0L);
    }

    @Override
    public long purgedThrough() {
        return store.db
                .fetchOne(Access.READ, "SELECT purged_through FROM vellum_feed_state", rs -> rs.getLong(1))
                .orElse(0L);
    }

    /**
     * One statement, so one snapshot: the highest number in the stretch and the newest overall, beside the matching
     * changes (the collection and filter tested in SQL, as a query tests them on a collection's table). A change large
     * as stored comes without its record, which is read afterwards, a few at a time (changes never change).
     */
    @Override
    public Batch read(
            long after, int limit, String collection, Filter filter, long window, long maxBytes, boolean oneAnyway) {
        sequence();
        long through = window >= Long.MAX_VALUE - after ? Long.MAX_VALUE : after + window;
        // literal limit: PostgreSQL plans for it rather than for a generic one
        Sql sql = Sql.concat(
                Sql.of(
                        "SELECT w.top, w.newest, c.* FROM (SELECT (SELECT MAX(seq) FROM vellum_changes WHERE seq > ? "
                                + "AND seq <= ?) AS top, (SELECT MAX(seq) FROM vellum_changes) AS newest) w LEFT "
                                + "JOIN (SELECT " + pageColumns + " FROM vellum_changes WHERE seq > ? AND seq <= ?",
                        after,
                        through,
                        after,
                        through),
                collection != null ? Sql.of(" AND collection = ?", collection) : "",
                filter != null ? Sql.concat(" AND (op = 'delete' OR ", store.filters.where(filter), ")") : "",
                " ORDER BY seq LIMIT " + limit + ") c ON 1 = 1 ORDER BY c.seq");
        dev.vellum.internal.JdbcDatabase db = store.db; // the primary, never a replica
        List<ChangeRow> rows = db.fetchAll(Access.READ, sql, this::changeRow);
        List<Change> taken = new ArrayList<>();
        Map<Long, ChangeRow> fetched = new HashMap<>();
        long position = after;
        long bytes = 0;
        boolean full = false;
        for (int i = 0; i < rows.size() && rows.get(i).seq() != 0; i++) {
            ChangeRow row = rows.get(i);
            if (row.change() == null) {
                if (!fetched.containsKey(row.seq())) {
                    fetched.putAll(readLarge(db, rows.subList(i, rows.size())));
                }
                row = fetched.remove(row.seq());
                if (row == null) {
                    full = true; // removed by retention meanwhile: the next read says so
                    break;
                }
            }
            if ((!taken.isEmpty() || !oneAnyway) && bytes + row.bytes() > maxBytes) {
                full = true;
                break;
            }
            taken.add(row.change());
            bytes += row.bytes();
            position = row.seq();
        }
        full |= taken.size() == limit;
        ChangeRow first = rows.get(0);
        if (!full && first.top() > position) {
            position = first.top();
        }
        return new Batch(taken, position, bytes, full, first.newest() <= through);
    }

    /** The columns of a change, fields and metadata NULL when large as stored, and their stored size last. */
    private final String pageColumns;

    /** A row of a read: the stretch's highest number and the newest, and a change (null: read it afterwards). */
    private record ChangeRow(long top, long newest, long seq, Change change, long bytes) {}

    private ChangeRow changeRow(ResultSet rs) throws SQLException {
        long seq = rs.getLong(3);
        if (seq == 0) {
            return new ChangeRow(rs.getLong(1), rs.getLong(2), 0, null, 0); // no change matched
        }
        Sized sized = change(rs, 3);
        return new ChangeRow(
                rs.getLong(1),
                rs.getLong(2),
                seq,
                sized == null ? null : sized.change(),
                sized == null ? rs.getLong(13) : sized.bytes());
    }

    /** A change and the bytes its record was read from; null for a change read without its record. */
    private record Sized(Change change, long bytes) {}

    /** The change whose columns ({@link #COLUMNS}) start at {@code first}. */
    private Sized change(ResultSet rs, int first) throws SQLException {
        Change.Op op = Change.Op.valueOf(rs.getString(first + 2).toUpperCase(java.util.Locale.ROOT));
        String id = rs.getString(first + 3);
        long version = rs.getLong(first + 4);
        Record record = null;
        long bytes = 0;
        if (op != Change.Op.DELETE) {
            RecordDialect.ReadObject fields = store.dialect.readSizedObject(rs, first + 5);
            if (fields == null) {
                return null;
            }
            RecordDialect.ReadObject metadata = store.dialect.readSizedObject(rs, first + 6);
            record = new Record(
                    id,
                    fields.value(),
                    metadata.value(),
                    version,
                    store.dialect.readInstant(rs, first + 7),
                    store.dialect.readInstant(rs, first + 8));
            bytes = (long) fields.bytes() + metadata.bytes();
        }
        return new Sized(
                new Change(
                        Long.toString(rs.getLong(first)),
                        op,
                        rs.getString(first + 1),
                        id,
                        version,
                        store.dialect.readInstant(rs, first + 9),
                        record),
                bytes);
    }

    private static final long LARGE_READ_STORED_BYTES = 256 * 1024;
    private static final int LARGE_READ_ROWS = 64;

    /** The first changes of {@code rows} read without their records, as many as one bounded read takes. */
    private Map<Long, ChangeRow> readLarge(dev.vellum.internal.JdbcDatabase db, List<ChangeRow> rows) {
        List<Object> seqs = new ArrayList<>();
        long stored = 0;
        for (ChangeRow row : rows) {
            if (row.change() != null || row.seq() == 0) {
                continue;
            }
            if (!seqs.isEmpty() && (seqs.size() == LARGE_READ_ROWS || stored + row.bytes() > LARGE_READ_STORED_BYTES)) {
                break;
            }
            seqs.add(row.seq());
            stored += row.bytes();
        }
        Map<Long, ChangeRow> read = new HashMap<>();
        String marks = String.join(", ", java.util.Collections.nCopies(seqs.size(), "?"));
        for (Sized sized : db.fetchAll(
                Access.READ,
                "SELECT " + COLUMNS + " FROM vellum_changes WHERE seq IN (" + marks + ")",
                rs -> change(rs, 1),
                seqs.toArray())) {
            long seq = Long.parseLong(sized.change().token());
            read.put(seq, new ChangeRow(0, 0, seq, sized.change(), sized.bytes()));
        }
        return read;
    }

    @Override
    public long maxAnswerBytes() {
        return store.limits.answerBytes();
    }

    @Override
    public boolean enabled(String collection) {
        return store.db
                .fetchOne(Access.READ, "SELECT collection FROM vellum_feeds WHERE collection = ?", collection)
                .isPresent();
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
        JdbcDatabase db = store.db;
        long keepFrom = db.fetchOne(
                        Access.READ,
                        "SELECT seq FROM vellum_changes WHERE at >= ? ORDER BY seq LIMIT 1",
                        rs -> rs.getLong(1),
                        cutoff)
                .orElse(Long.MAX_VALUE);
        return db.inTransaction(tx -> {
            // bounded by the cutoff too: a change committed since the first query is new, never removed
            long newest = db.fetchOne(Access.READ, "SELECT MAX(seq) FROM vellum_changes", rs -> rs.getLong(1))
                    .orElse(0L);
            long through = db.fetchOne(
                            Access.READ,
                            "SELECT MAX(seq) FROM vellum_changes WHERE seq < ? AND seq < ? AND at < ?",
                            rs -> rs.getLong(1),
                            keepFrom,
                            newest,
                            cutoff)
                    .orElse(0L);
            if (through == 0) {
                return 0L;
            }
            long removed = db.execute(Access.WRITE, "DELETE FROM vellum_changes WHERE seq <= ?", through);
            db.execute(
                    Access.WRITE,
                    "UPDATE vellum_feed_state SET purged_through = ? WHERE purged_through < ?",
                    through,
                    through);
            return removed;
        });
    }

    @Override
    public SharedReads sharedReads() {
        return sharedReads;
    }

    @Override
    public ChangeSignal signal() {
        return signal;
    }
}
