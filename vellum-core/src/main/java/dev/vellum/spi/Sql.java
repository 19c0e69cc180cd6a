package dev.vellum.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable piece of SQL: its text and the values of its {@code ?} placeholders, in order. Fragments compose
 * into larger ones ({@link #concat}, {@link #join}) carrying their values along, so a statement's values always
 * line up with its placeholders however its pieces were written.
 *
 * <p>{@link #toString} is not the SQL text: a fragment pasted into a string by mistake gives a statement that fails
 * loudly rather than one whose values went missing.
 */
public final class Sql {
    /** SQL's TRUE. */
    public static final Sql TRUE = new Sql("TRUE", List.of());
    /** SQL's FALSE. */
    public static final Sql FALSE = new Sql("FALSE", List.of());

    private final String text;
    private final List<Object> binds;

    private Sql(String text, List<Object> binds) {
        this.text = text;
        this.binds = binds;
    }

    /**
     * A fragment of {@code text} whose {@code ?} placeholders (outside quoted literals and identifiers) take
     * {@code binds} in order; a value may be null (SQL NULL).
     *
     * @throws IllegalArgumentException when the placeholders and the values are not as many
     */
    public static Sql of(String text, Object... binds) {
        Objects.requireNonNull(text, "text");
        int placeholders = placeholders(text);
        if (placeholders != binds.length) {
            throw new IllegalArgumentException(
                    "SQL with " + placeholders + " placeholders given " + binds.length + " values: " + text);
        }
        return new Sql(text, binds.length == 0 ? List.of() : Collections.unmodifiableList(listOf(binds)));
    }

    /** One placeholder bound to {@code value}. */
    public static Sql bind(Object value) {
        return new Sql("?", Collections.singletonList(value));
    }

    /**
     * The parts one after another: each a {@code String} (SQL text without placeholders) or a {@code Sql}.
     *
     * @throws IllegalArgumentException for a part of another type, or text holding a placeholder
     */
    public static Sql concat(Object... parts) {
        StringBuilder text = new StringBuilder();
        List<Object> binds = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Sql sql) {
                text.append(sql.text);
                binds.addAll(sql.binds);
            } else if (part instanceof String s) {
                if (placeholders(s) != 0) {
                    throw new IllegalArgumentException(
                            "text with placeholders must come as Sql.of(text, values): " + s);
                }
                text.append(s);
            } else {
                throw new IllegalArgumentException("not SQL: " + (part == null ? "null" : part.getClass()));
            }
        }
        return new Sql(text.toString(), binds.isEmpty() ? List.of() : Collections.unmodifiableList(binds));
    }

    /** The parts with {@code separator} between them; {@code empty} when there are none. */
    public static Sql join(String separator, List<Sql> parts, Sql empty) {
        if (parts.isEmpty()) {
            return empty;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Object[] pieces = new Object[parts.size() * 2 - 1];
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                pieces[i * 2 - 1] = separator;
            }
            pieces[i * 2] = parts.get(i);
        }
        return concat(pieces);
    }

    /** The SQL text, with a {@code ?} for each value. */
    public String text() {
        return text;
    }

    /** The values of the placeholders, in order (unmodifiable; may hold nulls). */
    public List<Object> binds() {
        return binds;
    }

    /** {@code (this)}. */
    public Sql parenthesized() {
        return new Sql("(" + text + ")", binds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sql other && text.equals(other.text) && binds.equals(other.binds);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + binds.hashCode();
    }

    @Override
    public String toString() {
        return "Sql[" + text + " " + binds + "]";
    }

    private static List<Object> listOf(Object[] values) {
        List<Object> list = new ArrayList<>(values.length);
        Collections.addAll(list, values);
        return list;
    }

    /** The {@code ?} outside '…' literals and "…" identifiers (a doubled quote inside one toggles twice). */
    private static int placeholders(String text) {
        int count = 0;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '?') {
                count++;
            }
        }
        return count;
    }
}
