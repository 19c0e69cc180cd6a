package dev.vellum.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.FieldPath;
import dev.vellum.Record;
import dev.vellum.VellumJson;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;

/**
 * What the record store needs from a SQL backend: the tables, how paths read, merge patch, bulk loading, indexes and
 * error classification. The shared engine does everything else, so every backend runs the same logic.
 */
public interface RecordDialect {

    /**
     * DDL for a collection: its record table ({@code id, fields, metadata, version, created_at, updated_at}, ids in
     * binary order) and its tombstone table ({@code id, version}), which keeps versions rising across delete and
     * re-create.
     */
    List<String> createCollection(String table, String tombstones);

    /**
     * The version of a record (re-)created with the id bound to the one parameter: one more than its tombstone's
     * in the quoted tombstone table {@code tombstones}, else 1. A backend with concurrent writers must read the
     * tombstone only after a concurrent delete of that id in the quoted record table {@code table} has committed
     * (or rolled back), or the record would start again from an old version.
     */
    default String versionAfterTombstone(String table, String tombstones) {
        return "COALESCE((SELECT version FROM " + tombstones + " WHERE id = ?), 0) + 1";
    }

    /**
     * One statement that deletes the rows matching {@code where} from {@code table} and records each one's tombstone
     * (its version + 1) from the rows it really deleted, answering the count; null where two statements in one
     * transaction are as exact (a backend with one writer at a time). With concurrent writers, a separate tombstone
     * statement could read a version that a concurrent update has since raised.
     */
    default String deleteWithTombstones(String table, String tombstones, String where) {
        return null;
    }

    /** The SQL literal of an empty JSON object in the fields/metadata column's type. */
    String emptyObject();

    /** A path into the JSON column {@code column} ({@code fields} or {@code metadata}). */
    PathSql path(String column, List<String> keys);

    /** A system column: {@code $id}, {@code $version}, {@code $createdAt} or {@code $updatedAt}. */
    PathSql system(FieldPath.Kind kind);

    /**
     * The RFC 7386 merge of the JSON parameter {@code patchSql} into {@code columnSql}.
     *
     * @param shallow the patch only sets top-level keys to values that are not objects or null, so a key-wise
     *                overwrite gives the same result
     */
    String mergePatch(String columnSql, String patchSql, boolean shallow);

    /**
     * The fields after the update operators in the JSON parameter {@code opsSql} ({@code FieldUpdates.json()}), with
     * exactly {@code FieldUpdates.apply}'s results; a type its operator cannot change fails the statement with the
     * message {@code FieldUpdates.apply} gives, which {@link #fieldUpdateFailure} reads back.
     *
     * @param idSql the record's id, for the message
     */
    default String fieldUpdate(String columnSql, String opsSql, String idSql) {
        throw new UnsupportedOperationException("this backend has no field operators");
    }

    /**
     * {@code fieldsSql} (the fields a merge patch or field operators compute) refused in the statement when its
     * compact JSON text is longer than {@code maxBytes}, with an error whose message holds
     * {@code dev.vellum.internal.RecordSizes.raised(size, maxBytes, id)}, the id being {@code idSql}'s. The default
     * keeps no limit on such writes.
     */
    default String guardSize(String fieldsSql, String idSql, long maxBytes) {
        return fieldsSql;
    }

    /** The message of a failed {@link #fieldUpdate}, or null when the error is another one. */
    default String fieldUpdateFailure(SQLException e) {
        return null;
    }

    /**
     * The per-group values a SQL backend computes for aggregations; the engine turns them into accumulators. The
     * statement is {@code SELECT <group keys>, <aggregates> FROM (SELECT <keys and inputs> FROM table WHERE …
     * <aggregateSubquerySuffix>) GROUP BY …}: each path is read once per row in the inner query
     * ({@link #aggregateInput}), and each aggregate reads that input column.
     */
    enum Aggregate {
        /** The exact sum of the numbers as a decimal (NULL when none), read as text. */
        SUM,
        /** How many numbers; asked beside a {@link #SUM} of the same input (an average), in the same form. */
        NUMBERS,
        /** The smallest number, string or boolean in sort order (numbers, strings, booleans), as JSON text. */
        MIN,
        /** The largest, as {@link #MIN}. */
        MAX,
        /** How many distinct present values, equal as filters compare them. */
        COUNT_DISTINCT;

