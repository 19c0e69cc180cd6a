package dev.vellum.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Accumulator;
import dev.vellum.Collection;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import dev.vellum.internal.ValueRules;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every backend shares for {@link Collection#aggregate}: the checks, the rules by which the memory backend
 * computes (the reference), and how results are put in one form and order, so that a SQL backend only has to compute
 * the raw sums, counts and extremes.
 */
public final class Aggregates {
    /** Groups are returned as one list: past this many, narrow the filter or group by fewer paths. */
    public static final int MAX_GROUPS = 100_000;

    private static final int MAX_GROUP_PATHS = 16;
    private static final int MAX_ACCUMULATORS = 32;

    private Aggregates() {}

    /** A checked request: its paths parsed once (the accumulators' by their text). */
    public record Request(
            Filter filter,
            List<String> groupBy,
            List<FieldPath> groupPaths,
            Map<String, Accumulator> accumulators,
            Map<String, FieldPath> accumulatorPaths) {

        public FieldPath path(Accumulator a) {
            return accumulatorPaths.get(a.path());
        }
    }

    static Request check(Filter filter, List<String> groupBy, Map<String, Accumulator> accumulators) {
        if (filter == null) {
            throw new QueryException("filter", "aggregate needs a filter: Filter.all() for every record");
        }
        if (groupBy == null || accumulators == null) {
            throw new QueryException(
                    "groupBy",
                    "aggregate needs a list of group-by paths (empty: one group of every "
                            + "match) and a map of accumulators");
        }
        if (groupBy.isEmpty() && accumulators.isEmpty()) {
            throw new QueryException(
                    "groupBy",
                    "aggregate needs group-by paths, accumulators or both: with neither "
                            + "there is nothing to compute (count the records with {\"n\":{\"$count\":{}}})");
        }
        if (groupBy.size() > MAX_GROUP_PATHS) {
            throw new QueryException(
                    "groupBy", "At most " + MAX_GROUP_PATHS + " group-by paths, got " + groupBy.size());
        }
        List<FieldPath> paths = new ArrayList<>();
        for (String p : groupBy) {
            FieldPath path = FieldPath.parse(p);
            if (path.kind().isSystem()) {
                throw new QueryException(p, "Group by field or $meta paths; '" + p + "' is a system field");
            }
            if (paths.contains(path)) {
                throw new QueryException(p, "The group-by path '" + Messages.abbreviate(p) + "' is listed twice");
            }
            paths.add(path);
        }
        if (accumulators.size() > MAX_ACCUMULATORS) {
            throw new QueryException(
                    "accumulators", "At most " + MAX_ACCUMULATORS + " accumulators, got " + accumulators.size());
        }
        accumulators.forEach((name, a) -> {
            String problem = name == null || name.isEmpty() ? "must not be empty" : ValueRules.problemInString(name);
            if (problem == null && (name.equals("key") || name.startsWith("$") || name.length() > 128)) {
                problem = "must not be 'key', start with $ or be longer than 128 characters";
            }
            if (problem != null) {
                throw new QueryException(
                        String.valueOf(name), "The accumulator name '" + Messages.abbreviate(name) + "' " + problem);
            }
            if (a == null) {
                throw new QueryException(name, "The accumulator '" + Messages.abbreviate(name) + "' is null");
            }
        });
        Map<String, FieldPath> accumulatorPaths = new HashMap<>();
        accumulators.values().stream()
                .filter(a -> a.path() != null)
                .forEach(a -> accumulatorPaths.computeIfAbsent(a.path(), FieldPath::parse));
        return new Request(
                filter, List.copyOf(groupBy), List.copyOf(paths), new LinkedHashMap<>(accumulators), accumulatorPaths);
    }

    // ---- the reference computation (the memory backend) ----

    /** Groups the matching records and computes every accumulator, by the rules in docs/semantics.md. */
    public static List<Group> compute(Iterable<Record> matching, Request request) {
        Map<List<String>, Computing> groups = new LinkedHashMap<>();
        for (Record r : matching) {
            List<JsonNode> key = new ArrayList<>();
            List<String> identity = new ArrayList<>();
            for (FieldPath p : request.groupPaths()) {
                JsonNode v = present(Semantics.value(r, p));
                key.add(v);
                identity.add(v == null ? null : JsonValues.canonical(v));
            }
            Computing g = groups.computeIfAbsent(identity, k -> new Computing(key, request));
            if (groups.size() > MAX_GROUPS) {
                throw tooMany();
            }
            g.add(r);
        }
        if (groups.isEmpty() && request.groupPaths().isEmpty()) {
            groups.put(List.of(), new Computing(List.of(), request)); // one group of no records, as SQL has it
        }
        List<Group> out = new ArrayList<>();
        groups.values().forEach(g -> out.add(g.result()));
        return sorted(out, request);
    }

    /** One group's running values. */
    private static final class Computing {
        private final List<JsonNode> key;
        private final Request request;
        private final Map<String, Raw> raw = new HashMap<>();

        Computing(List<JsonNode> key, Request request) {
            this.key = key;
            this.request = request;
            request.accumulators().forEach((name, a) -> raw.put(name, new Raw()));
        }

        void add(Record r) {
            request.accumulators().forEach((name, a) -> {
                Raw values = raw.get(name);
                values.count++;
                if (a.kind() != Accumulator.Kind.COUNT) {
                    values.add(a.kind(), present(Semantics.value(r, request.path(a))));
                }
            });
        }

        public Group result() {
            Map<String, JsonNode> values = new LinkedHashMap<>();
            request.accumulators()
                    .forEach((name, a) -> values.put(name, raw.get(name).result(a.kind())));
            return group(request, key, values);
        }
    }

    /**
     * What a backend computes for one accumulator of one group: the count, the exact sum of the numbers and how many
     * there were, the extremes in sort order, the distinct values. A SQL backend fills only what the kind needs.
     */
    public static final class Raw {
        public long count;
        public BigDecimal sum = BigDecimal.ZERO;
        public long numbers;
        public JsonNode min;
        public JsonNode max;
        public long distinctCount;
        private Set<String> distinct;

        void add(Accumulator.Kind kind, JsonNode value) {
            if (value == null) {
                return;
            }
            switch (kind) {
                case SUM, AVG -> {
                    if (value.isNumber()) {
                        sum = sum.add(JsonValues.number(value));
                        numbers++;
                    }
                }
                case MIN, MAX -> {
                    if (ordered(value)) {
                        if (min == null || ORDER.compare(value, min) < 0) {
                            min = value;
                        }
                        if (max == null || ORDER.compare(value, max) > 0) {
                            max = value;
                        }
                    }
                }
                case COUNT_DISTINCT -> {
                    if (distinct == null) {
                        distinct = new HashSet<>();
                    }
                    distinct.add(JsonValues.canonical(value));
                    distinctCount = distinct.size();
                }
                default -> {}
            }
        }

        public JsonNode result(Accumulator.Kind kind) {
            return switch (kind) {
                case COUNT -> JsonValues.NODES.numberNode(count);
                case COUNT_DISTINCT -> JsonValues.NODES.numberNode(distinctCount);
                case SUM -> number(sum);
                case AVG ->
                    numbers == 0
                            ? JsonValues.NODES.nullNode()
                            : number(sum.divide(BigDecimal.valueOf(numbers), MathContext.DECIMAL128));
                case MIN -> normal(min);
                case MAX -> normal(max);
            };
        }
    }

    private static boolean ordered(JsonNode v) {
        return v.isNumber() || v.isTextual() || v.isBoolean();
    }

    /** A present value, or null for missing and JSON null (one group, skipped by accumulators). */
    private static JsonNode present(JsonNode v) {
        return JsonValues.isAbsent(v) ? null : v;
    }

    /** Sort order: type rank (numbers, strings, booleans, arrays, objects), then value; null last. */
    static final Comparator<JsonNode> ORDER = (a, b) -> {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        return JsonValues.compareInSortOrder(a, b);
    };

    // ---- one form and one order for every backend ----

    /** A group with its values in one form: numbers without trailing zeros, objects with sorted keys. */
    public static Group group(Request request, List<JsonNode> key, Map<String, JsonNode> values) {
        values.forEach((name, value) -> {
            // a result is a value the API takes back: a $sum past what every backend stores is refused, not returned
            String problem = value.isNumber() ? dev.vellum.internal.ValueRules.problemInNumber(value) : null;
            if (problem != null) {
                throw new QueryException(
                        name,
                        "The result '" + name + "' ("
                                + request.accumulators().get(name).kind().operator() + ") " + problem
                                + ": narrow the filter, or group more finely");
            }
        });
        ObjectNode keyJson = JsonValues.NODES.objectNode();
        for (int i = 0; i < key.size(); i++) {
            JsonNode v = normal(key.get(i));
            keyJson.set(request.groupBy().get(i), v);
        }
        return new Group(keyJson, values);
    }

    /** The canonical form of a value (the same text on every backend); JSON null for null. */
    static JsonNode normal(JsonNode v) {
        if (v == null || v.isNull()) {
            return JsonValues.NODES.nullNode();
        }
        if (v.isNumber()) {
            return JsonValues.canonicalNumber(JsonValues.number(v));
        }
        return v.isTextual() || v.isBoolean() ? v : JsonValues.parse(JsonValues.canonical(v));
    }

    static JsonNode number(BigDecimal n) {
        return JsonValues.canonicalNumber(n);
    }

    /** Groups sorted by their key, path by path, in sort order (the null group last). */
    public static List<Group> sorted(List<Group> groups, Request request) {
        List<Group> out = new ArrayList<>(groups);
        out.sort((a, b) -> {
            for (String p : request.groupBy()) {
                int c = ORDER.compare(a.key(p), b.key(p));
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        });
        return out;
    }

    public static QueryException tooMany() {
        return new QueryException(
                "groupBy",
                "The aggregate has more than " + MAX_GROUPS + " groups, which are "
                        + "returned as one list: narrow the filter or group by fewer paths");
    }

    /**
     * Refuses groups whose JSON text is past VELLUM_MAX_ANSWER_SIZE: an aggregation is one answer, never paged. Counted
     * exactly only when a quick bound from above does not already show it within the limit.
     */
    static List<Group> checkAnswerSize(List<Group> groups, long limit) {
        long bound = 0;
        for (Group g : groups) {
            bound += dev.vellum.internal.RecordSizes.upperBound(g.key(), limit)
                    + 16L * g.values().size();
            for (JsonNode v : g.values().values()) {
                bound += dev.vellum.internal.RecordSizes.upperBound(v, limit);
            }
            if (bound > limit) {
                break;
            }
        }
        if (bound <= limit) {
            return groups;
        }
        long exact = 0;
        for (Group g : groups) {
            exact += JsonValues.write(g.toJson()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (exact > limit) {
                throw tooLarge(limit);
            }
        }
        return groups;
    }

    public static QueryException tooLarge(long limit) {
        return new QueryException(
                "groupBy",
                String.format(
                        java.util.Locale.ROOT,
                        "The answer would hold more than "
                                + "%,d bytes of JSON (VELLUM_MAX_ANSWER_SIZE), and an aggregation is one answer: narrow the filter, or "
                                + "group by fewer or shorter values",
                        limit));
    }

    /** {@code distinct}: the group keys of one path, without the null group. */
    static List<JsonNode> distinct(List<Group> groups, String path) {
        List<JsonNode> out = new ArrayList<>();
        for (Group g : groups) {
            JsonNode v = g.key(path);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }
}
