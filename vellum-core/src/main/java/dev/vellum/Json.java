package dev.vellum;

import java.util.Objects;

/**
 * A JSON document as text, bound as the database's JSON type (binary JSON on PostgreSQL, text on SQLite). Use it
 * (or a Jackson {@code JsonNode}) as a parameter to write JSON columns portably.
 */
public record Json(String text) {
    public Json {
        Objects.requireNonNull(text, "text");
    }

    /** What a Jackson mapper (2 or 3) writes for it: the document itself, not a string holding it. */
    @com.fasterxml.jackson.annotation.JsonValue
    Object jsonValue() {
        return dev.vellum.internal.JsonValues.toJava(dev.vellum.internal.JsonValues.parse(text));
    }

    public static Json of(String text) {
        return new Json(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
