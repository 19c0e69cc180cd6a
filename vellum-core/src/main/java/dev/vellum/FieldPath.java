package dev.vellum;

import dev.vellum.internal.Messages;
import dev.vellum.internal.ValueRules;
import java.util.List;

/**
 * Where a filter or sort looks: a dot-separated path into a record's fields ({@code address.city}), into its
 * metadata ({@code $meta.source}), or a system field ({@code $id}, {@code $version}, {@code $createdAt},
 * {@code $updatedAt}).
 */
public record FieldPath(Kind kind, List<String> keys) {
    public enum Kind {
        FIELD,
        META,
        ID,
        VERSION,
        CREATED_AT,
        UPDATED_AT;

        /** True for the system fields, which every record has. */
        public boolean isSystem() {
            return this != FIELD && this != META;
        }
    }

    public FieldPath {
        keys = List.copyOf(keys);
    }

    /** Most keys in one path ({@code a.b.c} has three). */
    public static final int MAX_DEPTH = 32;

    public static FieldPath parse(String path) {
        if (path == null || path.isEmpty()) {
            throw new QueryException(String.valueOf(path), "A path must not be empty");
        }
        if (path.length() > MAX_DEPTH * (ValueRules.MAX_KEY_LENGTH + 1)) {
            throw new QueryException(
                    Messages.abbreviate(path),
                    "A path has " + path.length() + " characters; at most " + MAX_DEPTH + " keys of "
                            + ValueRules.MAX_KEY_LENGTH + " characters each are accepted");
        }
        String problem = ValueRules.problemInString(path);
        if (problem != null) {
            throw new QueryException(
                    Messages.abbreviate(path), "The path '" + Messages.abbreviate(path) + "' " + problem);
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
            throw new QueryException(
                    Messages.abbreviate(path),
                    "Unknown system field '" + Messages.abbreviate(path)
                            + "'. System fields are $id, $version, $createdAt, $updatedAt and $meta.<path>; field keys cannot "
                            + "start with $");
        }
        return new FieldPath(Kind.FIELD, keys(path, path));
    }

    private static List<String> keys(String whole, String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length > MAX_DEPTH) {
            throw new QueryException(
                    Messages.abbreviate(whole),
                    "A path has " + parts.length + " keys; at most " + MAX_DEPTH + " are accepted");
        }
        for (String key : parts) {
            if (key.length() > ValueRules.MAX_KEY_LENGTH) {
                throw new QueryException(
                        Messages.abbreviate(whole),
                        "A key of the path has " + key.length() + " characters; at most " + ValueRules.MAX_KEY_LENGTH
                                + " are accepted");
            }
            if (key.isEmpty()) {
                throw new QueryException(
                        Messages.abbreviate(whole),
                        "Path '" + Messages.abbreviate(whole)
                                + "' has an empty key (check for a leading, trailing or doubled dot)");
            }
            if (key.startsWith("$")) {
                throw new QueryException(
                        Messages.abbreviate(whole),
                        "Path '" + Messages.abbreviate(whole)
                                + "' has a key starting with $, which fields cannot have");
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
