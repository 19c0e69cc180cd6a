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
        Instant fast = parseStored(text);
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * Parses the stored form {@code 2026-11-21T23:23:28.123Z} without the general ISO parser, which dominates the
     * cost of reading small records; null for any other form.
     */
    public static Instant parseStored(String t) {
        if (t.length() != 24 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(19) != '.' || t.charAt(23) != 'Z') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        int millis = digits(t, 20, 23);
        if ((year | month | day | hour | minute | second | millis) < 0 || month < 1 || month > 12 || day < 1
                || day > 31 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        try {
            long days = java.time.LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, millis * 1_000_000L);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int d = t.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
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
