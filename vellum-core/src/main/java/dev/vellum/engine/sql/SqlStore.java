package dev.vellum.engine.sql;

import dev.vellum.Changes;
import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.FieldPath;
import dev.vellum.IndexInfo;
import dev.vellum.Json;
import dev.vellum.RecordStore;
import dev.vellum.Row;
import dev.vellum.StorageException;
import dev.vellum.engine.ConsistencyTokens;
import dev.vellum.engine.Feed;
import dev.vellum.engine.Records;
import dev.vellum.internal.JdbcDatabase;
import dev.vellum.internal.JdbcDatabase.Access;
import dev.vellum.internal.SizeLimits;
import dev.vellum.spi.AggregateSql;
import dev.vellum.spi.FeedCapture;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.RecordTable;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The record store on a SQL backend: one table per collection, named in the {@code vellum_collections} catalog. */
public final class SqlStore implements RecordStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqlStore.class);

    final JdbcDatabase db;
    /**
     * Schema changes (tables, indexes, triggers, the catalog) go here: {@link Database#schemaOwner()}. Inside one of
     * its transactions ({@link #schemaChange}) its calls on this thread join that transaction.
     */
    final JdbcDatabase ddl;

    final RecordDialect dialect;
    final SqlFilter filters;
    /** Collections known to exist (created outside any transaction that could still roll back). */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /**
     * Where an aggregation's fast form was not exact the last time: "collection [group-by paths]" whose fast keys
     * were not, "collection path" whose fast sums were not. Those parts go straight to the exact form rather than
     * trying the fast one first (a speed hint only; results never depend on it).
     */
    final Set<String> inexactAggregates = ConcurrentHashMap.newKeySet();
    /** Whether each collection has a whole-document index; only ever a speed hint, never a change of results. */
    private final java.util.Map<String, Boolean> documentIndexed = new ConcurrentHashMap<>();
    /**
     * Each collection's indexes, for the check of indexed value sizes before a write. Another process's new index
     * is missed until this one restarts; the database's own limit (PostgreSQL) still refuses such a write.
     */
    private final java.util.Map<String, List<IndexInfo>> indexCache = new ConcurrentHashMap<>();

    final SqlChangeLog changes;

    /** VELLUM_MAX_RECORD_SIZE and VELLUM_MAX_ANSWER_SIZE. */
    final SizeLimits limits;

    /**
     * The columns a page reads: {@code id, fields, metadata, version, created_at, updated_at}, with fields and
     * metadata NULL for a row large as stored, and last the stored size of those two.
     */
    final String pageColumns;

    public SqlStore(
            JdbcDatabase db,
            RecordDialect dialect,
            java.time.Duration changeRetention,
            dev.vellum.spi.ChangeSignal changeSignal,
            SizeLimits limits) {
        this.limits = limits;
        List<String> content = RecordTable.DOCUMENTS;
        String small = dialect.storedSmall(content);
        this.pageColumns = small == null
                ? RecordTable.selectList() + ", 0"
                : "id, CASE WHEN " + small + " THEN fields END, CASE WHEN " + small + " THEN metadata END, version, "
                        + "created_at, updated_at, " + dialect.storedSize(content);
        this.db = db;
        this.ddl = db.schemaOwner();
        this.dialect = dialect;
        this.filters = new SqlFilter(dialect);
        this.changes = new SqlChangeLog(this, changeRetention, changeSignal);
    }

    /** Runs {@code work} in a transaction on the schema role's connections; {@link #ddl}'s calls inside join it. */
    <T> T schemaChange(Supplier<T> work) {
        return ddl.inTransaction(tx -> work.get());
    }

    /** Adds the triggers that record the collection's writes, in a {@link #schemaChange}. */
    void captureChanges(String collection) {
        schemaStatements(feed().captureChanges(recordsTable(collection), collection));
    }

    void stopCapturingChanges(String collection) {
        schemaStatements(feed().stopCapturingChanges(recordsTable(collection), collection));
    }

    private void schemaStatements(List<String> statements) {
        statements.forEach(sql -> ddl.execute(Access.SCHEMA, sql));
    }

    /** The backend's change capture; a backend without one cannot have a feed enabled. */
    FeedCapture feed() {
        return dialect.feedCapture()
                .orElseThrow(() -> new UnsupportedOperationException("this backend has no change feed"));
    }

    /** The backend's aggregations in SQL. */
    AggregateSql aggregates() {
        return dialect.aggregates()
                .orElseThrow(() -> new UnsupportedOperationException("this backend has no aggregations"));
    }

    /** Whether the collection's feed is on, as the schema role's transaction sees it. */
    boolean feedEnabled(String collection) {
        return feedEnabled(ddl, collection);
    }

    /** Whether the collection's feed is on, as {@code on} (the records' database, in a write's transaction) sees it. */
    static boolean feedEnabled(JdbcDatabase on, String collection) {
        return on.fetchOne(Access.READ, "SELECT collection FROM vellum_feeds WHERE collection = ?", collection)
                .isPresent();
    }

    /** The indexes {@code createIndex} makes, in a {@link #schemaChange}. */
    void createIndexes(String collection, IndexInfo index) {
        List<FieldPath> paths = index.paths().stream().map(FieldPath::parse).toList();
        schemaStatements(dialect.createIndex(
                q(recordsTable(collection)), q(indexIdentifier(collection, index.name())), paths, index.unique()));
    }

    void dropIndexes(String collection, String index) {
        schemaStatements(dialect.dropIndex(q(indexIdentifier(collection, index))));
    }

    /** An index definition from a row of the {@code vellum_indexes} catalog ({@code name, paths, is_unique}). */
    static IndexInfo indexInfo(Row row) {
        List<String> paths = new java.util.ArrayList<>();
        row.getJson("paths").forEach(p -> paths.add(p.textValue()));
        return new IndexInfo(row.getString("name"), paths, row.getBoolean("is_unique"));
    }

    /**
     * Rebuilds the indexes an older Vellum made in an older form of the backend's index DDL, so queries written
     * for the current form find them. Runs when a store opens with auto-migrate, as part of bringing the schema
     * up to date; each index in its own transaction.
     */
    public void upgradeIndexes() {
        int form = dialect.indexForm();
        for (Row stale : db.fetchAll(
                Access.READ, "SELECT collection, name, paths, is_unique FROM vellum_indexes WHERE form < ?", form)) {
            String collection = stale.getString("collection");
            IndexInfo index = indexInfo(stale);
            schemaChange(() -> {
                dropIndexes(collection, index.name());
                createIndexes(collection, index);
                return ddl.execute(
                        Access.WRITE,
                        "UPDATE vellum_indexes SET form = ? WHERE collection = ? AND name = ?",
                        form,
                        collection,
                        index.name());
            });
            LOG.info(
                    "Rebuilt index {} of collection {} in the current index form ({})", index.name(), collection, form);
        }
    }

    @Override
    public Collection collection(String name) {
        return new SqlCollection(this, Records.collectionName(name));
    }

    @Override
    public List<String> collections() {
        return db.fetchAll(Access.READ, "SELECT name FROM vellum_collections ORDER BY name").stream()
                .map(r -> r.getString("name"))
                .toList();
    }

    @Override
    public boolean dropCollection(String name) {
        Records.collectionName(name);
        boolean dropped = schemaChange(() -> {
            if (!exists(name)) {
                return false;
            }
            if (feedEnabled(name)) {
                // each record's deletion is a change; the feed stays on for the collection a later write re-creates
                ddl.execute(Access.WRITE, "DELETE FROM " + q(recordsTable(name)));
            }
            ddl.execute(Access.SCHEMA, "DROP TABLE IF EXISTS " + q(recordsTable(name)));
            ddl.execute(Access.SCHEMA, "DROP TABLE IF EXISTS " + q(tombstoneTable(name)));
            ddl.execute(Access.WRITE, "DELETE FROM vellum_indexes WHERE collection = ?", name);
            ddl.execute(Access.WRITE, "DELETE FROM vellum_collections WHERE name = ?", name);
            return true;
        });
        known.remove(name);
        documentIndexed.remove(name);
        indexCache.remove(name);
        return dropped;
    }

    @Override
    public <T, X extends Exception> T inTransaction(Work<T, X> work) throws X {
        return db.inTransaction(tx -> work.run(this));
    }

    @Override
    public <T, X extends Exception> T inSnapshot(Work<T, X> work) throws X {
        return db.inSnapshot(tx -> work.run(this));
    }

    @Override
    public Changes changes() {
        return new Feed(changes, null, null);
    }

    @Override
    public String backendName() {
        return db.backendName();
    }

    @Override
    public Optional<Database> database() {
        return Optional.of(db);
    }

    @Override
    public String consistencyToken() {
        return ConsistencyTokens.format(db.writtenPosition());
    }

    @Override
    public <T> T readAfter(String token, java.util.function.Supplier<T> reads) {
        return db.readingAfter(ConsistencyTokens.parse(token), reads);
    }

    @Override
    public void close() {
        changes.close();
        changes.signal().close();
        db.close();
    }

    /**
     * Whether the collection exists. A yes seen outside a transaction is committed, so it is remembered: without
     * that, every read of a collection this process never wrote to would cost an extra round trip.
     */
    boolean exists(String name) {
        if (known.contains(name)) {
            return true;
        }
        boolean found = db.fetchOne(Access.READ, "SELECT name FROM vellum_collections WHERE name = ?", name)
                .isPresent();
        if (found && !db.isInTransaction()) {
            known.add(name);
        }
        return found;
    }

    /**
     * Creates the collection's tables if needed. Two writers creating one collection at once may collide on
     * PostgreSQL's catalog; the loser retries and finds the tables there.
     */
    void ensure(String name) {
        if (known.contains(name)) {
            return;
        }
        // through a separate schema role the tables commit at once, whatever the caller's transaction does
        boolean outer = ddl == db && db.isInTransaction();
        for (int attempt = 1; ; attempt++) {
            try {
                schemaChange(() -> {
                    if (ddl.fetchOne(Access.READ, "SELECT name FROM vellum_collections WHERE name = ?", name)
                            .isPresent()) {
                        return null;
                    }
                    schemaStatements(dialect.createCollection(recordsTable(name), tombstoneTable(name)));
                    if (feedEnabled(name)) {
                        captureChanges(name);
                    }
                    return ddl.execute(
                            Access.WRITE,
                            "INSERT INTO vellum_collections (name) VALUES (?) ON CONFLICT DO NOTHING",
                            name);
                });
                break;
            } catch (StorageException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        if (!outer) {
            known.add(name);
        }
    }

    /** The collection's indexes, as the last catalog read in this process saw them. */
    List<IndexInfo> cachedIndexes(String name) {
        List<IndexInfo> cached = indexCache.get(name);
        if (cached != null) {
            return cached;
        }
        List<IndexInfo> read = readIndexes(name);
        if (!db.isInTransaction()) {
            // only what is committed is remembered: a transaction's own index may still roll back
            indexCache.put(name, read);
        }
        return read;
    }

    /** The collection's indexes in the catalog, by name. */
    List<IndexInfo> readIndexes(String name) {
        return db
                .fetchAll(
                        Access.READ,
                        "SELECT name, paths, is_unique FROM vellum_indexes WHERE collection = ? ORDER BY name",
                        name)
                .stream()
                .map(SqlStore::indexInfo)
                .toList();
    }

    void forgetIndexes(String name) {
        indexCache.remove(name);
    }

    /** Remembers a collection whose tables a committed write created (see {@link #ensure}). */
    void remember(String name) {
        if (!db.isInTransaction()) {
            known.add(name);
        }
    }

    boolean documentIndexed(String name) {
        return documentIndexed.computeIfAbsent(
                name,
                n -> db.fetchOne(Access.READ, "SELECT options FROM vellum_collections WHERE name = ?", n)
                        .map(r -> r.getJson("options").path("documentIndex").asBoolean(false))
                        .orElse(false));
    }

    void setDocumentIndexed(String name, boolean indexed) {
        ddl.execute(
                Access.WRITE,
                "UPDATE vellum_collections SET options = ? WHERE name = ?",
                Json.of(indexed ? "{\"documentIndex\":true}" : "{}"),
                name);
        documentIndexed.remove(name);
    }

    String q(String identifier) {
        return db.dialect().quote(identifier);
    }

    static String recordsTable(String collection) {
        return RecordTable.name(collection);
    }

    static String tombstoneTable(String collection) {
        return RecordTable.tombstones(collection);
    }

    static String indexIdentifier(String collection, String index) {
        return RecordTable.index(collection, index);
    }
}
