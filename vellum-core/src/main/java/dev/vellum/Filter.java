package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import dev.vellum.internal.Patterns;
import dev.vellum.internal.Timestamps;
import dev.vellum.internal.ValueRules;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which records a query matches. Build one fluently — {@code Filter.eq("city", "NY").and(Filter.gte("age", 30))} —
 * or parse the MongoDB-style JSON form:
 * {@code {"city":"NY","age":{"$gte":30},"$or":[{"tags":{"$contains":"x"}},{"$meta.source":"import"}]}}.
 * {@link #toJson()} prints a form that {@link #parse} reads back to an equal filter. The rules every backend follows
 * are in docs/semantics.md: missing and null are the same, no type coercion, {@code not} is the exact
 * complement.
 */
public sealed interface Filter {
    /** Most values in one list ({@code in}, {@code nin}, {@code containsAll}, {@code containsAny}). */
    int MAX_LIST = 10_000;

    /** Comparison operators, with their JSON names. */
    enum Op {
        EQ("$eq"),
        NE("$ne"),
        GT("$gt"),
        GTE("$gte"),
        LT("$lt"),
        LTE("$lte"),
        IN("$in"),
        NIN("$nin"),
        BETWEEN("$between"),
        EXISTS("$exists"),
        LIKE("$like"),
        ILIKE("$ilike"),
        STARTS_WITH("$startsWith"),
        REGEX("$regex"),
        CONTAINS("$contains"),
        CONTAINS_ALL("$containsAll"),
        CONTAINS_ANY("$containsAny");

        private final String json;

        Op(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }

        static Op fromJson(String name) {
            for (Op op : values()) {
                if (op.json.equals(name)) {
                    return op;
                }
            }
            List<String> names = Arrays.stream(values()).map(Op::json).toList();
            String hint = Messages.nearest(name, names)
                    .map(n -> " Did you mean " + n + "?")
                    .orElse(" Operators: " + String.join(", ", names) + ", and $and, $or, $not.");
            throw new QueryException(name, "Unknown operator " + name + "." + hint);
        }
    }

    /** One comparison: {@code path op value}. */
    record Condition(FieldPath path, Op op, JsonNode value) implements Filter {
        public Condition {
            value = check(path, op, value == null ? JsonValues.NODES.nullNode() : value.deepCopy());
        }
    }

    /** All of the filters; {@code and []} matches everything. */
    record And(List<Filter> filters) implements Filter {
        public And {
            filters = List.copyOf(filters);
        }
    }

    /** Any of the filters; {@code or []} matches nothing. */
    record Or(List<Filter> filters) implements Filter {
        public Or {
            filters = List.copyOf(filters);
        }
    }

    /** The exact complement of a filter. */
    record Not(Filter filter) implements Filter {}

    // ---- building ----

    /** Matches every record. */
    static Filter all() {
        return new And(List.of());
    }

    static Filter eq(String path, Object value) {
        return of(path, Op.EQ, value);
    }

    static Filter ne(String path, Object value) {
        return of(path, Op.NE, value);
    }

    static Filter gt(String path, Object value) {
        return of(path, Op.GT, value);
    }

    static Filter gte(String path, Object value) {
        return of(path, Op.GTE, value);
    }

    static Filter lt(String path, Object value) {
        return of(path, Op.LT, value);
    }

    static Filter lte(String path, Object value) {
        return of(path, Op.LTE, value);
    }

    static Filter in(String path, Object... values) {
        return of(path, Op.IN, Arrays.asList(values));
    }

    static Filter nin(String path, Object... values) {
        return of(path, Op.NIN, Arrays.asList(values));
    }

    /** Inclusive on both ends; reversed bounds match nothing. */
    static Filter between(String path, Object low, Object high) {
        return of(path, Op.BETWEEN, Arrays.asList(low, high));
    }

    /** {@code true}: present and not null; {@code false}: missing or null. */
    static Filter exists(String path, boolean exists) {
        return of(path, Op.EXISTS, exists);
    }

    /** SQL pattern, case-sensitive: {@code %} any run, {@code _} one character, {@code \} escapes. */
    static Filter like(String path, String pattern) {
        return of(path, Op.LIKE, pattern);
    }

    /** Like {@link #like}, case-insensitive (Unicode simple case folding). */
    static Filter ilike(String path, String pattern) {
        return of(path, Op.ILIKE, pattern);
    }

    /** A literal, case-sensitive prefix. */
    static Filter startsWith(String path, String prefix) {
        return of(path, Op.STARTS_WITH, prefix);
    }

    /** An unanchored search with the portable regex subset. */
    static Filter regex(String path, String pattern) {
        return of(path, Op.REGEX, pattern);
    }

    /** The value is an array with an element equal to {@code value}. */
    static Filter contains(String path, Object value) {
        return of(path, Op.CONTAINS, value);
    }

    static Filter containsAll(String path, Object... values) {
        return of(path, Op.CONTAINS_ALL, Arrays.asList(values));
    }

    static Filter containsAny(String path, Object... values) {
        return of(path, Op.CONTAINS_ANY, Arrays.asList(values));
    }

    static Filter and(Filter... filters) {
        return new And(Arrays.asList(filters));
    }

    static Filter or(Filter... filters) {
        return new Or(Arrays.asList(filters));
    }

    static Filter not(Filter filter) {
        return new Not(filter);
    }

    /** Any condition by operator; values are converted to JSON (strings, numbers, booleans, lists, maps, JSON nodes). */
    static Filter of(String path, Op op, Object value) {
        return new Condition(FieldPath.parse(path), op, toJson(value));
    }

    default Filter and(Filter other) {
        return new And(List.of(this, other));
    }

    default Filter or(Filter other) {
        return new Or(List.of(this, other));
    }

    default Filter negate() {
        return new Not(this);
    }

    // ---- JSON ----

    /** Parses the JSON form; every problem is a {@link QueryException} naming the offending part. */
    static Filter parse(String json) {
        JsonNode node;
        try {
            node = JsonValues.parseInput(json);
        } catch (IllegalArgumentException e) {
            throw new QueryException(json, "The filter is not valid JSON: " + e.getMessage());
        }
        return fromJson(node);
    }

    static Filter fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new QueryException(String.valueOf(node), "A filter must be a JSON object, e.g. {\"city\":\"NY\"}");
        }
        List<Filter> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            switch (key) {
                case "$and", "$or" -> {
                    if (!value.isArray()) {
                        throw new QueryException(key, key + " takes an array of filters");
                    }
                    List<Filter> list = new ArrayList<>();
                    value.forEach(v -> list.add(fromJson(v)));
                    parts.add(key.equals("$and") ? new And(list) : new Or(list));
                }
                case "$not" -> parts.add(new Not(fromJson(value)));
                default -> parts.addAll(conditions(key, value));
            }
        }
        return parts.size() == 1 ? parts.get(0) : new And(parts);
    }

    private static List<Filter> conditions(String pathText, JsonNode value) {
        if (pathText.startsWith("$")
                && !pathText.startsWith("$meta.")
                && FieldPathHolder.SYSTEM.stream().noneMatch(pathText::equals)) {
            Op.fromJson(pathText); // an operator at the top level: name it, or say it is unknown
            throw new QueryException(
                    pathText,
                    "Operator " + pathText + " must be inside a field: " + "{\"field\": {\"" + pathText + "\": …}}");
        }
        FieldPath path = FieldPath.parse(pathText);
        boolean operators = value.isObject()
                && value.size() > 0
                && value.fieldNames().next().startsWith("$");
        if (!operators) {
            return List.of(new Condition(path, Op.EQ, value));
        }
        List<Filter> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith("$")) {
                throw new QueryException(
                        e.getKey(),
                        "Field '" + pathText + "' mixes operators and plain keys; "
                                + "use {\"$eq\": {…}} to match a whole object");
            }
            if (e.getKey().equals("$not")) {
                List<Filter> inner = conditions(pathText, e.getValue());
                list.add(new Not(inner.size() == 1 ? inner.get(0) : new And(inner)));
            } else {
                list.add(new Condition(path, Op.fromJson(e.getKey()), e.getValue()));
            }
        }
        return list;
    }

    /** The JSON form; {@code Filter.parse(f.toJson())} equals {@code f}. */
    default String toJson() {
        return JsonValues.write(toJsonNode());
    }

    default JsonNode toJsonNode() {
        ObjectNode out = JsonValues.NODES.objectNode();
        if (this instanceof Condition c) {
            boolean plain = c.op() == Op.EQ && !c.value().isObject();
            out.set(
                    c.path().toString(),
                    plain ? c.value() : JsonValues.NODES.objectNode().set(c.op().json(), c.value()));
        } else if (this instanceof And a) {
            ArrayNode list = out.putArray("$and");
            a.filters().forEach(f -> list.add(f.toJsonNode()));
        } else if (this instanceof Or o) {
            ArrayNode list = out.putArray("$or");
            o.filters().forEach(f -> list.add(f.toJsonNode()));
        } else if (this instanceof Not n) {
            out.set("$not", n.filter().toJsonNode());
        }
        return out;
    }

    // ---- validation ----

    /** The common Java values directly (a filter is built per query); anything else through Jackson. */
    private static JsonNode toJson(Object value) {
        com.fasterxml.jackson.databind.node.JsonNodeFactory nodes = JsonValues.NODES;
        if (value instanceof JsonNode node) {
            return node;
        } else if (value instanceof String text) {
            return nodes.textNode(text);
        } else if (value instanceof Integer number) {
            return nodes.numberNode(number);
        } else if (value instanceof Long number) {
            return nodes.numberNode(number);
        } else if (value instanceof Boolean bool) {
            return nodes.booleanNode(bool);
        } else if (value instanceof Instant instant) {
            return nodes.textNode(instant.toString());
        } else if (value instanceof List<?> list) {
            ArrayNode array = nodes.arrayNode(list.size());
            list.forEach(element -> array.add(toJson(element)));
            return array;
        }
        return JsonValues.toTree(value);
    }

    private static JsonNode check(FieldPath path, Op op, JsonNode value) {
        String where = Messages.abbreviate(path.toString()) + " " + op.json();
        String problem = ValueRules.problemIn(value, "the value of " + where);
        if (problem != null) {
            throw new QueryException(op.json(), problem);
        }
        if (value.isArray() && value.size() > MAX_LIST) {
            throw new QueryException(
                    op.json(),
                    where + " lists " + value.size() + " values; at most " + MAX_LIST
                            + " are accepted (split the query, or use an index and a range)");
        }
        switch (op) {
            case IN, NIN, CONTAINS_ALL, CONTAINS_ANY -> {
                if (!value.isArray()) {
                    throw new QueryException(op.json(), where + " takes a list of values, e.g. [1, 2]");
                }
            }
            case BETWEEN -> {
                if (!value.isArray() || value.size() != 2) {
                    throw new QueryException(op.json(), where + " takes a list of exactly two values [low, high]");
                }
            }
            case EXISTS -> {
                if (!value.isBoolean()) {
                    throw new QueryException(op.json(), where + " takes true or false");
                }
            }
            case LIKE, ILIKE -> {
                if (!value.isTextual()) {
                    throw new QueryException(op.json(), where + " takes a string pattern");
                }
                Patterns.checkLike(value.textValue());
            }
            case STARTS_WITH -> {
                if (!value.isTextual()) {
                    throw new QueryException(op.json(), where + " takes a string prefix");
                }
            }
            case REGEX -> {
                if (!value.isTextual()) {
                    throw new QueryException(op.json(), where + " takes a string pattern");
                }
                Patterns.regex(value.textValue());
            }
            default -> {}
        }
        if (path.kind() == FieldPath.Kind.CREATED_AT || path.kind() == FieldPath.Kind.UPDATED_AT) {
            return normalizeInstants(path, op, value);
        }
        return value;
    }

    /**
     * Filters on {@code $createdAt}/{@code $updatedAt} compare instants: string values must be ISO-8601 instants and
     * are normalised to the stored form (UTC, milliseconds); values of other types stay as they are and, having
     * another type, never compare equal or ordered.
     */
    private static JsonNode normalizeInstants(FieldPath path, Op op, JsonNode value) {
        if (value.isArray()) {
            ArrayNode out = JsonValues.NODES.arrayNode();
            value.forEach(v -> out.add(normalizeInstant(path, op, v)));
            return out;
        }
        return normalizeInstant(path, op, value);
    }

    private static JsonNode normalizeInstant(FieldPath path, Op op, JsonNode value) {
        if (!value.isTextual() || op == Op.LIKE || op == Op.ILIKE || op == Op.REGEX || op == Op.STARTS_WITH) {
            return value;
        }
        try {
            Instant instant = Timestamps.parse(value.textValue()).truncatedTo(ChronoUnit.MILLIS);
            return JsonValues.NODES.textNode(Timestamps.format(instant));
        } catch (DateTimeParseException e) {
            throw new QueryException(
                    value.textValue(),
                    path + " compares with ISO-8601 instants such as " + "2026-01-31T12:00:00Z; '" + value.textValue()
                            + "' is not one");
        }
    }

    /** The system field names a filter may use as keys. */
    final class FieldPathHolder {
        static final List<String> SYSTEM = List.of("$id", "$version", "$createdAt", "$updatedAt");

        private FieldPathHolder() {}
    }
}
