package dev.vellum.sqlite;

/** SQLite's GLOB patterns, which match like patterns case-sensitively where SQLite's own LIKE would fold ASCII case. */
final class SqliteGlob {
    private SqliteGlob() {}

    /** The like pattern as a SQLite GLOB pattern (which, unlike SQLite's LIKE, is case-sensitive). */
    static String fromLike(String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); ) {
            int c = pattern.codePointAt(i);
            i += Character.charCount(c);
            boolean literal = false;
            if (c == '\\') {
                c = pattern.codePointAt(i);
                i += Character.charCount(c);
                literal = true;
            }
            if (!literal && c == '%') {
                out.append('*');
            } else if (!literal && c == '_') {
                out.append('?');
            } else if (c == '*' || c == '?' || c == '[') {
                out.append('[').append((char) c).append(']');
            } else {
                out.appendCodePoint(c);
            }
        }
        return out.toString();
    }
}
