package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import java.util.Iterator;
import java.util.Map;

/**
 * One value computed over each group of {@link Collection#aggregate}: {@code count()}, or {@code sum}, {@code avg},
 * {@code min}, {@code max} or {@code countDistinct} of the values at a path. In JSON: {@code {"$count":{}}},
 * {@code {"$avg":"age"}}. The rules (which values count, exact decimals, mixed types) are in docs/semantics.md
 * ("Aggregations").
 *
 * @param path the field or {@code $meta.} path; null for {@link Kind#COUNT}
 */
public record Accumulator(Kind kind, String path) {

    public enum Kind {
        /** The records in the group. */
        COUNT("$count"),
        /** The sum of the numbers (other values are skipped); 0 when there are none. */
        SUM("$sum"),
        /** The mean of the numbers; null when there are none. */
        AVG("$avg"),
        /** The smallest present value in sort order (numbers, then strings, then booleans); null when none. */
        MIN("$min"),
        /** The largest present value in sort order; null when none. */
        MAX("$max"),
        /** How many distinct present values (equal as filters compare: 1 and 1.0 are one value). */
        COUNT_DISTINCT("$countDistinct");

        private final String operator;

        Kind(String operator) {
            this.operator = operator;
        }

        /** The JSON name, such as {@code $avg}. */
        public String operator() {
            return operator;
        }
    }

    public Accumulator {
        if (kind == null) {
            throw new QueryException("accumulator", "An accumulator needs a kind");
        }
        if (kind == Kind.COUNT) {
            path = null;
        } else {
            FieldPath parsed = FieldPath.parse(path);
            if (parsed.kind().isSystem()) {
                throw new QueryException(path, kind.operator + " reads field or $meta paths, not '" + path + "'");
            }
        }
    }

    public static Accumulator count() {
        return new Accumulator(Kind.COUNT, null);
    }

    public static Accumulator sum(String path) {
        return new Accumulator(Kind.SUM, path);
    }

    public static Accumulator avg(String path) {
        return new Accumulator(Kind.AVG, path);
    }

    public static Accumulator min(String path) {
        return new Accumulator(Kind.MIN, path);
    }

    public static Accumulator max(String path) {
        return new Accumulator(Kind.MAX, path);
    }

    public static Accumulator countDistinct(String path) {
        return new Accumulator(Kind.COUNT_DISTINCT, path);
    }

    /** Reads the JSON form: {@code {"$count":{}}}, {@code {"$sum":"total"}}, … */
    public static Accumulator parse(JsonNode json) {
        if (json == null || !json.isObject() || json.size() != 1) {
            throw new QueryException(
                    "accumulator",
                    "An accumulator is one operator, such as {\"$count\":{}} or "
                            + "{\"$avg\":\"age\"}; the operators are " + operators());
        }
        Map.Entry<String, JsonNode> e = json.properties().iterator().next();
        for (Kind kind : Kind.values()) {
            if (kind.operator.equals(e.getKey())) {
                if (kind == Kind.COUNT) {
                    if (!e.getValue().isObject() || !e.getValue().isEmpty()) {
                        throw new QueryException(kind.operator, "$count takes an empty object: {\"$count\":{}}");
                    }
                    return count();
                }
                if (!e.getValue().isTextual()) {
                    throw new QueryException(
                            kind.operator,
                            kind.operator + " takes a path, such as {\"" + kind.operator + "\":\"age\"}");
                }
                return new Accumulator(kind, e.getValue().textValue());
            }
        }
        String hint = Messages.nearest(
                        e.getKey(),
                        java.util.Arrays.stream(Kind.values())
                                .map(Kind::operator)
                                .toList())
                .map(n -> " Did you mean " + n + "?")
                .orElse("");
        throw new QueryException(
                e.getKey(),
                "Unknown accumulator '" + Messages.abbreviate(e.getKey()) + "'; the " + "accumulators are "
                        + operators() + "." + hint);
    }

    private static String operators() {
        return "$count, $sum, $avg, $min, $max and $countDistinct";
    }

    /** The JSON form. */
    public ObjectNode toJson() {
        ObjectNode json = JsonValues.NODES.objectNode();
        if (kind == Kind.COUNT) {
            json.putObject(kind.operator);
        } else {
            json.put(kind.operator, path);
        }
        return json;
    }

    /** Reads {@code {"name":{"$count":{}}, …}}, keeping the order. */
    public static Map<String, Accumulator> parseAll(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new QueryException(
                    "accumulators",
                    "accumulators is an object of names and accumulators, such as "
                            + "{\"n\":{\"$count\":{}},\"avgAge\":{\"$avg\":\"age\"}}");
        }
        Map<String, Accumulator> out = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), parse(e.getValue()));
        }
        return out;
    }
}
