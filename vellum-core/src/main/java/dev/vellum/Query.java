package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What to read: a filter, a sort, a page size, where to continue (an opaque {@code cursor}, or an {@code offset} for
 * compatibility) and which fields to return. Immutable; each {@code with…} method returns a new query.
 *
 * <pre>{@code Query.where(Filter.gte("age", 30)).sort("-age", "name").limit(50)}</pre>
 */
public record Query(Filter filter, List<SortKey> sort, int limit, String cursor, int offset, List<String> fields) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 10_000;
    /** Most sort keys in one query: each becomes up to four ORDER BY terms and a part of every cursor. */
    public static final int MAX_SORT_KEYS = 32;
    /** Most paths in a projection. */
    public static final int MAX_FIELDS = 1_000;

    private static final Set<String> JSON_KEYS = Set.of("filter", "sort", "limit", "cursor", "offset", "fields");

    public Query {
        filter = filter == null ? Filter.all() : filter;
        sort = List.copyOf(sort);
        fields = List.copyOf(fields);
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new QueryException(
                    String.valueOf(limit), "limit must be between 0 and " + MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0) {
            throw new QueryException(String.valueOf(offset), "offset must not be negative, got " + offset);
        }
        if (cursor != null && offset > 0) {
            throw new QueryException("offset", "Use either a cursor or an offset, not both");
        }
        if (sort.size() > MAX_SORT_KEYS) {
            throw new QueryException(
                    "sort", "The sort has " + sort.size() + " keys; at most " + MAX_SORT_KEYS + " are accepted");
        }
        if (fields.size() > MAX_FIELDS) {
            throw new QueryException(
                    "fields", "fields lists " + fields.size() + " paths; at most " + MAX_FIELDS + " are accepted");
        }
        for (String f : fields) {
            FieldPath p = FieldPath.parse(f);
            if (p.kind() != FieldPath.Kind.FIELD) {
                throw new QueryException(
                        f, "fields lists field paths; id, version, timestamps and metadata always " + "come back");
            }
        }
    }

    /** Every record, ordered by id, in pages of {@value #DEFAULT_LIMIT}. */
    public static Query all() {
        return new Query(Filter.all(), List.of(), DEFAULT_LIMIT, null, 0, List.of());
    }

    public static Query where(Filter filter) {
        return all().withFilter(filter);
    }

    public Query withFilter(Filter newFilter) {
        return new Query(newFilter, sort, limit, cursor, offset, fields);
    }

    /** Sort keys such as {@code "-age"}, {@code "name"}; ties are always broken by {@code $id} ascending. */
    public Query sort(String... keys) {
        return new Query(filter, Arrays.stream(keys).map(SortKey::parse).toList(), limit, cursor, offset, fields);
    }

    public Query limit(int newLimit) {
        return new Query(filter, sort, newLimit, cursor, offset, fields);
    }

    /** Continue after the page that returned this cursor. */
    public Query cursor(String newCursor) {
        return new Query(filter, sort, limit, newCursor, 0, fields);
    }

    public Query offset(int newOffset) {
        return new Query(filter, sort, limit, null, newOffset, fields);
    }

    /** Return only these field paths (id, version, timestamps and metadata always come back). */
    public Query fields(String... paths) {
        return new Query(filter, sort, limit, cursor, offset, List.of(paths));
    }

    /** Parses {@code {"filter":{…},"sort":["-age"],"limit":50,"cursor":"…","offset":0,"fields":["name"]}}. */
    public static Query parse(String json) {
        JsonNode node;
        try {
            node = JsonValues.parseInput(json);
        } catch (IllegalArgumentException e) {
            throw new QueryException(json, "The query is not valid JSON: " + e.getMessage());
        }
        return fromJson(node);
    }

    public static Query fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new QueryException(String.valueOf(node), "A query must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!JSON_KEYS.contains(key)) {
                throw new QueryException(
                        key,
                        "Unknown query key '" + key + "'"
                                + Messages.nearest(key, JSON_KEYS)
                                        .map(k -> "; did you mean '" + k + "'?")
                                        .orElse("; keys are "
                                                + String.join(
                                                        ", ",
                                                        JSON_KEYS.stream()
                                                                .sorted()
                                                                .toList())));
            }
        }
        Filter filter = node.hasNonNull("filter") ? Filter.fromJson(node.get("filter")) : Filter.all();
        List<SortKey> sort = new ArrayList<>();
        JsonNode sortNode = node.get("sort");
        if (sortNode != null && !sortNode.isNull()) {
            if (sortNode.isTextual()) {
                for (String key : sortNode.textValue().split(",")) {
                    sort.add(SortKey.parse(key));
                }
            } else if (sortNode.isArray()) {
                sortNode.forEach(k -> sort.add(SortKey.parse(textOf("sort", k))));
            } else {
                throw new QueryException("sort", "sort takes a list such as [\"-age\", \"name\"]");
            }
        }
        int limit = intOf(node, "limit", DEFAULT_LIMIT);
        int offset = intOf(node, "offset", 0);
        String cursor = node.hasNonNull("cursor") ? textOf("cursor", node.get("cursor")) : null;
        List<String> fields = new ArrayList<>();
        JsonNode fieldsNode = node.get("fields");
        if (fieldsNode != null && !fieldsNode.isNull()) {
            if (!fieldsNode.isArray()) {
                throw new QueryException("fields", "fields takes a list of paths such as [\"name\", \"address.city\"]");
            }
            fieldsNode.forEach(f -> fields.add(textOf("fields", f)));
        }
        return new Query(filter, sort, limit, cursor, offset, fields);
    }

    public String toJson() {
        ObjectNode out = JsonValues.NODES.objectNode();
        out.set("filter", filter.toJsonNode());
        ArrayNode sortNode = out.putArray("sort");
        sort.forEach(k -> sortNode.add(k.toString()));
        out.put("limit", limit);
        if (cursor != null) {
            out.put("cursor", cursor);
        }
        if (offset > 0) {
            out.put("offset", offset);
        }
        ArrayNode fieldsNode = out.putArray("fields");
        fields.forEach(fieldsNode::add);
        return JsonValues.write(out);
    }

    private static String textOf(String key, JsonNode value) {
        if (!value.isTextual()) {
            throw new QueryException(key, key + " takes strings, got " + value);
        }
        return value.textValue();
    }

    private static int intOf(JsonNode node, String key, int defaultValue) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.canConvertToExactIntegral() || !value.canConvertToInt()) {
            throw new QueryException(key, key + " must be a whole number, got " + value);
        }
        return value.intValue();
    }
}
