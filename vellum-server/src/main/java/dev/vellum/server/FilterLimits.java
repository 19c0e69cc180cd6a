package dev.vellum.server;

import dev.vellum.Filter;
import dev.vellum.QueryException;

/** The server's bounds on filter size: a filter from the network must not cost unbounded planning or SQL text. */
final class FilterLimits {
    private FilterLimits() {}

    static void check(Filter filter, int maxDepth, int maxConditions) {
        int conditions = count(filter, 1, maxDepth);
        if (conditions > maxConditions) {
            throw new QueryException(
                    "filter",
                    "The filter has " + conditions + " conditions and list elements; this " + "server allows "
                            + maxConditions + " (VELLUM_HTTP_MAX_FILTER_CONDITIONS)");
        }
    }

    private static int count(Filter filter, int depth, int maxDepth) {
        if (depth > maxDepth) {
            throw new QueryException(
                    "filter",
                    "The filter nests and/or/not deeper than " + maxDepth + " levels (VELLUM_HTTP_MAX_FILTER_DEPTH)");
        }
        if (filter instanceof Filter.Condition c) {
            return 1 + (c.value() != null && c.value().isArray() ? c.value().size() : 0);
        }
        if (filter instanceof Filter.And and) {
            return and.filters().stream()
                    .mapToInt(f -> count(f, depth + 1, maxDepth))
                    .sum();
        }
        if (filter instanceof Filter.Or or) {
            return or.filters().stream()
                    .mapToInt(f -> count(f, depth + 1, maxDepth))
                    .sum();
        }
        return count(((Filter.Not) filter).filter(), depth + 1, maxDepth);
    }
}
