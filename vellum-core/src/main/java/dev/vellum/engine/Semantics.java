package dev.vellum.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vellum.Cancellation;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.Record;
import dev.vellum.SortKey;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Patterns;
import dev.vellum.internal.Timestamps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * docs/semantics.md as Java: how a filter matches a record and how records sort. The memory backend runs on this; the
 * SQL backends are tested against it.
 */
public final class Semantics {
    private static final JsonNodeFactory NODES = JsonValues.NODES;

    private Semantics() {}

    /** The value a path names in a record: system fields as JSON (id and timestamps as strings, version a number). */
    public static JsonNode value(Record record, FieldPath path) {
        return switch (path.kind()) {
            case ID -> NODES.textNode(record.id());
            case VERSION -> NODES.numberNode(record.version());
            case CREATED_AT -> NODES.textNode(Timestamps.format(record.createdAt()));
            case UPDATED_AT -> NODES.textNode(Timestamps.format(record.updatedAt()));
            case META -> JsonValues.at(record.metadata(), path.keys());
            case FIELD -> JsonValues.at(record.fields(), path.keys());
        };
    }

    public static boolean matches(Filter filter, Record record) {
        if (filter instanceof Filter.And and) {
            return and.filters().stream().allMatch(f -> matches(f, record));
        }
        if (filter instanceof Filter.Or or) {
            return or.filters().stream().anyMatch(f -> matches(f, record));
        }
        if (filter instanceof Filter.Not not) {
            return !matches(not.filter(), record);
        }
        Filter.Condition c = (Filter.Condition) filter;
        // a scan checks here whether its work was cancelled (a request that timed out), so it stops at once
        Cancellation.checkpoint();
        return test(value(record, c.path()), c.op(), c.value());
    }

    static boolean test(JsonNode x, Filter.Op op, JsonNode v) {
        boolean absent = JsonValues.isAbsent(x);
        switch (op) {
            case EQ:
                return JsonValues.isAbsent(v) ? absent : !absent && JsonValues.equal(x, v);
            case NE:
                return !absent && (JsonValues.isAbsent(v) || !JsonValues.equal(x, v));
            case GT:
                return ordered(x, v) && JsonValues.compareSameRank(x, v) > 0;
            case GTE:
                return ordered(x, v) && JsonValues.compareSameRank(x, v) >= 0;
            case LT:
                return ordered(x, v) && JsonValues.compareSameRank(x, v) < 0;
            case LTE:
                return ordered(x, v) && JsonValues.compareSameRank(x, v) <= 0;
            case IN:
                return !absent && in(x, v);
            case NIN:
                return !absent && !in(x, v);
            case BETWEEN:
                return ordered(x, v.get(0))
                        && ordered(x, v.get(1))
                        && JsonValues.compareSameRank(x, v.get(0)) >= 0
                        && JsonValues.compareSameRank(x, v.get(1)) <= 0;
            case EXISTS:
                return v.booleanValue() != absent;
            case LIKE:
                return !absent && x.isTextual() && Patterns.likeMatches(v.textValue(), x.textValue());
            case ILIKE:
                return !absent
                        && x.isTextual()
                        && Patterns.likeMatches(JsonValues.fold(v.textValue()), JsonValues.fold(x.textValue()));
            case STARTS_WITH:
                return !absent && x.isTextual() && x.textValue().startsWith(v.textValue());
            case REGEX:
                return !absent && x.isTextual() && Patterns.regexFinds(v.textValue(), x.textValue());
            case CONTAINS:
                return !absent && x.isArray() && contains(x, v);
            case CONTAINS_ALL:
                if (absent || !x.isArray()) {
                    return false;
                }
                for (JsonNode e : v) {
                    if (!contains(x, e)) {
                        return false;
                    }
                }
                return true;
            case CONTAINS_ANY:
                if (absent || !x.isArray()) {
                    return false;
                }
                for (JsonNode e : v) {
                    if (contains(x, e)) {
                        return true;
                    }
                }
                return false;
            default:
                throw new IllegalStateException("operator " + op);
        }
    }

