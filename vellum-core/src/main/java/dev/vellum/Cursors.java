package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Keyset cursors: the sort-key values and id of the last record of a page, tied to the query's sort and filter so
 * a cursor cannot be replayed against another query.
 */
public final class Cursors {
    private Cursors() {
    }

    /** A decoded cursor. */
    public record Position(List<JsonNode> key, String id) {
    }

    public static String encode(Query query, List<JsonNode> key, String id) {
        ObjectNode out = JsonValues.MAPPER.createObjectNode();
        out.put("q", fingerprint(query));
        ArrayNode values = out.putArray("k");
        key.forEach(values::add);
        out.put("id", id);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(JsonValues.write(out).getBytes(StandardCharsets.UTF_8));
    }

    public static Position decode(Query query, int keySize) {
        String cursor = query.cursor();
        try {
            JsonNode node = JsonValues.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            if (!node.path("q").isTextual() || !node.path("id").isTextual() || !node.path("k").isArray()
                    || node.get("k").size() != keySize) {
                throw invalid(cursor);
            }
            if (!node.get("q").textValue().equals(fingerprint(query))) {
                throw new QueryException("cursor", "This cursor belongs to a query with another filter or sort; "
                        + "a cursor only continues the query that returned it");
            }
            List<JsonNode> key = new ArrayList<>();
            node.get("k").forEach(key::add);
            return new Position(key, node.get("id").textValue());
        } catch (IllegalArgumentException e) {
            throw invalid(cursor);
        }
    }

    private static QueryException invalid(String cursor) {
        return new QueryException("cursor", "The cursor '" + (cursor.length() > 40 ? cursor.substring(0, 40) + "…"
                : cursor) + "' is not one this store issued; pass nextCursor from a previous page unchanged");
    }

    /** The parts of a query a cursor depends on: filter and sort (not limit, not fields). */
    private static String fingerprint(Query query) {
        String text = query.filter().toJson() + "|" + query.sort();
        return Integer.toHexString(text.hashCode());
    }
}
