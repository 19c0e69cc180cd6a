package dev.vellum;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Small text helpers for messages. */
final class Strings {
    private Strings() {
    }

    /** The candidate closest to {@code word} by edit distance, if it is close enough to be a likely typo. */
    static Optional<String> nearest(String word, Collection<String> candidates) {
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

    /** Text short enough to quote in a message: a client may send megabytes where a name is expected. */
    static String abbreviate(String text) {
        return dev.vellum.internal.Messages.abbreviate(text);
    }
}
