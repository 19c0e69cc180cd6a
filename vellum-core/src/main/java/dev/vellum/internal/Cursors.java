package dev.vellum.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.QueryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Keyset cursors: the sort-key values and id of the last record of a page, tied to the query's sort and filter so
 * a cursor cannot be replayed against another query.
 */
public final class Cursors {
    private Cursors() {}

    /** A decoded cursor. */
    public record Position(List<JsonNode> key, String id) {}

    public static String encode(Query query, List<JsonNode> key, String id) {
        // written by hand: a cursor is made for every full page, and a Jackson tree costs more than the page's query
        StringBuilder json = new StringBuilder(64)
                .append("{\"q\":\"")
                .append(fingerprint(query))
                .append("\",\"k\":[");
        for (int i = 0; i < key.size(); i++) {
            json.append(i == 0 ? "" : ",")
                    .append(JsonValues.write(key.get(i) == null ? NullNode.getInstance() : key.get(i)));
        }
        json.append("],\"id\":").append(JsonValues.write(TextNode.valueOf(id))).append('}');
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static Position decode(Query query, int keySize) {
        String cursor = query.cursor();
        try {
            JsonNode node = JsonValues.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (!node.path("q").isTextual()
                    || !node.path("id").isTextual()
                    || !node.path("k").isArray()) {
                throw invalid(cursor);
            }
            if (!node.get("q").textValue().equals(fingerprint(query))) {
                throw new QueryException(
                        "cursor",
                        "This cursor belongs to a query with another filter or sort; "
                                + "a cursor only continues the query that returned it");
            }
            if (node.get("k").size() != keySize) {
                throw invalid(cursor);
            }
            List<JsonNode> key = new ArrayList<>();
            node.get("k").forEach(key::add);
            return new Position(key, node.get("id").textValue());
        } catch (IllegalArgumentException e) {
            throw invalid(cursor);
        }
    }

    private static QueryException invalid(String cursor) {
        return new QueryException(
                "cursor",
                "The cursor '" + (cursor.length() > 40 ? cursor.substring(0, 40) + "…" : cursor)
                        + "' is not one this store issued; pass nextCursor from a previous page unchanged");
    }

    /**
     * The parts of a query a cursor depends on, filter and sort (not limit, not fields), as a hash that is the same in
     * every process (a cursor printed by one CLI run is passed to the next): built from strings, enum names and JSON
     * values, whose hash codes are defined by their content.
     */
    private static String fingerprint(Query query) {
        return Integer.toHexString(
                hash(query.filter()) * 31 + query.sort().toString().hashCode());
    }

    private static int hash(Filter filter) {
        if (filter instanceof Filter.Condition c) {
            return (c.path().toString().hashCode() * 31 + c.op().name().hashCode()) * 31
                    + c.value().hashCode();
        }
        List<Filter> parts = filter instanceof Filter.And a
                ? a.filters()
                : filter instanceof Filter.Or o ? o.filters() : List.of(((Filter.Not) filter).filter());
        int h = filter instanceof Filter.And ? 1 : filter instanceof Filter.Or ? 2 : 3;
        for (Filter f : parts) {
            h = h * 31 + hash(f);
        }
        return h;
    }
}
