package dev.vellum.internal;

import dev.vellum.Params;
import dev.vellum.QueryException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code :name} placeholders into {@code ?} and the {@link Params} into positional values. Skips what is not
 * SQL code: 'text' (with '' inside), "identifiers", -- line and /* block *&#47; comments, PostgreSQL's $tag$ dollar
 * quotes$tag$, and {@code ::} casts. A name starts with a letter or {@code _}.
 */
public final class NamedParameters {
    private NamedParameters() {}

    /** The statement with {@code ?} placeholders and its values in order. */
    public record Expanded(String sql, Object[] values) {}

    public static Expanded expand(String sql, Params params) {
        StringBuilder out = new StringBuilder(sql.length());
        List<Object> values = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            int end;
            if (c == '\'' || c == '"') {
                end = closing(sql, i, c);
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                end = nl < 0 ? n : nl;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                end = close < 0 ? n : close + 2;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int close = sql.indexOf(tag, i + tag.length());
                end = close < 0 ? n : close + tag.length();
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                end = i + 2; // a cast
            } else if (c == ':'
                    && i + 1 < n
                    && isNameStart(sql.charAt(i + 1))
                    && (i == 0 || !isNamePart(sql.charAt(i - 1)))) {
                int j = i + 1;
                while (j < n && isNamePart(sql.charAt(j))) {
                    j++;
                }
                String name = sql.substring(i + 1, j);
                if (!params.values().containsKey(name)) {
                    throw new QueryException(
                            ":" + name,
                            "No value for :" + name + " in the statement's parameters; " + "they have "
                                    + params.values().keySet());
                }
                values.add(params.values().get(name));
                out.append('?');
                i = j;
                continue;
            } else {
                end = i + 1;
            }
            out.append(sql, i, end);
            i = end;
        }
        return new Expanded(out.toString(), values.toArray());
    }

    /** The index after the quote that closes the one at {@code start}; a doubled quote stays inside. */
    private static int closing(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }

    /** {@code $$} or {@code $tag$} starting at {@code i}, else null (a positional {@code $1} is not a tag). */
    private static String dollarTag(String sql, int i) {
        int j = i + 1;
        while (j < sql.length() && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(i, j + 1) : null;
    }

    private static boolean isNameStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
