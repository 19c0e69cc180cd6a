package dev.vellum.engine;

import dev.vellum.QueryException;
import dev.vellum.internal.Messages;

/** Consistency tokens: a position in the primary's write-ahead log, written in hexadecimal. */
public final class ConsistencyTokens {
    private ConsistencyTokens() {}

    public static String format(long position) {
        return Long.toHexString(position);
    }

    /** The position a token stands for; 0 for null or empty (no requirement). */
    public static long parse(String token) {
        if (token == null || token.isBlank()) {
            return 0;
        }
        String t = token.trim();
        if (t.length() > 16
                || !t.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
            throw new QueryException(
                    Messages.abbreviate(t),
                    "Not a consistency token: '" + Messages.abbreviate(t)
                            + "'. Send back the token a write answered (HTTP: its Vellum-Consistency header), unchanged.");
        }
        return Long.parseUnsignedLong(t, 16);
    }
}