        /** What a {@link #fastAggregate} MIN or MAX may answer instead of a value when the data did not suit it. */
        public static final String INEXACT = "inexact";
    }

    /**
     * The value at a path of the JSON column {@code column} as a grouping expression: NULL when missing or null (or
     * reached through a value that is not an object), otherwise JSON text (a binary JSON value where the backend has
     * one) such that {@code GROUP BY} puts exactly the equal values together (numbers by value, objects regardless of
     * key order).
     */
    default String groupValue(String column, List<String> keys) {
        throw new UnsupportedOperationException("this backend has no aggregations");
    }

    /**
     * A cheaper group key than {@link #groupValue}, checked by the engine for exactness.
     *
     * @param key     the SQL expression to group by: NULL for missing and null
     * @param json    true when {@code key} is JSON text (the engine accepts any value, and runs the exact form when
     *                two groups hold equal values written two ways, such as {@code 1} and {@code 1.0}); false when
     *                it is the value as text (a string's own text, a number's digits, {@code true}, an array's
     *                JSON…), which the engine accepts only where it cannot be the text of anything but a string: not
     *                a JSON number, {@code true}/{@code false}, or text starting with {@code [} or <code>{</code>
     */
    record FastGroupKey(String key, boolean json) {}

    /** A {@link FastGroupKey} for a path, or null when the backend has none. */
    default FastGroupKey fastGroupKey(String column, List<String> keys) {
        return null;
    }

    /** The per-row input of aggregates over a path (its JSON value, read once per row in the inner query). */
    default String aggregateInput(String column, List<String> keys) {
        throw new UnsupportedOperationException("this backend has no aggregations");
    }

    /** An aggregate over the input column {@code input} ({@link #aggregateInput}), by the rules of {@link Aggregate}. */
    default String aggregate(Aggregate aggregate, String input) {
        throw new UnsupportedOperationException("this backend has no aggregations");
    }

    /**
     * A cheaper form of an aggregate for the usual data (a path that holds numbers), or null where the backend has
     * none. The engine checks what it answers: a floating-point {@link Aggregate#SUM} (say SQLite adding decimals in
     * doubles) is not exact, a MIN or MAX that answers {@link Aggregate#INEXACT} and an error
     * {@link #isFastAggregateFailure} recognizes (a numeric cast that met a string, an integer sum that overflowed)
     * say the data did not suit it; either way that path's aggregates then run in their exact form.
     */
    default String fastAggregate(Aggregate aggregate, String input) {
        return null;
    }

    /**
     * The per-row input of a {@link #fastAggregate}, read once per row in the inner query, or null for
     * {@link #aggregateInput}'s: say the value as a number where the database can test its type on the parsed
     * record, so the outer aggregate is the database's own. A dialect that names one has a fast form for that
     * aggregate, which then receives it.
     */
    default String fastAggregateInput(Aggregate aggregate, String column, List<String> keys) {
        return null;
    }

    /** True when the error is a {@link #fastAggregate} meeting data it does not suit (not a fault). */
    default boolean isFastAggregateFailure(SQLException e) {
        return false;
    }

    /**
     * What ends the inner query of an aggregation: where a database would otherwise merge it into the outer one and
     * read each path once per aggregate (SQLite: LIMIT -1), a clause that keeps it apart. (PostgreSQL's OFFSET 0
     * would do it too, but makes the plan serial: merged, the scan runs in parallel workers.)
     */
    default String aggregateSubquerySuffix() {
        return "";
    }

    /** Reads a JSON object column (fields or metadata) of the record table from the current row. */
    default ObjectNode readObject(java.sql.ResultSet row, int column) throws SQLException {
        ReadObject read = readSizedObject(row, column);
        return read == null ? null : read.value();
    }

