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

    public static Json of(String text) {
        return new Json(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