    /** Ordering compares within one of the ordered types only: numbers, strings, booleans. */
    private static boolean ordered(JsonNode x, JsonNode v) {
        if (JsonValues.isAbsent(x) || JsonValues.isAbsent(v)) {
            return false;
        }
        int rank = JsonValues.rank(x);
        return rank == JsonValues.rank(v)
                && (rank == JsonValues.NUMBER || rank == JsonValues.STRING || rank == JsonValues.BOOLEAN);
    }

    /** {@code in}: equal to one of the listed values; a null in the list matches nothing. */
    private static boolean in(JsonNode x, JsonNode list) {
        for (JsonNode e : list) {
            if (!JsonValues.isAbsent(e) && JsonValues.equal(x, e)) {
                return true;
            }
        }
        return false;
    }

    /** An element equal to {@code v}; a null {@code v} looks for a null element. */
    private static boolean contains(JsonNode array, JsonNode v) {
        for (JsonNode element : array) {
            if (v == null || v.isNull() ? element.isNull() : !element.isNull() && JsonValues.equal(element, v)) {
                return true;
            }
        }
        return false;
    }

    // ---- ordering ----

    /**
     * The sort key of one record for one path, as the SQL backends compute it: for field paths
     * {@code [absent 0/1, type rank, number-or-boolean, text-or-canonical]}, for system fields the value alone.
     */
    public static List<JsonNode> sortKey(Record record, SortKey key) {
        JsonNode x = value(record, key.path());
        if (key.path().kind().isSystem()) {
            return List.of(x);
        }
        List<JsonNode> tuple = new ArrayList<>(4);
        int rank = JsonValues.rank(x);
        tuple.add(NODES.numberNode(rank == JsonValues.ABSENT ? 1 : 0));
        tuple.add(NODES.numberNode(rank));
        tuple.add(
                switch (rank) {
                    case JsonValues.NUMBER -> NODES.numberNode(JsonValues.number(x));
                    case JsonValues.BOOLEAN -> NODES.numberNode(x.booleanValue() ? 1 : 0);
                    default -> NODES.nullNode();
                });
        tuple.add(
                switch (rank) {
                    case JsonValues.STRING -> x;
                    case JsonValues.ARRAY, JsonValues.OBJECT -> NODES.textNode(JsonValues.canonical(x));
                    default -> NODES.nullNode();
                });
        return tuple;
    }

    /** Whether each component of {@link #sortKey} sorts descending: the absent flag never does (absent is last). */
    static List<Boolean> descending(SortKey key) {
        return key.path().kind().isSystem()
                ? List.of(key.descending())
                : List.of(false, key.descending(), key.descending(), key.descending());
    }

    /** Compares two sort-key components of the same kind; nulls tie (they only meet nulls). */
    static int compareComponent(JsonNode a, JsonNode b) {
        if (JsonValues.isAbsent(a) || JsonValues.isAbsent(b)) {
            return 0;
        }
        if (a.isNumber()) {
            return JsonValues.number(a).compareTo(JsonValues.number(b));
        }
        return JsonValues.compareStrings(a.textValue(), b.textValue());
    }

    /** Compares full keys (components, then id ascending). */
    public static int compareKeys(
            List<JsonNode> a, String idA, List<JsonNode> b, String idB, List<Boolean> descending) {
        for (int i = 0; i < a.size(); i++) {
            int c = compareComponent(a.get(i), b.get(i));
            if (c != 0) {
                return descending.get(i) ? -c : c;
            }
        }
        return JsonValues.compareStrings(idA, idB);
    }

    public static List<JsonNode> fullKey(Record record, List<SortKey> sort) {
        List<JsonNode> key = new ArrayList<>();
        sort.forEach(k -> key.addAll(sortKey(record, k)));
        return key;
    }

    public static List<Boolean> fullDescending(List<SortKey> sort) {
        List<Boolean> d = new ArrayList<>();
        sort.forEach(k -> d.addAll(descending(k)));
        return d;
    }

    public static Comparator<Record> comparator(List<SortKey> sort) {
        List<Boolean> descending = fullDescending(sort);
        return (a, b) -> compareKeys(fullKey(a, sort), a.id(), fullKey(b, sort), b.id(), descending);
    }
}
