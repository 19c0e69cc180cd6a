package dev.vellum.spi;

import dev.vellum.FieldPath;
import java.util.List;

/**
 * The columns of a collection's record table, named once for core and every backend: {@code id}, the two JSON
 * documents ({@code fields} and {@code metadata}), {@code version}, and the two timestamps.
 */
public final class RecordTable {
    /** The user's document. */
    public static final String FIELDS = "fields";
    /** The caller's metadata document. */
    public static final String METADATA = "metadata";
    /** The two JSON documents a record holds, in column order. */
    public static final List<String> DOCUMENTS = List.of(FIELDS, METADATA);
    /** Every column, in the order reads select them. */
    public static final List<String> COLUMNS = List.of("id", FIELDS, METADATA, "version", "created_at", "updated_at");

    private RecordTable() {}

    /** The document column a field or metadata path reads ({@code $meta.…} paths read {@code metadata}). */
    public static String documentOf(FieldPath path) {
        return path.kind() == FieldPath.Kind.META ? METADATA : FIELDS;
    }

    /** {@link #COLUMNS} as a SELECT list. */
    public static String selectList() {
        return String.join(", ", COLUMNS);
    }
}
