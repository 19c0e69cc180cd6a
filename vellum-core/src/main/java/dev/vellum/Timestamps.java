package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Record timestamps: UTC, millisecond precision, ISO-8601 with exactly three fraction digits on the wire, so that
 * their text order is their time order.
 */
public final class Timestamps {
    public static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    public static String format(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    public static Instant parse(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    /**
     * Filters on {@code $createdAt}/{@code $updatedAt} compare instants: string values must be ISO-8601 instants and
     * are normalised to the stored form (UTC, milliseconds); values of other types stay as they are and, having
     * another type, never compare equal or ordered.
     */
    static JsonNode normalizeFilterValue(FieldPath path, Filter.Op op, JsonNode value) {
        if (value.isArray()) {
            ArrayNode out = JsonValues.MAPPER.createArrayNode();
            value.forEach(v -> out.add(normalizeOne(path, op, v)));
            return out;
        }
        return normalizeOne(path, op, value);
    }

    private static JsonNode normalizeOne(FieldPath path, Filter.Op op, JsonNode value) {
        if (!value.isTextual() || op == Filter.Op.LIKE || op == Filter.Op.ILIKE || op == Filter.Op.REGEX
                || op == Filter.Op.STARTS_WITH) {
            return value;
        }
        try {
            Instant instant = parse(value.textValue()).truncatedTo(ChronoUnit.MILLIS);
            return JsonValues.MAPPER.getNodeFactory().textNode(format(instant));
        } catch (DateTimeParseException e) {
            throw new QueryException(value.textValue(), path + " compares with ISO-8601 instants such as "
                    + "2026-01-31T12:00:00Z; '" + value.textValue() + "' is not one");
        }
    }
}
