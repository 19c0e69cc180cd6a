package dev.vellum.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reading a request: its collection, its JSON body (bounded, one value, known keys only), queries from parameters or
 * a body, filters within the server's limits, and conditional headers. Everything it refuses is a {@link Problem}
 * or a {@code QueryException} that says what to send instead.
 */
final class Requests {
    private static final Set<String> QUERY_PARAMS = Set.of("filter", "sort", "limit", "cursor", "offset", "fields");
    /** Keys of an exported record that a batch import accepts and ignores: the store assigns them anew. */
    private static final List<String> ASSIGNED_KEYS = List.of("version", "createdAt", "updatedAt");

    private final RecordStore store;
    private final ServerSettings limits;

    Requests(RecordStore store, ServerSettings limits) {
        this.store = store;
        this.limits = limits;
    }

    Collection collection(Context ctx) {
        return store.collection(collectionName(ctx));
    }

    static String collectionName(Context ctx) {
        return ctx.pathParam("c");
    }

    /** A Api.JSON object body; {@code keys} (when given) are the only members allowed. */
    JsonNode body(Context ctx, Set<String> keys) {
        String type = mediaType(ctx);
        if (!isJson(type)) {
            throw unsupported(type, Api.JSON);
        }
        JsonNode body = parse(readLimited(ctx));
        if (!body.isObject()) {
            throw Problem.badRequest("The body must be a JSON object.");
        }
        if (keys != null) {
            for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!keys.contains(key)) {
                    throw Problem.badRequest("Unknown member \"" + key + "\"; this endpoint takes "
                            + String.join(", ", keys.stream().sorted().toList()) + ".");
                }
            }
        }
        return body;
    }

    void requireContentType(Context ctx, String expected) {
        String type = mediaType(ctx);
        if (!type.equals(expected) && !type.equals(Api.JSON)) {
            throw unsupported(type, expected);
        }
    }

    static Problem unsupported(String type, String expected) {
        return new Problem(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                (type.isEmpty() ? "The request has no Content-Type" : "Content-Type " + type + " is not accepted here")
                        + ": send " + expected + ".");
    }

    /** The media type without parameters, lower case; empty when absent. */
    static String mediaType(Context ctx) {
        String type = ctx.contentType();
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    static boolean isJson(String type) {
        return type.equals(Api.JSON) || type.startsWith("application/") && type.endsWith("+json");
    }

    /** Reads the body, refusing more than the configured limit without reading it all first. */
    byte[] readLimited(Context ctx) {
        long limit = limits.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = ctx.bodyInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 1 << 20)));
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
            byte[] body = out.toByteArray();
            Problem.requireUtf8(body);
            return body;
        } catch (IOException e) {
            throw Problem.unreadableBody(e);
        }
    }

    static Problem tooLarge(long limit) {
        return new Problem(
                413,
                "body-too-large",
                "Request body too large",
                "The body is larger than " + limit
                        + " bytes (VELLUM_HTTP_MAX_BODY). Send large batches as NDJSON (" + Api.NDJSON + ") to "
                        + "/v1/collections/{c}/records:batch, which is streamed.");
    }

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new Problem(
                    400, "malformed-json", "Malformed JSON", "The request body is empty; send a JSON " + "document.");
        }
        try {
            return VellumJson.inputReader().readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Problem(
                    400,
                    "malformed-json",
                    "Malformed JSON",
                    "The request body is not valid JSON: " + VellumJson.reason(e));
        } catch (IOException e) {
            throw Problem.unreadableBody(e);
        }
    }

    /** GET …/records?filter=…&sort=…: the same query object as POST …/query, built from parameters. */
    Query queryFromParameters(Context ctx) {
        ObjectNode node = VellumJson.nodes().objectNode();
        for (String name : ctx.queryParamMap().keySet()) {
            if (!QUERY_PARAMS.contains(name)) {
                throw new QueryException(
                        name,
                        "Unknown query parameter '" + name + "'; parameters are "
                                + String.join(
                                        ", ", QUERY_PARAMS.stream().sorted().toList()));
            }
        }
        String filter = ctx.queryParam("filter");
        if (filter != null) {
            try {
                node.set("filter", VellumJson.inputReader().readTree(filter));
            } catch (IOException e) {
                throw new QueryException("filter", "filter must be a JSON filter such as {\"age\":{\"$gte\":30}}");
            }
        }
        splitParameter(ctx, "sort", node);
        splitParameter(ctx, "fields", node);
        integerParameter(ctx, "limit", node);
        integerParameter(ctx, "offset", node);
        if (ctx.queryParam("cursor") != null) {
            node.put("cursor", ctx.queryParam("cursor"));
        }
        return checked(node);
    }

    Query queryFromBody(Context ctx) {
        JsonNode body = body(ctx, null);
        return checked((ObjectNode) body);
    }

    /** Applies the server's page-size default and limits and its filter limits. */
    Query checked(ObjectNode node) {
        JsonNode limit = node.get("limit");
        if (limit == null || limit.isNull()) {
            node.put("limit", limits.defaultPageSize());
        } else if (limit.canConvertToInt() && limit.intValue() > limits.maxPageSize()) {
            throw new QueryException(
                    "limit",
                    "limit must be at most " + limits.maxPageSize()
                            + " on this server (VELLUM_HTTP_MAX_PAGE_SIZE); use the cursor for the next page");
        }
        Query query = Query.fromJson(node);
        FilterLimits.check(query.filter(), limits.maxFilterDepth(), limits.maxFilterConditions());
        return query;
    }

    /** The "filter" member; {@code required} for bulk writes, so an empty body never means "everything". */
    Filter filter(JsonNode body, boolean required) {
        JsonNode node = body.get("filter");
        if (node == null || node.isNull()) {
            if (required) {
                throw new QueryException("filter", "\"filter\" is required here; use {} to mean every record");
            }
            return Filter.all();
        }
        Filter filter = Filter.fromJson(node);
        FilterLimits.check(filter, limits.maxFilterDepth(), limits.maxFilterConditions());
        return filter;
    }

    static void splitParameter(Context ctx, String name, ObjectNode node) {
        String value = ctx.queryParam(name);
        if (value != null && !value.isBlank()) {
            ArrayNode list = node.putArray(name);
            for (String part : value.split(",")) {
                list.add(part.strip());
            }
        }
    }

    static void integerParameter(Context ctx, String name, ObjectNode node) {
        String value = ctx.queryParam(name);
        if (value != null) {
            try {
                node.put(name, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                throw new QueryException(name, name + " must be a whole number, got '" + value + "'");
            }
        }
    }

    static boolean booleanParameter(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true") || value.isEmpty()) {
            return true;
        }
        throw Problem.badRequest(name + " must be true or false, got '" + value + "'");
    }

    static String text(JsonNode body, String key, boolean required) {
        JsonNode node = body.get(key);
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            if (!required && (node == null || node.isNull())) {
                return null;
            }
            throw Problem.badRequest("\"" + key + "\" must be a non-empty string.");
        }
        return node.textValue();
    }

    /** The version an {@code If-Match: "N"} header names; null without the header or for {@code *}. */
    static Long ifMatch(Context ctx) {
        String header = ctx.header("If-Match");
        if (header == null || header.trim().equals("*")) {
            return null;
        }
        String value = header.trim();
        String digits = value.length() >= 3 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : "";
        if (!digits.isEmpty() && digits.length() <= 19 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException pastLong) {
                // fall through to the message
            }
        }
        throw Problem.badRequest("If-Match must be the record's ETag, e.g. \"3\" (with the quotes), got " + value);
    }

    /** Whether an {@code If-None-Match} list names this ETag (weak or strong, as RFC 9110 asks for GET). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    static NewRecord withId(NewRecord r) {
        return r.id() == null ? r.withId(Vellum.newId()) : r;
    }

    static JsonNode stripAssigned(JsonNode node) {
        if (node instanceof ObjectNode o && ASSIGNED_KEYS.stream().anyMatch(o::has)) {
            ObjectNode copy = o.deepCopy();
            copy.remove(ASSIGNED_KEYS);
            return copy;
        }
        return node;
    }
}
