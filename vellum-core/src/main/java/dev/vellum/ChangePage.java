package dev.vellum;

import java.util.List;

/**
 * Changes read from a feed, in commit order, and the token to read the next ones after. {@code next} moves on even
 * when a filtered feed matched nothing in what it read, so the next poll does not read those changes again.
 */
public record ChangePage(List<Change> changes, String next) {
    public ChangePage {
        changes = List.copyOf(changes);
        java.util.Objects.requireNonNull(next, "next");
    }
}
