package dev.vellum;

import java.util.List;

/** An index on one or more field paths of a collection. */
public record IndexInfo(String name, List<String> paths, boolean unique) {
    public IndexInfo {
        paths = List.copyOf(paths);
    }
}
