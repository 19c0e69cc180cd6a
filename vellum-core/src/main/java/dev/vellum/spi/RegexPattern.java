package dev.vellum.spi;

/**
 * A regex in Vellum's portable subset, checked, and written in the two forms engines read: Java's (RE2/J, for the
 * memory backend and SQL functions written in Java) and POSIX's, where {@code $} is the end of the text (PostgreSQL's
 * {@code ~}). {@code \d}, {@code \w} and {@code \s} are explicit ASCII classes in both, so no engine's locale changes
 * their meaning.
 *
 * @param source the regex as the filter gave it
 * @param java the same regex for {@code java.util.regex} and RE2/J
 * @param posix the same regex for POSIX and PostgreSQL's advanced regular expressions
 */
public record RegexPattern(String source, String java, String posix) {}
