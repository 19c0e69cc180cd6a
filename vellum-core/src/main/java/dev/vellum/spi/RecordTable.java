package dev.vellum.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.FieldPath;
import dev.vellum.Record;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A collection's record table, named once for core, every backend and the operations that read its storage: its
 * columns ({@code id}, the two JSON documents {@code fields} and {@code metadata}, {@code version}, and the two
 * timestamps) and the names of the collection's tables, indexes and triggers ({@code vc_} records, {@code vt_}
 * tombstones, {@code vi_} declared indexes, {@code vd_} the document index, {@code vf…_} feed triggers).
 */
public final class RecordTable {
    /** The user's document. */
    public static final String FIELDS = "fields";
    /** The caller's metadata document. */
    public static final String METADATA = "metadata";
    /** The two JSON documents a record holds, in column order. */
    public static final List<String> DOCUMENTS = List.of(FIELDS, METADATA);

    /** What a column holds; each backend gives each kind its SQL type ({@link #createTable}). */
    public enum Kind {
        /** The record's id: text, compared in binary order, the primary key. */
        ID,
        /** A JSON object. */
        DOCUMENT,
        /** A version number. */
        VERSION,
        /** An instant, to the millisecond. */
        TIMESTAMP
    }

    /** One column of the record table. */
    public record Column(String name, Kind kind) {}

    /**
     * The record table, in the order reads select its columns, loads write them and {@link Record}'s constructor
     * takes them: the one place a column is added.
     */
    public static final List<Column> SCHEMA = List.of(
            new Column("id", Kind.ID),
            new Column(FIELDS, Kind.DOCUMENT),
            new Column(METADATA, Kind.DOCUMENT),
            new Column("version", Kind.VERSION),
            new Column("created_at", Kind.TIMESTAMP),
            new Column("updated_at", Kind.TIMESTAMP));

    /** The tombstone table: the id and the version a re-created record continues from. */
    public static final List<Column> TOMBSTONE_SCHEMA =
            List.of(new Column("id", Kind.ID), new Column("version", Kind.VERSION));

    /** Every column's name, in {@link #SCHEMA}'s order. */
    public static final List<String> COLUMNS = SCHEMA.stream().map(Column::name).toList();

    /** The shortest identifier limit of the SQL backends (63 bytes); longer names are shortened with a hash. */
    private static final int IDENTIFIER_LIMIT = 63;

    private RecordTable() {}

    /** The record table's name (unquoted). */
    public static String name(String collection) {
        return identifier("vc_", collection);
    }

    /** The tombstone table's name: the last version of each deleted id, so versions keep rising. */
    public static String tombstones(String collection) {
        return identifier("vt_", collection);
    }

    /** A declared index's name. */
    public static String index(String collection, String index) {
        return identifier("vi_", collection + "__" + index);
    }

    /** The whole-document index's name. */
    public static String documentIndex(String collection) {
        return identifier("vd_", collection);
    }

    /** A trigger of the collection's change feed; {@code kind} tells its triggers apart (SQLite names are global). */
    public static String feedTrigger(String collection, String kind) {
        return identifier("vf" + kind + "_", collection);
    }

    /** {@code prefix + name}, shortened with a hash of the name when it would pass the identifier limit. */
    private static String identifier(String prefix, String name) {
        String full = prefix + name;
        if (full.length() <= IDENTIFIER_LIMIT) {
            return full;
        }
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
        String suffix = "_" + HexFormat.of().formatHex(hash, 0, 4);
        return full.substring(0, IDENTIFIER_LIMIT - suffix.length()) + suffix;
    }

    /** The document column a field or metadata path reads ({@code $meta.…} paths read {@code metadata}). */
    public static String documentOf(FieldPath path) {
        return path.kind() == FieldPath.Kind.META ? METADATA : FIELDS;
    }

    /** {@link #COLUMNS} as a SELECT list. */
    public static String selectList() {
        return String.join(", ", COLUMNS);
    }

    /**
     * What a feed trigger copies into the change log for a row of the record table, {@code row} naming it ({@code
     * NEW}, {@code OLD}, a transition table's alias), in {@link #COLUMNS}' order. A delete keeps the id and the version
     * after the record's last (the deletion is a version of its own) and no documents or timestamps.
     */
    public static String changeValues(String row, boolean deleted) {
        return SCHEMA.stream()
                .map(column -> {
                    String value = row + "." + column.name();
                    return switch (column.kind()) {
                        case ID -> value;
                        case VERSION -> deleted ? value + " + 1" : value;
                        case DOCUMENT, TIMESTAMP -> deleted ? "NULL" : value;
                    };
                })
                .collect(Collectors.joining(", "));
    }

    /**
     * {@code CREATE TABLE IF NOT EXISTS quotedName (column type, …)suffix} for a schema ({@link #SCHEMA} or
     * {@link #TOMBSTONE_SCHEMA}), each column's type (with its constraints) as the backend spells its kind.
     */
    public static String createTable(
            String quotedName, List<Column> schema, Function<Kind, String> typeOf, String suffix) {
        return "CREATE TABLE IF NOT EXISTS " + quotedName + " ("
                + schema.stream()
                        .map(c -> c.name() + " " + typeOf.apply(c.kind()))
                        .collect(Collectors.joining(", "))
                + ")" + suffix;
    }

    /** How a backend writes one row's values, called once per column in {@link #SCHEMA}'s order. */
    public interface ColumnWriter {
        void id(String id) throws SQLException;

        void document(ObjectNode document) throws SQLException;

        void version(long version) throws SQLException;

        void timestamp(Instant instant) throws SQLException;
    }

    /** Writes a record's values, column by column, in {@link #SCHEMA}'s order. */
    public static void write(Record record, ColumnWriter writer) throws SQLException {
        writer.id(record.id());
        writer.document(record.fields());
        writer.document(record.metadata());
        writer.version(record.version());
        writer.timestamp(record.createdAt());
        writer.timestamp(record.updatedAt());
    }

    /** Reads a record from the current row, whose first columns are {@link #COLUMNS}. */
    public static Record read(ResultSet row, RecordTables dialect) throws SQLException {
        return new Record(
                row.getString(1),
                dialect.readObject(row, 2),
                dialect.readObject(row, 3),
                row.getLong(4),
                dialect.readInstant(row, 5),
                dialect.readInstant(row, 6));
    }
}
