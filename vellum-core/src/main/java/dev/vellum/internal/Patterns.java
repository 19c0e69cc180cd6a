package dev.vellum.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.re2j.Pattern;
import dev.vellum.QueryException;
import dev.vellum.spi.RegexPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks and translates the pattern languages of {@code like}/{@code ilike} and {@code regex}, so that every backend
 * runs the same pattern with the same meaning. Where Vellum matches a pattern itself (the memory backend, SQLite's
 * {@code regexp}), it uses RE2/J, whose matching time is linear in the text: no pattern can make a match run away.
 */
public final class Patterns {
    /** The longest like or regex pattern accepted, in characters. */
    public static final int MAX_LENGTH = 1000;
    /**
     * The largest regex program accepted: every character class or literal counts once per time a {@code {m,n}}
     * repeat around it copies it ({@code (a{100}){100}} is 10,000). Beyond it compiling alone would cost too much.
     */
    public static final int MAX_PROGRAM = 10_000;
    /**
     * Compiled patterns, bounded: the patterns come from clients, so an unbounded map would grow without end. Keyed
     * by RE2/J text (SQLite's {@code regexp} receives the translation), and by the source of a regex or like pattern,
     * so that matching one pattern against many records translates it once.
     */
    private static final Cache<String, Pattern> COMPILED =
            Caffeine.newBuilder().maximumSize(1_000).build();

    private static final Cache<String, Pattern> REGEXES =
            Caffeine.newBuilder().maximumSize(1_000).build();
    private static final Cache<String, Pattern> LIKES =
            Caffeine.newBuilder().maximumSize(1_000).build();
    private static final Set<Character> ESCAPABLE =
            Set.of('.', '*', '+', '?', '[', ']', '(', ')', '{', '}', '|', '^', '$', '\\', '-', '/');

    private Patterns() {}

    /** A pattern in RE2/J syntax, compiled with {@code .} matching newlines too; cached, bounded. */
    public static Pattern compiled(String re2) {
        return COMPILED.get(re2, p -> Pattern.compile(p, Pattern.DOTALL));
    }

    /** Whether {@code text} matches the whole like pattern (already case-folded for ilike). */
    public static boolean likeMatches(String pattern, String text) {
        return LIKES.get(pattern, p -> compiled(likeToJava(p))).matcher(text).matches();
    }

    /** Whether the portable-subset regex finds a match in {@code text}. */
    public static boolean regexFinds(String source, String text) {
        return REGEXES.get(source, s -> compiled(regex(s).java())).matcher(text).find();
    }

    private static void checkLength(String pattern, String kind) {
        if (pattern.length() > MAX_LENGTH) {
            throw new QueryException(
                    kind,
                    "The " + kind + " pattern has " + pattern.length() + " characters; at " + "most " + MAX_LENGTH
                            + " are accepted");
        }
        String problem = ValueRules.problemInString(pattern);
        if (problem != null) {
            throw new QueryException(kind, "The " + kind + " pattern " + problem);
        }
    }

    /** Checks a {@code like} pattern: {@code %} any run, {@code _} one character, backslash escapes the next one. */
    public static void checkLike(String pattern) {
        checkLength(pattern, "like");
        boolean escaped = false;
        for (int i = 0; i < pattern.length(); i++) {
            escaped = !escaped && pattern.charAt(i) == '\\';
        }
        if (escaped) {
            throw new QueryException(
                    pattern,
                    "The like pattern '" + pattern + "' ends with a lone backslash; write "
                            + "\\\\ for a literal backslash");
        }
    }

