package dev.vellum.spi;

import dev.vellum.FieldPath;
import java.util.List;

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
    /** Every column, in the order reads select them. */
    public static final List<String> COLUMNS = List.of("id", FIELDS, METADATA, "version", "created_at", "updated_at");

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
            hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
        String suffix = "_" + java.util.HexFormat.of().formatHex(hash, 0, 4);
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
}
