package dev.vellum;

import java.util.List;
import java.util.Optional;

/**
 * One page of a typed query and the cursor of the next page (null on the last). Its values are {@link #records()},
 * as a {@link Page}'s are.
 */
public record TypedPage<T>(List<T> records, String nextCursor) {
    public TypedPage {
        records = List.copyOf(records);
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
