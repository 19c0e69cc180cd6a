package dev.vellum;

import java.util.List;

/**
 * Where a filter or sort looks: a dot-separated path into a record's fields ({@code address.city}), into its
 * metadata ({@code $meta.source}), or a system field ({@code $id}, {@code $version}, {@code $createdAt},
 * {@code $updatedAt}).
 */
public record FieldPath(Kind kind, List<String> keys) {
    public enum Kind {
        FIELD, META, ID, VERSION, CREATED_AT, UPDATED_AT;

        /** True for the system fields, which every record has. */
        public boolean isSystem() {
            return this != FIELD && this != META;
        }
    }

    public FieldPath {
        keys = List.copyOf(keys);
    }

    public static FieldPath parse(String path) {
        if (path == null || path.isEmpty()) {
            throw new QueryException(String.valueOf(path), "A path must not be empty");
        }
        switch (path) {
            case "$id":
                return new FieldPath(Kind.ID, List.of());
            case "$version":
                return new FieldPath(Kind.VERSION, List.of());
            case "$createdAt":
                return new FieldPath(Kind.CREATED_AT, List.of());
            case "$updatedAt":
                return new FieldPath(Kind.UPDATED_AT, List.of());
            default:
                break;
        }
        if (path.startsWith("$meta.")) {
            return new FieldPath(Kind.META, keys(path, path.substring("$meta.".length())));
        }
        if (path.startsWith("$")) {
            throw new QueryException(path, "Unknown system field '" + path + "'. System fields are $id, $version, "
                    + "$createdAt, $updatedAt and $meta.<path>; field keys cannot start with $");
        }
        return new FieldPath(Kind.FIELD, keys(path, path));
    }

    private static List<String> keys(String whole, String dotted) {
        String[] parts = dotted.split("\\.", -1);
        for (String key : parts) {
            if (key.isEmpty()) {
                throw new QueryException(whole, "Path '" + whole + "' has an empty key (check for a leading, "
                        + "trailing or doubled dot)");
            }
            if (key.startsWith("$")) {
                throw new QueryException(whole, "Path '" + whole + "' has a key starting with $, which fields cannot "
                        + "have");
            }
        }
        return List.of(parts);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ID -> "$id";
            case VERSION -> "$version";
            case CREATED_AT -> "$createdAt";
            case UPDATED_AT -> "$updatedAt";
            case META -> "$meta." + String.join(".", keys);
            case FIELD -> String.join(".", keys);
        };
    }
}
