package dev.vellum;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed write to a typed collection whose change feed is enabled: {@link Change} with the record read as the
 * collection's type.
 *
 * @param token   where this change is in the feed: pass it as {@code after} to read the changes that follow it
 * @param version the record's version after the write; a delete is a write too, so it has the next version
 * @param value   the record after the write as the collection's type; null for a delete
 */
public record TypedChange<T>(
        String token, Change.Op op, String collection, String id, long version, Instant at, T value) {
    public TypedChange {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(op, "op");
    }
}
