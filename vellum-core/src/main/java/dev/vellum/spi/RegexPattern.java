package dev.vellum.spi;

import java.util.List;

/**
 * A regex in Vellum's portable subset, checked, in the one form every engine reads except for the end of the text:
 * {@code \d}, {@code \w} and {@code \s} are explicit ASCII classes, so no engine's locale changes their
 * meaning, and the text between {@code $} anchors is kept apart so that each backend writes the anchor its engine
 * means by "the end of the text" ({@link #withEndOfText}).
 *
 * @param source   the regex as the filter gave it
 * @param segments the regex split at its end-of-text anchors (one segment when it has none)
 */
public record RegexPattern(String source, List<String> segments) {
    public RegexPattern {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a regex has at least one segment");
        }
    }

    /** The regex with each end-of-text anchor written as {@code anchor}: PostgreSQL's and POSIX's {@code $}. */
    public String withEndOfText(String anchor) {
        return String.join(anchor, segments);
    }

    /**
     * The regex for {@code java.util.regex} and RE2/J, whose {@code $} also matches before a final newline: the
     * anchor is {@code \z}, the true end.
     */
    public String java() {
        return withEndOfText("\\z");
    }
}
