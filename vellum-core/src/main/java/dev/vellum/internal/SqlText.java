package dev.vellum.internal;

import java.util.Locale;

/** Reads just enough of a SQL statement to classify it. */
public final class SqlText {
    private SqlText() {}

    /** The first keyword, upper-cased, after comments and opening parentheses: {@code SELECT}, {@code INSERT}, … */
    public static String leadingKeyword(String sql) {
        String s = sql.stripLeading();
        while (true) {
            if (s.startsWith("--")) {
                int nl = s.indexOf('\n');
                s = nl < 0 ? "" : s.substring(nl + 1).stripLeading();
            } else if (s.startsWith("/*")) {
                int close = s.indexOf("*/");
                s = close < 0 ? "" : s.substring(close + 2).stripLeading();
            } else if (s.startsWith("(")) {
                s = s.substring(1).stripLeading();
            } else {
                break;
            }
        }
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        return s.substring(0, end).toUpperCase(Locale.ROOT);
    }
}
