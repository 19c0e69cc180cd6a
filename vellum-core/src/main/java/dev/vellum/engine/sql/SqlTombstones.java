package dev.vellum.engine.sql;

import dev.vellum.internal.JdbcDatabase;
import dev.vellum.internal.JdbcDatabase.Access;
import dev.vellum.spi.FeedCapture;
import dev.vellum.spi.Sql;
import java.util.Collections;
import java.util.List;

/**
 * A collection's tombstones: the version each deleted id reached, so a record re-created under that id continues
 * after it and an old version never matches again, across delete and re-create. Every statement that reads or
 * writes the tombstone table is here; the writes that need them run these inside their own statement or transaction.
 */
final class SqlTombstones {
    private final SqlStore store;
    private final String collection;
    /** The quoted record and tombstone tables. */
    private final String table;

    private final String tombs;

    SqlTombstones(SqlStore store, String collection, String table, String tombs) {
        this.store = store;
        this.collection = collection;
        this.table = table;
        this.tombs = tombs;
    }

    private JdbcDatabase db() {
        return store.db;
    }

    /** The version of a record (re-)created with this id: one more than its tombstone's, else 1. */
    Sql versionFor(String id) {
        return store.dialect.versionAfterTombstone(table, tombs, id);
    }

    /**
     * After an insert that continued from a tombstone: only the tombstone it continued from goes, as a delete
     * committed in between leaves a newer one, which must stay. A process stopping before this only makes a later
     * re-insert start at a higher version, which is harmless.
     */
    void forgetBelow(String id, long version) {
        db().execute(Access.WRITE, "DELETE FROM " + tombs + " WHERE id = ? AND version < ?", id, version);
    }

    /** After upserts: these ids are live again. */
    void forget(List<String> ids) {
        db().execute(
                        Access.WRITE,
                        "DELETE FROM " + tombs + " WHERE id IN ("
                                + String.join(", ", Collections.nCopies(ids.size(), "?")) + ")",
                        ids.toArray());
    }

    /** True when the id was deleted (and not re-created since). */
    boolean has(String id) {
        return db().fetchOne(Access.READ, "SELECT version FROM " + tombs + " WHERE id = ?", id)
                .isPresent();
    }

    /** A delete is a write: the record's tombstone takes the next version. */
    void record(String id, long deletedVersion) {
        db().execute(
                        Access.WRITE,
                        "INSERT INTO " + tombs
                                + " (id, version) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET version = "
                                + "excluded.version",
                        id,
                        deletedVersion + 1);
    }

    /**
     * One statement deleting the matching rows and recording each one's tombstone, where the backend has one (see
     * {@code RecordTables.deleteWithTombstones}); null where the two statements of {@link #recordMatching} and a
     * plain DELETE, in one transaction, are as exact.
     */
    Sql deleteMatching(Sql where) {
        return store.dialect.deleteWithTombstones(table, tombs, where);
    }

    /** The tombstones of the rows matching {@code where}, before they are deleted. */
    Sql recordMatching(Sql where) {
        return Sql.concat(
                "INSERT INTO " + tombs + " (id, version) SELECT id, version + 1 FROM " + table + " WHERE ",
                where,
                " ON CONFLICT (id) DO UPDATE SET version = excluded.version");
    }

    /**
     * Re-created ids continue from their deleted version, so an old version never matches again. A bulk load wrote
     * them at version 1: with the feed on, their insert changes get the right version, and the correction is no
     * change of its own ({@code changesBefore}: the newest change number before the load, -1 without a feed).
     * Only rows at or below their tombstone's version are the load's: a tombstone can outlive the record re-inserted
     * after it (a single insert removes it in a second statement, which a crash can skip and another writer can
     * precede), and that record, already past it, must keep its version.
     */
    void reviveAfterLoad(long changesBefore) {
        if (db().fetchOne(Access.READ, "SELECT 1 AS x FROM " + tombs + " LIMIT 1")
                .isEmpty()) {
            return;
        }
        String tombVersion = "(SELECT t.version FROM " + tombs + " t WHERE t.id = ";
        db().execute(
                        Access.WRITE,
                        "UPDATE " + table + " SET version = " + tombVersion + table
                                + ".id) + 1 WHERE id IN (SELECT id FROM " + tombs + ") AND version <= " + tombVersion
                                + table + ".id)");
        if (changesBefore >= 0) {
            // this transaction's own changes: the load's inserts and the correction above
            FeedCapture feed = store.feed();
            String changes = feed.ownChangesTable();
            Sql revived = Sql.concat(
                    Sql.of(" WHERE collection = ? AND ", collection),
                    feed.ownChanges(changesBefore),
                    " AND id IN (SELECT id FROM " + tombs + ")");
            db().execute(Access.WRITE, Sql.concat("DELETE FROM " + changes, revived, " AND op = 'update'"));
            db().execute(
                            Access.WRITE,
                            Sql.concat(
                                    "UPDATE " + changes + " SET version = " + tombVersion + changes + ".id) + 1",
                                    revived,
                                    " AND op = 'insert' AND version <= " + tombVersion + changes + ".id)"));
        }
        db().execute(Access.WRITE, "DELETE FROM " + tombs + " WHERE id IN (SELECT id FROM " + table + ")");
    }
}
