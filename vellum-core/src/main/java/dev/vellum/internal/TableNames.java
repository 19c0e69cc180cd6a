package dev.vellum.internal;

import java.util.HexFormat;

/**
 * The names of a collection's tables and indexes in a SQL database: {@code vc_} records, {@code vt_} tombstones,
 * {@code vi_} declared indexes, {@code vd_} the document index. Operations that read a collection's storage use the
 * same names.
 */
public final class TableNames {
    /** The shortest identifier limit of the SQL backends (63 bytes); longer names are shortened with a hash. */
    private static final int IDENTIFIER_LIMIT = 63;

    private TableNames() {}

    public static String records(String collection) {
        return identifier("vc_", collection);
    }

    public static String tombstones(String collection) {
        return identifier("vt_", collection);
    }

    public static String index(String collection, String index) {
        return identifier("vi_", collection + "__" + index);
    }

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
        String suffix = "_" + HexFormat.of().formatHex(Digests.sha256(name), 0, 4);
        return full.substring(0, IDENTIFIER_LIMIT - suffix.length()) + suffix;
    }
}
