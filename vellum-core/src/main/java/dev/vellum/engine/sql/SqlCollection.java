package dev.vellum.engine.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ConcurrencyException;
import dev.vellum.DuplicateRecordException;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.IndexInfo;
import dev.vellum.InvalidRecordException;
import dev.vellum.Json;
import dev.vellum.NewRecord;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordNotFoundException;
import dev.vellum.RecordTooLargeException;
import dev.vellum.Row;
import dev.vellum.StorageException;
import dev.vellum.engine.Aggregates;
import dev.vellum.engine.BaseCollection;
import dev.vellum.engine.ChangeLog;
import dev.vellum.engine.Indexes;
import dev.vellum.engine.Projection;
import dev.vellum.engine.Records;
import dev.vellum.internal.Cursors;
import dev.vellum.internal.FieldUpdates;
import dev.vellum.internal.JdbcDatabase;
import dev.vellum.internal.JdbcDatabase.Access;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.RecordSizes;
import dev.vellum.internal.Timestamps;
import dev.vellum.spi.FeedCapture;
import dev.vellum.spi.RecordTable;
import dev.vellum.spi.Sql;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** A collection on a SQL backend. Every filter, sort, count, limit and cursor runs in SQL. */
final class SqlCollection extends BaseCollection {
    private static final String COLUMNS = RecordTable.selectList();
    private static final int CHUNK = 500;
    /** Rows per multi-row upsert: 6 parameters each stays far below every driver's parameter limit. */
    private static final int UPSERT_ROWS = 200;

    private static final ObjectNode EMPTY = JsonValues.NODES.objectNode();

    private final SqlStore store;
    private final String name;
    private final String table;
    private final SqlTombstones tombstones;
    /** The SELECT, cursor and ORDER BY of this collection's queries. */
    private final SqlQueries queries;
    /** Indexes and the feed's triggers. */
    private final SqlSchemaChanges schema;

    SqlCollection(SqlStore store, String name) {
        this.store = store;
        this.name = name;
        this.table = store.q(SqlStore.recordsTable(name));
        this.tombstones = new SqlTombstones(store, name, table, store.q(SqlStore.tombstoneTable(name)));
        this.queries = new SqlQueries(store, table, this::where);
        this.schema = new SqlSchemaChanges(store, name, table, () -> stream(Query.all()), this::translate);
    }

    @Override
    public String name() {
        return name;
    }

    private JdbcDatabase db() {
        return store.db;
    }

    // ---- writes ----

    /**
     * Runs a write in a transaction (a savepoint inside the caller's) that also creates the tables if needed, so a
     * write that fails (a bad record halfway through a batch) leaves no new collection behind either.
     */
    private <T> T write(Supplier<T> work) {
        try {
            T result = db().inTransaction(tx -> {
                store.ensure(name);
                return work.get();
            });
            store.remember(name);
            return result;
        } catch (StorageException e) {
            throw translate(e);
        }
    }

    /**
     * A write of one statement (or of statements that are each safe on their own): no transaction of its own, but a
     * savepoint inside the caller's, so a failure does not abort the caller's transaction.
     */
    private <T> T single(Supplier<T> work) {
        store.ensure(name);
        try {
            return store.db.isInTransaction() ? db().inTransaction(tx -> work.get()) : work.get();
        } catch (StorageException e) {
            throw translate(e);
        }
    }

