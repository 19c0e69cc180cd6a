package dev.vellum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.RecordSizes;

/**
 * JSON by Vellum's rules, for code that stands beside the store (the HTTP server, the command line, tools, tests):
 * decimals stay exactly as written ({@code 1.10} stays {@code 1.10}), a document holds exactly one JSON value, and
 * numbers are written plainly. Records' fields are Jackson 2 trees made the same way, so what this reads compares
 * and stores exactly as a record's own values do.
 */
public final class VellumJson {
    private VellumJson() {}

    /** Makes JSON trees whose decimals stay exact. */
    public static JsonNodeFactory nodes() {
        return JsonValues.NODES;
    }

    /**
     * Reads JSON that comes from outside (request bodies, filters, NDJSON lines): the rules above, and a key given
     * twice in one object is an error rather than the last one silently winning.
     */
    public static ObjectReader inputReader() {
        return JsonValues.INPUT_READER;
    }

    /** Writes Java values and trees by the rules above. */
    public static ObjectWriter writer() {
        return JsonValues.WRITER;
    }

    /**
     * Parses one JSON value; malformed text is an {@link IllegalArgumentException} that says what is wrong and where,
     * in words.
     */
    public static JsonNode parse(String json) {
        return JsonValues.parse(json);
    }

    /** Parses one JSON value from UTF-8 text, as {@link #parse(String)} does. */
    public static JsonNode parse(byte[] utf8) {
        return JsonValues.parse(utf8, 0);
    }

    /** The JSON text of a tree. */
    public static String write(JsonNode node) {
        return JsonValues.write(node);
    }

    /**
     * A value's canonical JSON text: object keys sorted by code point, no spaces, numbers without trailing zeros and
     * never in exponent form. Equal values (by Vellum's rules: {@code 1.0} equals {@code 1}) have equal canonical
     * texts, so it is what checksums and comparisons of whole documents are computed on.
     */
    public static String canonical(JsonNode value) {
        return JsonValues.canonical(value);
    }

    /** A Java value (maps, lists, numbers, strings, records, beans) as a JSON tree. */
    public static JsonNode toTree(Object value) {
        return JsonValues.toTree(value);
    }

    /**
     * What is wrong with JSON text, for a person: the parser's finding without its Java vocabulary, and where it is.
     */
    public static String reason(JsonProcessingException e) {
        return JsonValues.reason(e);
    }

    /**
     * At least the number of UTF-8 bytes of the tree's JSON text, counting no further than {@code stop}: a cheap test
     * of whether a tree fits a limit without writing it.
     */
    public static long textSizeUpTo(JsonNode node, long stop) {
        return RecordSizes.upperBound(node, stop);
    }

    /**
     * An instant as Vellum writes timestamps in JSON: UTC, exactly three fraction digits
     * ({@code 2026-12-07T11:55:35.123Z}), so text order is time order.
     */
    public static String formatInstant(java.time.Instant instant) {
        return dev.vellum.internal.Timestamps.format(instant);
    }

    /** Reads an ISO-8601 instant with any fraction and zone ({@code Z} or an offset), as timestamps are read. */
    public static java.time.Instant parseInstant(String text) {
        return dev.vellum.internal.Timestamps.parse(text);
    }
}
