package dev.vellum;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The portable pieces of SQL that repository code needs and that differ between backends. Every method returns SQL
 * text with {@code ?} placeholders where values go; identifiers are quoted, never spliced raw.
 */
public interface Dialect {

    /** The backend's name, e.g. {@code sqlite} or {@code postgres}. */
    String name();

    /** Quotes an identifier ({@code "my ""odd"" name"}), so any name is safe and keeps its case. */
    default String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("An identifier cannot contain a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A string literal with quotes doubled; prefer a {@code ?} parameter wherever SQL allows one. */
    default String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("A string literal cannot contain a NUL character");
        }
        return '\'' + text.replace("'", "''") + '\'';
    }

    /**
     * {@code INSERT … ON CONFLICT (keys) DO UPDATE SET …} with one {@code ?} per column, in {@code columns} order.
     * Columns that are all keys make it {@code DO NOTHING}.
     */
    default String upsert(String table, List<String> keyColumns, List<String> columns) {
        List<String> updates = columns.stream()
                .filter(c -> !keyColumns.contains(c))
                .map(c -> quote(c) + " = excluded." + quote(c))
                .toList();
        return insertPrefix(table, columns) + " ON CONFLICT (" + joinQuoted(keyColumns) + ") "
                + (updates.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updates));
    }

    /** {@code INSERT … ON CONFLICT DO NOTHING}: rows whose key exists are skipped. */
    default String insertIgnore(String table, List<String> columns) {
        return insertPrefix(table, columns) + " ON CONFLICT DO NOTHING";
    }

    /**
     * A statement that moves the sequences feeding a table's columns (serial or identity), where it has any, past
     * each column's largest value, so that rows inserted with explicit keys are not followed by clashing generated
     * ones. Empty when the database continues after the largest key by itself.
     */
    default Optional<String> continueSequencesSql(String table) {
        return Optional.empty();
    }

    /** True for a table the database keeps for itself (such as its own bookkeeping), which copies leave alone. */
    default boolean isInternalTable(String name) {
        return false;
    }

    /** The SQL literal for a boolean: {@code 1}/{@code 0} on SQLite, {@code TRUE}/{@code FALSE} on PostgreSQL. */
    String booleanLiteral(boolean value);

    /** Column type for booleans. */
    String booleanType();

    /** Column type for UTC instants. SQLite stores fixed-width ISO-8601 text, so text order is time order. */
    String timestampType();

    /** An expression for the current instant, in the form {@link #timestampType()} stores. */
    String currentTimestamp();

    /** Column type for JSON documents: binary JSON on PostgreSQL, text on SQLite. */
    String jsonType();

    /** Column type for an auto-incrementing 64-bit primary key, including the {@code PRIMARY KEY} clause. */
    String autoIncrementPrimaryKey();

    /**
     * An expression for the value at {@code path} inside a JSON column, as text: strings unquoted, numbers in their
     * JSON spelling, booleans as {@code true}/{@code false}, objects and arrays as JSON; SQL NULL when missing or null.
     */
    String jsonText(String jsonExpression, String... path);

    private String insertPrefix(String table, List<String> columns) {
        return "INSERT INTO " + quote(table) + " (" + joinQuoted(columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }

    private String joinQuoted(List<String> names) {
        return names.stream().map(this::quote).collect(Collectors.joining(", "));
    }
}
