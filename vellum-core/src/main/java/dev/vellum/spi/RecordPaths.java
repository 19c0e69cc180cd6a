package dev.vellum.spi;

import dev.vellum.FieldPath;
import java.util.List;

/**
 * How a SQL backend reads and rewrites the JSON documents of a record: paths for filters and sorts, merge patch,
 * field operators and the size guard on what they compute.
 */
public interface RecordPaths {
    /** A path into the JSON column {@code column} ({@code fields} or {@code metadata}). */
    PathSql path(String column, List<String> keys);

    /** A system column: {@code $id}, {@code $version}, {@code $createdAt} or {@code $updatedAt}. */
    PathSql system(FieldPath.Kind kind);

    /**
     * A condition implied by {@code value at keys equals (or, with {@code element}, contains) value} that a
     * whole-document index can serve, such as PostgreSQL's {@code fields @> '{"a":{"b":1}}'}; the translator
     * ANDs it to the exact condition. Null when the backend has none.
     */
    default Sql containment(List<String> keys, com.fasterxml.jackson.databind.JsonNode value, boolean element) {
        return null;
    }

    /**
     * The RFC 7386 merge of the JSON {@code patch} into {@code columnSql}.
     *
     * @param shallow the patch only sets top-level keys to values that are not objects or null, so a key-wise
     *                overwrite gives the same result
     */
    Sql mergePatch(String columnSql, Sql patch, boolean shallow);

    /**
     * The fields after the update {@code operations}, with exactly {@code FieldUpdates.apply}'s results; a type its
     * operator cannot change fails the statement with the message {@code FieldUpdates.apply} gives, which {@link
     * RecordErrors#fieldUpdateFailure} reads back. A backend may run them in a function of its own (given {@link
     * FieldOperation#json}) or, where it can keep those results, as plain SQL.
     *
     * @param idSql the record's id, for the message
     */
    Sql fieldUpdate(String columnSql, List<FieldOperation> operations, String idSql);

    /**
     * {@code fields} (the fields a merge patch or field operators compute) refused in the statement when its
     * compact JSON text is longer than {@code maxBytes}, with an error whose message holds
     * {@code dev.vellum.internal.RecordSizes.raised(size, maxBytes, id)}, the id being {@code idSql}'s. The default
     * keeps no limit on such writes.
     */
    default Sql guardSize(Sql fields, String idSql, long maxBytes) {
        return fields;
    }
}
