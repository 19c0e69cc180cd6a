package dev.vellum.engine.sql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.internal.JsonValues;

/** What a filter guarantees about the values it lets through. */
final class TypeFacts {
    private TypeFacts() {}

    /**
     * The type rank ({@link JsonValues#NUMBER} or {@link JsonValues#STRING}) every record matching {@code filter}
     * must have at {@code path}, or 0 when the filter does not pin it. Only conditions that must all hold (the filter
     * itself or members of a top-level {@code and}) count.
     */
    static int guaranteedRank(Filter filter, FieldPath path) {
        if (path.kind().isSystem()) {
            return 0;
        }
        if (filter instanceof Filter.And and) {
            for (Filter f : and.filters()) {
                int rank = guaranteedRank(f, path);
                if (rank != 0) {
                    return rank;
                }
            }
            return 0;
        }
        if (!(filter instanceof Filter.Condition c) || !c.path().equals(path)) {
            return 0;
        }
        JsonNode v = c.value();
        int rank = switch (c.op()) {
            case EQ, GT, GTE, LT, LTE -> JsonValues.isAbsent(v) ? 0 : JsonValues.rank(v);
            case BETWEEN ->
                !JsonValues.isAbsent(v.get(0))
                                && !JsonValues.isAbsent(v.get(1))
                                && JsonValues.rank(v.get(0)) == JsonValues.rank(v.get(1))
                        ? JsonValues.rank(v.get(0))
                        : 0;
            case IN -> sameRank(v);
            case LIKE, ILIKE, STARTS_WITH, REGEX -> JsonValues.STRING;
            default -> 0;
        };
        return rank == JsonValues.NUMBER || rank == JsonValues.STRING ? rank : 0;
    }

    private static int sameRank(JsonNode list) {
        int rank = 0;
        for (JsonNode e : list) {
            if (JsonValues.isAbsent(e)) {
                continue;
            }
            int r = JsonValues.rank(e);
            if (rank != 0 && r != rank) {
                return 0;
            }
            rank = r;
        }
        return rank;
    }
}