    /** The like pattern as a Java regex matching the whole string. */
    public static String likeToJava(String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); ) {
            int c = pattern.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\\') {
                int next = pattern.codePointAt(i);
                i += Character.charCount(next);
                out.append(Pattern.quote(new String(Character.toChars(next))));
            } else if (c == '%') {
                out.append(".*");
            } else if (c == '_') {
                out.append('.');
            } else {
                out.append(Pattern.quote(new String(Character.toChars(c))));
            }
        }
        return out.toString();
    }

    /**
     * Parses a regex in the portable subset ({@code . * + ? [] [^] ^ $ | () {m,n} \d \w \s} and escapes) into
     * the form every engine reads but for the end of the text, which each backend spells ({@link RegexPattern}). {@code \d}, {@code \w}, {@code \s} become explicit ASCII classes so no
     * engine's locale changes their meaning. Anything else is rejected, never approximated.
     */
    public static RegexPattern regex(String source) {
        checkLength(source, "regex");
        List<String> segments = new ArrayList<>();
        StringBuilder java = new StringBuilder();
        int depth = 0;
        boolean canQuantify = false;
        ProgramSize size = new ProgramSize();
        int i = 0;
        while (i < source.length()) {
            int c = source.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '\\' -> {
                    if (i >= source.length()) {
                        throw bad(source, "ends with a lone backslash");
                    }
                    char e = source.charAt(i++);
                    String cls = classFor(e);
                    if (cls != null) {
                        java.append('[').append(cls).append(']');
                    } else if (e == 'n' || e == 't' || e == 'r') {
                        String literal = e == 'n' ? "\n" : e == 't' ? "\t" : "\r";
                        java.append(literal);
                    } else if (ESCAPABLE.contains(e)) {
                        java.append('\\').append(e);
                    } else {
                        throw bad(source, "uses \\" + e + ", which is not in the portable subset");
                    }
                    size.atom();
                    canQuantify = true;
                }
                case '.' -> {
                    java.append('.');
                    size.atom();
                    canQuantify = true;
                }
                case '^' -> {
                    java.append('^');
                    canQuantify = false;
                }
                case '$' -> {
                    // the end of the text, which engines spell differently: a segment ends here
                    segments.add(java.toString());
                    java.setLength(0);
                    canQuantify = false;
                }
                case '|' -> {
                    java.append('|');
                    canQuantify = false;
                }
                case '(' -> {
                    if (i < source.length() && source.charAt(i) == '?') {
                        throw bad(source, "uses (?…), which is not in the portable subset");
                    }
                    depth++;
                    size.open();
                    java.append('(');
                    canQuantify = false;
                }
                case ')' -> {
                    if (depth == 0) {
                        throw bad(source, "has an unmatched )");
                    }
                    depth--;
                    size.close();
                    java.append(')');
                    canQuantify = true;
                }
                case '*', '+', '?' -> {
                    if (!canQuantify) {
                        throw bad(source, "has a quantifier " + (char) c + " with nothing to repeat");
                    }
                    java.append((char) c);
                    canQuantify = false;
                }
                case '{' -> {
                    int close = source.indexOf('}', i);
                    String body = close < 0 ? "" : source.substring(i, close);
                    if (!canQuantify || !body.matches("\\d{1,3}(,\\d{0,3})?")) {
                        throw bad(source, "has a malformed {m,n} repeat");
                    }
                    String[] bounds = body.split(",", -1);
                    if (bounds.length == 2
                            && !bounds[1].isEmpty()
                            && Integer.parseInt(bounds[1]) < Integer.parseInt(bounds[0])) {
                        throw bad(source, "has a {m,n} repeat with n < m");
                    }
                    // {m} copies m times, {m,n} n times, {m,} m times and a loop
                    int most = bounds.length == 1
                            ? Integer.parseInt(bounds[0])
                            : bounds[1].isEmpty() ? Integer.parseInt(bounds[0]) + 1 : Integer.parseInt(bounds[1]);
                    if (!size.repeat(most)) {
                        throw bad(
                                source,
                                "repeats too much: its {m,n} repeats would make a program larger than " + MAX_PROGRAM
                                        + " steps");
                    }
                    java.append('{').append(body).append('}');
                    i = close + 1;
                    canQuantify = false;
                }
                case '[' -> {
                    i = bracket(source, i, java);
                    size.atom();
                    canQuantify = true;
                }
                case ']', '}' -> throw bad(source, "has an unescaped " + (char) c);
                default -> {
                    java.appendCodePoint(c);
                    size.atom();
                    canQuantify = true;
                }
            }
        }
        if (depth != 0) {
            throw bad(source, "has an unclosed (");
        }
        segments.add(java.toString());
        return new RegexPattern(source, segments);
    }

    /**
     * The size of the program a regex compiles to, counted as it is parsed: each group's size, and the size of the
     * last atom or group, which a repeat that follows multiplies.
     */
    private static final class ProgramSize {
        private final java.util.ArrayDeque<long[]> groups = new java.util.ArrayDeque<>(); // {size, last}

        ProgramSize() {
            groups.push(new long[2]);
        }

        void atom() {
            add(1);
        }

        void open() {
            groups.push(new long[2]);
        }

        void close() {
            long inner = groups.pop()[0];
            add(inner);
        }

        private void add(long n) {
            long[] g = groups.peek();
            g[0] += n;
            g[1] = n;
        }

        /** Repeats the last atom or group up to {@code most} times; false once the program is too large. */
        boolean repeat(int most) {
            long[] g = groups.peek();
            g[0] += g[1] * (Math.max(most, 1) - 1L);
            g[1] = 0;
            long total = 0;
            for (long[] level : groups) {
                total += level[0];
            }
            return total <= MAX_PROGRAM;
        }
    }

    private static int bracket(String source, int start, StringBuilder java) {
        StringBuilder body = new StringBuilder();
        int i = start;
        if (i < source.length() && source.charAt(i) == '^') {
            body.append('^');
            i++;
        }
        boolean empty = true;
        while (true) {
            if (i >= source.length()) {
                throw bad(source, "has an unclosed [");
            }
            int c = source.codePointAt(i);
            i += Character.charCount(c);
            if (c == ']') {
                if (empty) {
                    throw bad(source, "has an empty [] class");
                }
                break;
            }
            empty = false;
            if (c == '\\') {
                if (i >= source.length()) {
                    throw bad(source, "ends with a lone backslash");
                }
                char e = source.charAt(i++);
                String cls = classFor(e);
                if (cls != null) {
                    body.append(cls);
                } else if (ESCAPABLE.contains(e)) {
                    body.append('\\').append(e);
                } else {
                    throw bad(source, "uses \\" + e + " in a [] class, which is not in the portable subset");
                }
            } else if (c == '[') {
                throw bad(source, "has [ inside a [] class; escape it as \\[");
            } else if (c == '-' || c == '^' || c == '&') {
                // a literal - only at the class edges; & and ^ escaped so Java reads them literally
                boolean range = c == '-'
                        && body.length() > 0
                        && !body.toString().equals("^")
                        && i < source.length()
                        && source.charAt(i) != ']';
                body.append(range ? "-" : "\\" + (char) c);
            } else {
                body.appendCodePoint(c);
            }
        }
        java.append('[').append(body).append(']');
        return i;
    }

    private static String classFor(char escape) {
        return switch (escape) {
            case 'd' -> "0-9";
            case 'w' -> "A-Za-z0-9_";
            case 's' -> " \t\n\r\f\u000B";
            default -> null;
        };
    }

    private static QueryException bad(String source, String problem) {
        return new QueryException(
                source,
                "The regex '" + source + "' " + problem + ". Supported: . * + ? [] [^] ^ $ | "
                        + "() {m,n} \\d \\w \\s and backslash escapes of punctuation.");
    }
}
