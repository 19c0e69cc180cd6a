package dev.vellum;

/** One sort key: a path and a direction. Written {@code age} (ascending) or {@code -age} (descending). */
public record SortKey(FieldPath path, boolean descending) {

    public static SortKey parse(String text) {
        if (text == null || text.isBlank()) {
            throw new QueryException(String.valueOf(text), "A sort key must not be empty; write e.g. -age or name");
        }
        // strip, not trim: trim would also drop control characters such as NUL, quietly changing the path
        String trimmed = text.strip();
        boolean descending = trimmed.startsWith("-");
        String path = descending || trimmed.startsWith("+") ? trimmed.substring(1) : trimmed;
        return new SortKey(FieldPath.parse(path), descending);
    }

    @Override
    public String toString() {
        return (descending ? "-" : "") + path;
    }
}
