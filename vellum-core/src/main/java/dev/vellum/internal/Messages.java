package dev.vellum.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Text helpers for messages users see, shared by the API and the engine pieces. */
public final class Messages {
    private Messages() {}

    /** Text short enough to quote in a message: a client may send megabytes where a name is expected. */
    public static String abbreviate(String text) {
        if (text == null) {
            return null;
        }
        if (text.length() <= 80
                && text.chars().noneMatch(c -> Character.isISOControl(c) || Character.isSurrogate((char) c))) {
            return text; // the common case: nothing to shorten or escape
        }
        String shown = text.length() <= 80 ? text : text.substring(0, 80) + "… (" + text.length() + " characters)";
        StringBuilder out = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < shown.length()
                    && Character.isLowSurrogate(shown.charAt(i + 1))) {
                out.append(c).append(shown.charAt(++i));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                // control characters and lone surrogates are shown as escapes, never passed on as they are
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The candidate closest to {@code word} by edit distance (case ignored), if it is close enough to be a likely
     * typo: within a quarter of the word's length, and at least 2.
     */
    public static Optional<String> nearest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = editDistance(word.toUpperCase(Locale.ROOT), candidate.toUpperCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        int tolerance = Math.max(2, word.length() / 4);
        return bestDistance <= tolerance ? Optional.ofNullable(best) : Optional.empty();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