    /** A JSON object as read, and the bytes it was read from (what a page's byte budget counts). */
    record ReadObject(ObjectNode value, int bytes) {}

    /** {@link #readObject} and its size as read; null for SQL NULL. */
    default ReadObject readSizedObject(java.sql.ResultSet row, int column) throws SQLException {
        // the column's UTF-8 bytes, parsed without first decoding them into a String
        byte[] bytes = row.getBytes(column);
        return bytes == null ? null : new ReadObject((ObjectNode) VellumJson.parse(bytes), bytes.length);
    }

    /**
     * For reads of a page: SQL that is true for a row whose {@code columns} are small as stored (decided without
     * reading them whole), so they are read with the rest of the page. Larger rows are read afterwards, a few at a
     * time, so a page of large records is never held whole while it is measured against VELLUM_MAX_ANSWER_SIZE.
     * Null: every row is read with its page.
     */
    default String storedSmall(List<String> columns) {
        return null;
    }

    /** SQL for the bytes the columns take as stored (cheaply: nothing decompressed), to group the larger rows by. */
    default String storedSize(List<String> columns) {
        return "0";
    }

    /** The statement that makes a new transaction read one snapshot throughout, or null when every one does. */
    default String snapshotStatement() {
        return null;
    }

    /** Reads a timestamp column of the record table from the current row. */
    java.time.Instant readInstant(java.sql.ResultSet row, int column) throws SQLException;

    /** Converts a sort-key value from a cursor into a parameter. */
    Object cursorParam(PathSql.SortExpression.Kind kind, com.fasterxml.jackson.databind.JsonNode value);

    /**
     * Loads new records (version 1) in bulk on the transaction's connection, all or nothing, reading the iterator
     * lazily. Returns the count.
     */
    long bulkInsert(Connection connection, String table, Iterator<Record> records) throws SQLException;

    /** DDL for an expression index on paths of the fields (or metadata) column. */
    List<String> createIndex(String table, String indexName, List<FieldPath> paths, boolean unique);

    /**
     * The version of the DDL {@link #createIndex} writes. Raise it when the index expressions change: a store
     * opening with auto-migrate rebuilds every index recorded with a lower form, so queries keep finding them.
     */
    default int indexForm() {
        return 1;
    }

    /** DDL that drops what {@link #createIndex} made. */
    List<String> dropIndex(String indexName);

    /** DDL for a whole-document index on the fields column, or null when the backend has none. */
    String createDocumentIndex(String table, String indexName);

    /**
     * A condition implied by {@code value at keys equals (or, with {@code element}, contains) value} that a
     * whole-document index can serve, such as PostgreSQL's {@code fields @> '{"a":{"b":1}}'}; the translator
     * ANDs it to the exact condition. Null when the backend has none.
     */
    default String containment(
            List<String> keys, com.fasterxml.jackson.databind.JsonNode value, boolean element, List<Object> params) {
        return null;
    }

    /** True when the error is a unique or primary-key violation. */
    boolean isUniqueViolation(SQLException e);

    /**
     * True when the error says an index entry is larger than the database allows, which the record store's own size
     * rule normally prevents (it is the backstop for an index this process has not seen yet).
     */
    default boolean isIndexEntryTooLarge(SQLException e) {
        return false;
    }

    /**
     * DDL that records every row written to the collection's table in {@code vellum_changes} (the backend's migration
     * V6 defines it): one change per row, numbered in commit order, with the row after the write (none for a
     * delete, whose version is the deleted one + 1). Must be safe to run again.
     */
    default List<String> captureChanges(String table, String collection) {
        throw new UnsupportedOperationException("this backend has no change feed");
    }

    /**
     * A statement that takes the lock the feed's triggers take before a write, so a transaction can hold it before
     * its first write; null where writers are serialized anyway (SQLite).
     */
    default String feedLock() {
        return null;
    }

    /** DDL that removes what {@link #captureChanges} made. */
    default List<String> stopCapturingChanges(String table, String collection) {
        throw new UnsupportedOperationException("this backend has no change feed");
    }

    /** The statement that shows how the database would run {@code sql}, for plan tests. */
    String explain(String sql);
}
