package dev.vellum.engine.sql;

import dev.vellum.IndexInfo;
import dev.vellum.Json;
import dev.vellum.Record;
import dev.vellum.StorageException;
import dev.vellum.engine.Indexes;
import dev.vellum.engine.Records;
import dev.vellum.internal.JdbcDatabase.Access;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Timestamps;
import dev.vellum.spi.RecordTable;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A collection's schema changes: its declared indexes, its whole-document index and its change feed's triggers, each
 * with its catalog row, in a transaction of its own on the schema role's connections ({@code VELLUM_MIGRATION_URL},
 * when set).
 */
final class SqlSchemaChanges {
    private final SqlStore store;
    private final String name;
    /** The quoted record table. */
    private final String table;
    /** Every stored record, for the check that each fits a new index. */
    private final Supplier<Stream<Record>> records;
    /** A database failure as the collection's writes report it (a duplicate, a value too large to index). */
    private final Function<StorageException, RuntimeException> translate;

    SqlSchemaChanges(
            SqlStore store,
            String name,
            String table,
            Supplier<Stream<Record>> records,
            Function<StorageException, RuntimeException> translate) {
        this.store = store;
        this.name = name;
        this.table = table;
        this.records = records;
        this.translate = translate;
    }

    /** Creates the collection first: its tables exist before anything is defined on them. */
    private <T> T change(Supplier<T> work) {
        store.ensure(name);
        try {
            return store.schemaChange(work);
        } catch (StorageException e) {
            throw translate.apply(e);
        }
    }

    // ---- change feed ----

    boolean enableChanges() {
        return change(() -> {
            if (store.feedEnabled(name)) {
                return false;
            }
            store.captureChanges(name);
            store.changes.feedEnabled();
            store.ddl.execute(
                    Access.WRITE,
                    "INSERT INTO vellum_feeds (collection, enabled_at) VALUES (?, ?)",
                    name,
                    Timestamps.now());
            return true;
        });
    }

    /** Creates nothing: a feed may be on for a collection that was dropped, whose tables do not exist. */
    boolean disableChanges() {
        try {
            return store.schemaChange(() -> {
                if (store.ddl.execute(Access.WRITE, "DELETE FROM vellum_feeds WHERE collection = ?", name) == 0) {
                    return false;
                }
                if (store.ddl
                        .fetchOne(Access.READ, "SELECT name FROM vellum_collections WHERE name = ?", name)
                        .isPresent()) {
                    store.stopCapturingChanges(name);
                }
                return true;
            });
        } catch (StorageException e) {
            throw translate.apply(e);
        }
    }

    // ---- indexes ----

    void createIndex(String indexName, List<String> paths, boolean unique) {
        IndexInfo index = Indexes.define(indexName, paths, unique);
        if (store.exists(name)
                && store.cachedIndexes(name).stream().noneMatch(i -> i.name().equals(indexName))) {
            // every stored record must fit a new index, as every later write must
            try (Stream<Record> stored = records.get()) {
                stored.forEach(Indexes.SizeCheck.of(List.of(index))::check);
            }
        }
        store.forgetIndexes(name);
        try {
            change(() -> {
                if (store.ddl
                        .fetchOne(
                                Access.READ,
                                "SELECT name FROM vellum_indexes WHERE collection = ? AND name = ?",
                                name,
                                indexName)
                        .isPresent()) {
                    return null;
                }
                store.createIndexes(name, index);
                return store.ddl.execute(
                        Access.WRITE,
                        "INSERT INTO vellum_indexes (collection, name, paths, is_unique, form) VALUES (?, ?, ?, ?, ?)",
                        name,
                        indexName,
                        Json.of(JsonValues.write(JsonValues.toTree(index.paths()))),
                        unique,
                        store.dialect.indexForm());
            });
        } finally {
            store.forgetIndexes(name);
        }
    }

    boolean dropIndex(String indexName) {
        Records.indexName(indexName);
        if (!store.exists(name)) {
            return false;
        }
        boolean dropped = change(() -> {
            if (store.ddl.execute(
                            Access.WRITE,
                            "DELETE FROM vellum_indexes WHERE collection = ? AND name = ?",
                            name,
                            indexName)
                    == 0) {
                return false;
            }
            store.dropIndexes(name, indexName);
            return true;
        });
        store.forgetIndexes(name);
        return dropped;
    }

    void createDocumentIndex() {
        String ddl = store.dialect.createDocumentIndex(table, store.q(RecordTable.documentIndex(name)));
        if (ddl == null) {
            return;
        }
        change(() -> {
            store.ddl.execute(Access.SCHEMA, ddl);
            store.setDocumentIndexed(name, true);
            return null;
        });
    }

    boolean dropDocumentIndex() {
        if (!hasDocumentIndex()) {
            return false;
        }
        change(() -> {
            store.ddl.execute(Access.SCHEMA, "DROP INDEX IF EXISTS " + store.q(RecordTable.documentIndex(name)));
            store.setDocumentIndexed(name, false);
            return null;
        });
        return true;
    }

    boolean hasDocumentIndex() {
        return store.exists(name) && store.documentIndexed(name);
    }

    List<IndexInfo> indexes() {
        return store.readIndexes(name);
    }
}