    private RuntimeException translate(StorageException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException x = s; x != null; x = x.getNextException()) {
                    RecordTooLargeException tooLarge = RecordSizes.fromDatabase(x.getMessage());
                    if (tooLarge != null) {
                        return tooLarge;
                    }
                    if (store.dialect.isIndexEntryTooLarge(x)) {
                        // from an index this process has not seen yet, so its size rule did not apply
                        return new InvalidRecordException("A value under an index of " + name + " is too large to "
                                + "index (at most " + Indexes.MAX_INDEXED_BYTES + " bytes per record); nothing was "
                                + "written");
                    }
                    String updateFailure = store.dialect.fieldUpdateFailure(x);
                    if (updateFailure != null) {
                        return new InvalidRecordException(updateFailure);
                    }
                    if (store.dialect.isUniqueViolation(x)) {
                        return new DuplicateRecordException(
                                name,
                                null,
                                "A record with this id (or these values of a " + "unique index) already exists in "
                                        + name + "; nothing was written");
                    }
                }
            }
        }
        return e;
    }

    @Override
    public Record insert(String id, Object fields, Object metadata) {
        String key = Records.id(id);
        ObjectNode f = Records.object(fields, "fields");
        ObjectNode m = Records.optionalObject(metadata, "metadata");
        Instant now = Timestamps.now();
        sizeCheck().check(RecordSizes.check(new Record(key, f, m, 1, now, now), store.limits.recordBytes()));
        try {
            return single(() -> {
                // an id made here was never used, so it has no tombstone to continue from
                Sql startsAt = id == null ? Sql.of("1") : tombstones.versionFor(key);
                Sql insert = Sql.concat(
                        "INSERT INTO " + table + " (" + COLUMNS + ") VALUES ",
                        row(key, f, m, startsAt, now),
                        " RETURNING version");
                long version =
                        db().fetchOne(Access.WRITE_ROW, insert).orElseThrow().getLong("version");
                if (version > 1) {
                    tombstones.forgetBelow(key, version);
                }
                return new Record(key, f, m, version, now, now);
            });
        } catch (DuplicateRecordException e) {
            throw new DuplicateRecordException(
                    name,
                    key,
                    "A record with id '" + key + "' already exists in " + name
                            + (e.getMessage().contains("unique index")
                                    ? " (or a unique index already has these values)"
                                    : ""));
        }
    }

    @Override
    public long insertMany(Iterable<NewRecord> batch) {
        return write(() -> {
            Instant now = Timestamps.now();
            // checked but not copied: the bulk loader writes each record out before reading the next
            // read before the bulk load starts: no other statement may run on its connection meanwhile
            Indexes.SizeCheck sizes = Indexes.SizeCheck.of(store.cachedIndexes(name));
            long changesBefore = lockFeedAndReadHead(); // -1: no feed
            long count = bulkInsert(
                    batch,
                    r -> sizes.check(RecordSizes.check(
                            new Record(
                                    Records.id(r.id()),
                                    Records.checkedView(r.fields(), "fields"),
                                    r.metadata() == null ? EMPTY : Records.checkedView(r.metadata(), "metadata"),
                                    1,
                                    now,
                                    now),
                            store.limits.recordBytes())));
            tombstones.reviveAfterLoad(changesBefore);
            return count;
        });
    }

    @Override
    public long load(Iterable<Record> batch) {
        return write(() -> {
            Indexes.SizeCheck sizes = Indexes.SizeCheck.of(store.cachedIndexes(name));
            return bulkInsert(
                    batch, r -> sizes.check(RecordSizes.check(Records.loaded(r), store.limits.recordBytes())));
        });
    }

    /** The bulk path over a lazy view of the batch: constant memory for any size. */
    private <T> long bulkInsert(Iterable<T> batch, java.util.function.Function<T, Record> toRecord) {
        Iterator<Record> records = java.util.stream.StreamSupport.stream(batch.spliterator(), false)
                .map(toRecord)
                .iterator();
        return store.db.onTransactionConnection(c -> store.dialect.bulkInsert(c, table, records));
    }

    /**
     * With the feed on, takes its commit-order lock before the bulk load (which would take it anyway) and reads the
     * newest change number: every change numbered above it until commit is this transaction's own. -1 without a feed.
     */
    private long lockFeedAndReadHead() {
        if (!SqlStore.feedEnabled(db(), name)) {
            return -1;
        }
        FeedCapture feed = store.feed();
        if (feed.sequenceChanges() != null) {
            return 0; // its own changes are told by its transaction, not by their numbers
        }
        String lock = feed.feedLock();
        if (lock != null) {
            db().fetchOne(Access.READ, lock);
        }
        return store.changes.head();
    }

    @Override
    public Record upsert(String id, Object fields) {
        if (id == null) {
            throw new InvalidRecordException("upsert needs an id");
        }
        NewRecord r = NewRecord.of(id, fields);
        return write(() -> upsertOne(prepare(r, sizeCheck(), store.limits.recordBytes()), Timestamps.now()));
    }

    private record Prepared(String id, ObjectNode fields, ObjectNode metadata) {}

    private static Prepared prepare(NewRecord r, Indexes.SizeCheck sizes, long maxRecordBytes) {
        Prepared p = new Prepared(
                Records.id(r.id()),
                Records.object(r.fields(), "fields"),
                Records.optionalObject(r.metadata(), "metadata"));
        sizes.check(RecordSizes.check(
                new Record(p.id(), p.fields(), p.metadata(), 1, Instant.EPOCH, Instant.EPOCH), maxRecordBytes));
        return p;
    }

    /**
     * The size rule of the collection's indexes (see Indexes), the same on every backend; none when the collection
     * does not exist yet.
     */
    private Indexes.SizeCheck sizeCheck() {
        return store.exists(name) ? Indexes.SizeCheck.of(store.cachedIndexes(name)) : Indexes.SizeCheck.NONE;
    }

    /** One new row's VALUES, its version continuing from its tombstone's. */
    private Sql upsertRow(String id, ObjectNode fields, ObjectNode metadata, Instant now) {
        return row(id, fields, metadata, tombstones.versionFor(id), now);
    }

    /** One new row's VALUES with the given version expression. */
    private static Sql row(String id, ObjectNode fields, ObjectNode metadata, Sql version, Instant now) {
        return Sql.concat(Sql.of("(?, ?, ?, ", id, json(fields), json(metadata)), version, Sql.of(", ?, ?)", now, now));
    }

    /** An upsert of the rows: new fields, metadata only when given, version + 1. */
    private Sql upsert(List<Prepared> rows, Instant now) {
        return Sql.concat(
                "INSERT INTO " + table + " (" + COLUMNS + ") VALUES ",
                Sql.join(
                        ", ",
                        rows.stream()
                                .map(r -> upsertRow(r.id(), r.fields(), r.metadata(), now))
                                .toList(),
                        Sql.TRUE),
                " ON CONFLICT (id) DO UPDATE SET fields = excluded.fields, metadata = CASE WHEN excluded.metadata = "
                        + store.dialect.emptyObject() + " THEN " + table + ".metadata ELSE excluded.metadata END, "
                        + "version = " + table + ".version + 1, updated_at = excluded.updated_at");
    }

    private Record upsertOne(Prepared r, Instant now) {
        Sql upsert = Sql.concat(upsert(List.of(r), now), " RETURNING " + COLUMNS);
        Record record = db().fetchOne(Access.WRITE, upsert, this::read).orElseThrow();
        tombstones.forget(List.of(r.id()));
        return record;
    }

    /**
     * Multi-row upserts of up to {@value #UPSERT_ROWS} records. A statement may not touch one row twice, so a chunk
     * ends where an id repeats: every occurrence stays a write of its own, in order (the last wins, the version
     * rises once per occurrence), as on the memory backend.
     */
    @Override
    public long upsertMany(Iterable<NewRecord> batch) {
        return write(() -> {
            Instant now = Timestamps.now();
            long n = 0;
            List<Prepared> chunk = new ArrayList<>();
            Set<String> ids = new java.util.HashSet<>();
            Indexes.SizeCheck sizes = sizeCheck();
            for (NewRecord r : batch) {
                Prepared p = prepare(r, sizes, store.limits.recordBytes());
                if (chunk.size() == UPSERT_ROWS || !ids.add(p.id())) {
                    flushUpserts(chunk, now);
                    ids.clear();
                    ids.add(p.id());
                }
                chunk.add(p);
                n++;
            }
            flushUpserts(chunk, now);
            return n;
        });
    }

    private void flushUpserts(List<Prepared> chunk, Instant now) {
        if (chunk.isEmpty()) {
            return;
        }
        Sql upsert = upsert(chunk, now);
        db().execute(Access.WRITE, upsert);
        tombstones.forget(chunk.stream().map(Prepared::id).toList());
        chunk.clear();
    }

    /**
     * A replace or a merge patch, in one UPDATE. A patch that merges an object into an indexed value, whose size is
     * only known once merged, has the record it produced checked before the write commits.
     */
    @Override
    protected Record change(String id, ObjectNode value, Long expectedVersion, boolean isPatch) {
        Indexes.SizeCheck sizes = sizeCheck();
        if (!isPatch) {
            RecordSizes.check(value, store.limits.recordBytes(), "fields", id);
        }
        RecordWrite change = insideWrite -> rewrite(
                insideWrite,
                id,
                expectedVersion,
                isPatch
                        ? guarded(store.dialect.mergePatch("fields", Sql.bind(json(value)), shallow(value)))
                        : Sql.bind(json(value)),
                isPatch ? null : value,
                () -> sizes.checkPatch(id, value));
        return checkedAfter(change, isPatch && sizes.mergesInto(value) ? sizes : Indexes.SizeCheck.NONE);
    }

    /**
     * Field operators run in the UPDATE, so concurrent updates of one record each apply to the last. Where they reach
     * an indexed value, whose new size is only known once they ran, the record is checked before the write commits.
     */
    @Override
    protected Record update(String id, FieldUpdates updates, Long expectedVersion) {
        Indexes.SizeCheck sizes = sizeCheck();
        RecordWrite update = insideWrite -> rewrite(
                insideWrite,
                id,
                expectedVersion,
                guarded(store.dialect.fieldUpdate("fields", updates.operations(), "id")),
                null,
                () -> {});
        return checkedAfter(update, sizes.touches(updates) ? sizes : Indexes.SizeCheck.NONE);
    }

    /**
     * The fields a patch or field operators compute, refused in the statement (before it commits) when they come out
     * larger than VELLUM_MAX_RECORD_SIZE: only the database sees the result before it is stored.
     */
    private Sql guarded(Sql fields) {
        return store.dialect.guardSize(fields, "id", store.limits.recordBytes());
    }

    /** A one-record write, run on its own or inside a transaction {@link #write} already opened for it. */
    private interface RecordWrite {
        Record run(boolean insideWrite);
    }

    /** The write, with the record it produced checked against {@code sizes} (if any) before it commits. */
    private Record checkedAfter(RecordWrite change, Indexes.SizeCheck sizes) {
        return sizes == Indexes.SizeCheck.NONE ? change.run(false) : write(() -> sizes.check(change.run(true)));
    }

    /**
     * One conditional UPDATE of the fields to {@code fields}: of N writers holding the same version, exactly one
     * matches.
     *
     * @param insideWrite the caller runs it inside {@link #write}, whose transaction (or savepoint) already keeps a
     *                    failure from the caller's transaction: no savepoint of its own, as {@link #single} would open
     * @param knownFields the new fields when the caller knows them (a replace), so only the rest is read back
     * @param check       runs once the record's collection is known to exist, before the write
     */
    private Record rewrite(
            boolean insideWrite, String id, Long expectedVersion, Sql fields, ObjectNode knownFields, Runnable check) {
        Records.id(id);
        if (!store.exists(name)) {
            throw missing(id, expectedVersion);
        }
        check.run();
        Supplier<Record> statement = () -> {
            Sql update = Sql.concat(
                    "UPDATE " + table + " SET fields = ",
                    fields,
                    Sql.of(", version = version + 1, updated_at = ? WHERE id = ?", Timestamps.now(), id),
                    expectedVersion != null ? Sql.of(" AND version = ?", expectedVersion) : "",
                    " RETURNING ");
            Object[] params = update.binds().toArray();
            Optional<Record> updated = knownFields == null
                    ? db().fetchOne(Access.WRITE_ROW, update.text() + COLUMNS, this::read, params)
                    : db().fetchOne(
                                    Access.WRITE_ROW,
                                    update.text() + "metadata, version, created_at, updated_at",
                                    rs -> new Record(
                                            id,
                                            knownFields,
                                            store.dialect.readObject(rs, 1),
                                            rs.getLong(2),
                                            store.dialect.readInstant(rs, 3),
                                            store.dialect.readInstant(rs, 4)),
                                    params);
            return updated.orElseThrow(() -> missing(id, expectedVersion));
        };
        return insideWrite ? statement.get() : single(statement);
    }

    /** Why a conditional write matched nothing: a version conflict, a deleted record, or no such record. */
    private RuntimeException missing(String id, Long expectedVersion) {
        if (!store.exists(name)) {
            return new RecordNotFoundException(name, id);
        }
        Optional<Row> current = db().fetchOne(Access.READ, "SELECT version FROM " + table + " WHERE id = ?", id);
        if (current.isPresent()) {
            return new ConcurrencyException(
                    name,
                    id,
                    expectedVersion == null ? 0 : expectedVersion,
                    current.get().getLong("version"));
        }
        if (expectedVersion != null && tombstones.has(id)) {
            return new ConcurrencyException(name, id, expectedVersion, 0);
        }
        return new RecordNotFoundException(name, id);
    }

    @Override
    protected boolean remove(String id, Long expectedVersion) {
        Records.id(id);
        if (!store.exists(name)) {
            return false;
        }
        return write(() -> {
            List<Object> params = new ArrayList<>(List.of(id));
            if (expectedVersion != null) {
                params.add(expectedVersion);
            }
            Optional<Row> deleted = db().fetchOne(
                            Access.WRITE,
                            "DELETE FROM " + table + " WHERE id = ?"
                                    + (expectedVersion != null ? " AND version = ?" : "") + " RETURNING version",
                            params.toArray());
            if (deleted.isPresent()) {
                tombstones.record(id, deleted.get().getLong("version"));
                return true;
            }
            if (expectedVersion == null) {
                return false;
            }
            RuntimeException why = missing(id, expectedVersion);
            if (why instanceof RecordNotFoundException) {
                return false;
            }
            throw why;
        });
    }

    @Override
    protected long mergeMany(Filter filter, ObjectNode patch) {
        Indexes.SizeCheck sizes = sizeCheck();
        sizes.checkPatch("(every match)", patch);
        return rewriteMany(
                filter,
                guarded(store.dialect.mergePatch("fields", Sql.bind(json(patch)), shallow(patch))),
                sizes.mergesInto(patch) ? sizes : Indexes.SizeCheck.NONE);
    }

    @Override
    protected long updateMany(Filter filter, FieldUpdates updates) {
        Indexes.SizeCheck sizes = sizeCheck();
        return rewriteMany(
                filter,
                guarded(store.dialect.fieldUpdate("fields", updates.operations(), "id")),
                sizes.touches(updates) ? sizes : Indexes.SizeCheck.NONE);
    }

    /**
     * One UPDATE of every matching record's fields to {@code fields}; with {@code sizes}, each record it wrote is
     * checked against them before the write commits.
     */
    private long rewriteMany(Filter filter, Sql fields, Indexes.SizeCheck sizes) {
        Sql where = where(filter);
        if (!store.exists(name)) {
            return 0;
        }
        Sql update = Sql.concat(
                "UPDATE " + table + " SET fields = ",
                fields,
                Sql.of(", version = version + 1, updated_at = ? WHERE ", Timestamps.now()),
                where);
        Object[] params = update.binds().toArray();
        if (sizes == Indexes.SizeCheck.NONE) {
            return single(() -> (long) db().execute(Access.WRITE, update.text(), params));
        }
        return write(() -> (long) db().fetchAll(
                        Access.WRITE,
                        update.text() + " RETURNING id, fields",
                        rs -> sizes.check(new Record(
                                        rs.getString(1),
                                        store.dialect.readObject(rs, 2),
                                        EMPTY,
                                        1,
                                        Instant.EPOCH,
                                        Instant.EPOCH))
                                != null,
                        params)
                .size());
    }

    @Override
    public long deleteMany(Filter filter) {
        Sql where = where(filter);
        if (!store.exists(name)) {
            return 0;
        }
        Sql together = tombstones.deleteMatching(where);
        if (together != null) {
            return single(() -> (long) db().execute(Access.WRITE, together));
        }
        Sql recorded = tombstones.recordMatching(where);
        Sql delete = Sql.concat("DELETE FROM " + table + " WHERE ", where);
        return write(() -> {
            db().execute(Access.WRITE, recorded);
            return (long) db().execute(Access.WRITE, delete);
        });
    }

    // ---- change feed ----

    @Override
    public boolean enableChanges() {
        return schema.enableChanges();
    }

    @Override
    public boolean disableChanges() {
        return schema.disableChanges();
    }

    @Override
    protected ChangeLog changeLog() {
        return store.changes;
    }

    // ---- reads ----

    @Override
    public Optional<Record> get(String id) {
        Records.id(id);
        if (!store.exists(name)) {
            return Optional.empty();
        }
        return store.db.read(db ->
                db.fetchOne(Access.READ, "SELECT " + COLUMNS + " FROM " + table + " WHERE id = ?", this::read, id));
    }

    @Override
    public List<Record> getMany(Iterable<String> ids) {
        Set<String> wanted = new LinkedHashSet<>();
        ids.forEach(id -> wanted.add(Records.id(id)));
        if (wanted.isEmpty() || !store.exists(name)) {
            return List.of();
        }
        Map<String, Record> found = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(wanted);
        for (int i = 0; i < all.size(); i += CHUNK) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + CHUNK));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            store.db
                    .read(db -> db.fetchAll(
                            Access.READ,
                            "SELECT " + COLUMNS + " FROM " + table + " WHERE id IN (" + marks + ")",
                            this::read,
                            chunk.toArray()))
                    .forEach(r -> found.put(r.id(), r));
        }
        List<Record> ordered = new ArrayList<>();
        for (String id : wanted) {
            Record r = found.get(id);
            if (r != null) {
                ordered.add(r);
            }
        }
        return ordered;
    }

    @Override
    public Page find(Query query) {
        if (query.limit() == 0 || !store.exists(name)) {
            if (query.cursor() != null) {
                Cursors.decode(query, queries.orderTerms(query).size());
            }
            return new Page(List.of(), null);
        }
        Sql select = queries.pagedSelect(query, store.pageColumns);
        String sql = select.text();
        Object[] params = select.binds().toArray();
        return store.db.read(db -> {
            List<PageRow> rows = db.fetchAll(Access.READ, sql, this::pageRow, params);
            if (rows.stream().allMatch(row -> row.record() != null)) {
                return page(query, rows, null);
            }
            // larger records are read after the page, so the page is read again with them in one snapshot (inside
            // the caller's transaction, in its snapshot if it has one)
            boolean own = !db.isInTransaction();
            return db.inTransaction(tx -> {
                String snapshot = store.dialect.snapshotStatement();
                if (snapshot != null && own) {
                    db.execute(Access.READ, snapshot);
                }
                return page(query, db.fetchAll(Access.READ, sql, this::pageRow, params), db);
            });
        });
    }

    /**
     * A row of a page read: its record, or only its id and version when it is large as stored (read afterwards, see
     * {@link dev.vellum.spi.RecordDialect#storedSmall}); and its size, as read or as stored.
     */
    private record PageRow(String id, long version, Record record, long bytes) {}

    private PageRow pageRow(java.sql.ResultSet rs) throws SQLException {
        String id = rs.getString(1);
        long version = rs.getLong(4);
        var fields = store.dialect.readSizedObject(rs, 2);
        if (fields == null) {
            return new PageRow(id, version, null, rs.getLong(7));
        }
        var metadata = store.dialect.readSizedObject(rs, 3);
        return new PageRow(
                id,
                version,
                new Record(
                        id,
                        fields.value(),
                        metadata.value(),
                        version,
                        store.dialect.readInstant(rs, 5),
                        store.dialect.readInstant(rs, 6)),
                (long) fields.bytes() + metadata.bytes());
    }

    /**
     * The page from its rows: records in order while their JSON text fits VELLUM_MAX_ANSWER_SIZE (always at least
     * one), the cursor after the last. Rows read without their record are read {@code later} from {@code db}, a few
     * at a time as the page reaches them, so a page of large records is never held whole.
     */
    private Page page(Query query, List<PageRow> rows, JdbcDatabase later) {
        long budget = store.limits.answerBytes();
        List<Record> records = new ArrayList<>();
        Map<String, PageRow> fetched = new java.util.HashMap<>();
        Record last = null;
        long used = 0;
        boolean endedEarly = false;
        int end = Math.min(rows.size(), query.limit());
        for (int i = 0; i < end; i++) {
            PageRow row = rows.get(i);
            if (row.record() == null) {
                if (!fetched.containsKey(row.id())) {
                    fetched.putAll(readLarge(rows.subList(i, end), later));
                }
                PageRow read = fetched.remove(row.id());
                if (read == null || read.version() != row.version()) {
                    // gone or rewritten since (only outside a snapshot): the next page reads it as it is now
                    endedEarly = last != null;
                    if (endedEarly) {
                        break;
                    }
                    continue;
                }
                row = read;
            }
            if (last != null && used + row.bytes() > budget) {
                endedEarly = true;
                break;
            }
            used += row.bytes();
            last = row.record();
            records.add(Projection.of(last, query));
        }
        String next = last != null && (endedEarly || rows.size() > query.limit())
                ? Cursors.encode(query, queries.cursorKey(last, query), last.id())
                : null;
        return new Page(records, next);
    }

    /** Stored bytes of larger rows read at once: a few, however much each holds as text. */
    private static final long LARGE_READ_STORED_BYTES = 256 * 1024;

    private static final int LARGE_READ_ROWS = 64;

    /** The records of the first larger rows of {@code rows}, as many as one bounded read takes, by id. */
    private Map<String, PageRow> readLarge(List<PageRow> rows, JdbcDatabase db) {
        List<String> ids = new ArrayList<>();
        long stored = 0;
        for (PageRow row : rows) {
            if (row.record() != null) {
                continue;
            }
            if (!ids.isEmpty() && (ids.size() == LARGE_READ_ROWS || stored + row.bytes() > LARGE_READ_STORED_BYTES)) {
                break;
            }
            ids.add(row.id());
            stored += row.bytes();
        }
        String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
        Map<String, PageRow> read = new java.util.HashMap<>();
        for (PageRow row : db.fetchAll(
                Access.READ,
                "SELECT " + COLUMNS + ", 0 FROM " + table + " WHERE id IN (" + marks + ")",
                this::pageRow,
                ids.toArray())) {
            read.put(row.id(), row);
        }
        return read;
    }

    @Override
    public Stream<Record> stream(Query query) {
        if (!store.exists(name)) {
            return Stream.empty();
        }
        Sql select = queries.select(query.cursor(null), COLUMNS, false);
        return store.db.read(db -> db.stream(select, this::read)).map(r -> Projection.of(r, query));
    }

    @Override
    public String explain(Query query) {
        if (!store.exists(name)) {
            return "collection " + name + " does not exist yet";
        }
        Sql select = queries.pagedSelect(query, store.pageColumns);
        StringBuilder plan = new StringBuilder();
        for (Row row : store.db.read(db -> db.fetchAll(
                Access.READ,
                store.dialect.explain(select.text()),
                select.binds().toArray()))) {
            plan.append(row.get(row.size() - 1)).append('\n');
        }
        return plan.toString();
    }

    @Override
    protected dev.vellum.internal.SizeLimits limits() {
        return store.limits;
    }

    @Override
    public long count(Filter filter) {
        Sql where = where(filter);
        if (!store.exists(name)) {
            return 0;
        }
        Sql count = Sql.concat("SELECT COUNT(*) FROM " + table + " WHERE ", where);
        // a plain column read: a Row would read the result's metadata on every call
        return store.db
                .read(db -> db.fetchOne(Access.READ, count, rs -> rs.getLong(1)))
                .orElseThrow();
    }

    /** One {@code GROUP BY} statement, cheaper forms first and checked: see {@link SqlAggregation}. */
    @Override
    protected List<Group> aggregate(Aggregates.Request request) {
        return new SqlAggregation(store, name, table, this::where).run(request);
    }

    static String column(FieldPath p) {
        return RecordTable.documentOf(p);
    }

    /** The WHERE condition; checks that the collection exists first, so a missing one is not queried. */
    private Sql where(Filter filter) {
        return store.filters.where(filter, store.exists(name) && store.documentIndexed(name));
    }

    // ---- indexes ----

    @Override
    public void createIndex(String indexName, List<String> paths, boolean unique) {
        schema.createIndex(indexName, paths, unique);
    }

    @Override
    public boolean dropIndex(String indexName) {
        return schema.dropIndex(indexName);
    }

    @Override
    public void createDocumentIndex() {
        schema.createDocumentIndex();
    }

    @Override
    public boolean dropDocumentIndex() {
        return schema.dropDocumentIndex();
    }

    @Override
    public boolean hasDocumentIndex() {
        return schema.hasDocumentIndex();
    }

    @Override
    public List<IndexInfo> indexes() {
        return schema.indexes();
    }

    /** A patch that only sets top-level keys to non-object values: merging it is a plain key-wise overwrite. */
    private static boolean shallow(ObjectNode patch) {
        for (JsonNode v : patch) {
            if (v.isNull() || v.isObject()) {
                return false;
            }
        }
        return true;
    }

    // ---- rows ----

    private static Json json(JsonNode node) {
        return Json.of(JsonValues.write(node));
    }

    /** Reads a record straight from a row of {@link #COLUMNS}, without building a {@link Row}: the read hot path. */
    private Record read(java.sql.ResultSet rs) throws SQLException {
        return RecordTable.read(rs, store.dialect);
    }
}
