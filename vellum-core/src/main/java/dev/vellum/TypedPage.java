package dev.vellum;

import java.util.List;
import java.util.Optional;

/** One page of a typed query and the cursor of the next page (null on the last). */
public record TypedPage<T>(List<T> items, String nextCursor) {
    public TypedPage {
        items = List.copyOf(items);
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
