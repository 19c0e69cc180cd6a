package dev.vellum;

import java.util.List;
import java.util.Objects;

/** Typed changes read from a feed, in commit order, and the token to read the next ones after (as {@link ChangePage}). */
public record TypedChangePage<T>(List<TypedChange<T>> changes, String next) {
    public TypedChangePage {
        changes = List.copyOf(changes);
        Objects.requireNonNull(next, "next");
    }
}
