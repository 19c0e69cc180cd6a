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
 * A SQL backend's record tables ({@link RecordTable}'s columns) and their indexes: the DDL, how rows load in bulk and
 * read back, and the statements the engine composes around them.
 */
public interface RecordTables {
    /**
     * DDL for a collection: its record table ({@code id, fields, metadata, version, created_at, updated_at}, ids in
     * binary order) and its tombstone table ({@code id, version}), which keeps versions rising across delete and
     * re-create.
     */
    List<String> createCollection(String table, String tombstones);

    /**
     * The version of a record (re-)created with the id {@code id}: one more than its tombstone's in the quoted
     * tombstone table {@code tombstones}, else 1. A backend with concurrent writers must read the tombstone only
     * after a concurrent delete of that id in the quoted record table {@code table} has committed (or rolled back),
     * or the record would start again from an old version.
     */
    default Sql versionAfterTombstone(String table, String tombstones, String id) {
        return Sql.of("COALESCE((SELECT version FROM " + tombstones + " WHERE id = ?), 0) + 1", id);
    }

    /**
     * One statement that deletes the rows matching {@code where} from {@code table} and records each one's tombstone
     * (its version + 1) from the rows it really deleted, answering the count; null where two statements in one
     * transaction are as exact (a backend with one writer at a time). With concurrent writers, a separate tombstone
     * statement could read a version that a concurrent update has since raised.
     */
    default Sql deleteWithTombstones(String table, String tombstones, Sql where) {
        return null;
    }

    /** The SQL literal of an empty JSON object in the fields/metadata column's type. */
    String emptyObject();

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

    /** The statement that shows how the database would run {@code sql}, for plan tests. */
    String explain(String sql);
}
