package dev.vellum;

import java.util.Collection;
import java.util.Optional;

/** Small text helpers for messages. */
final class Strings {
    private Strings() {}

    /** The candidate closest to {@code word} by edit distance, if it is close enough to be a likely typo. */
    static Optional<String> nearest(String word, Collection<String> candidates) {
        return dev.vellum.internal.Messages.nearest(word, candidates);
    }

    /** Text short enough to quote in a message: a client may send megabytes where a name is expected. */
    static String abbreviate(String text) {
        return dev.vellum.internal.Messages.abbreviate(text);
    }
}
