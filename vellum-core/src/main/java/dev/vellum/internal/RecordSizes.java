package dev.vellum.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordTooLargeException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The size limit of a record ({@code VELLUM_MAX_RECORD_SIZE}): its fields, and its metadata, each at most so many
 * bytes of JSON text. Checked in Java where the record passes through it whole (inserts, replaces, batches), and in
 * the statement where the database computes it (merge patches and field operators), by a guard function that raises
 * {@link #TOO_LARGE} with the size and the limit, which {@link #fromDatabase} reads back.
 */
public final class RecordSizes {
    /**
     * What the databases' guard functions raise: {@code vellum_record_too_large <size> <limit> <id length>:<id>} (the
     * id's length in code points first, as the error text around it may hold anything).
     */
    public static final String TOO_LARGE = "vellum_record_too_large";

    private static final Pattern RAISED = Pattern.compile(TOO_LARGE + " (\\d+) (\\d+) (\\d+):");

    /** The message a guard function raises. */
    public static String raised(long size, long limit, String id) {
        return TOO_LARGE + " " + size + " " + limit + " " + id.codePointCount(0, id.length()) + ":" + id;
    }

    private RecordSizes() {}

    /** Whether a text is longer than {@code limit} bytes in UTF-8; encoded only when its length leaves it open. */
    public static boolean exceeds(String text, long limit) {
        return text.length() > limit || ((long) text.length() * 3 > limit && utf8Length(text) > limit);
    }

    public static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Refuses a part of a record whose JSON text is past the limit. */
    public static void check(String json, long limit, String part, String id) {
        if (exceeds(json, limit)) {
            throw tooLarge(json.getBytes(StandardCharsets.UTF_8).length, limit, part, id);
        }
    }

    /**
     * {@link #check(String, long, String, String)} for a tree: written out to count it only when a quick upper bound
     * (every character escaped, every number at its longest) does not already show it within the limit.
     */
    public static void check(JsonNode node, long limit, String part, String id) {
        if (node != null && upperBound(node, limit) > limit) {
            check(JsonValues.write(node), limit, part, id);
        }
    }

    /** At least the bytes of the node's JSON text; stops counting once past {@code stop}. */
    public static long upperBound(JsonNode node, long stop) {
        if (node == null) {
            return 4;
        }
        if (node.isTextual()) {
            return 2 + 6L * node.textValue().length();
        }
        if (node.isNumber()) {
            return 128; // at most 100 significant digits, a sign, a point and an exponent
        }
        if (node.isContainerNode()) {
            long size = 2;
            if (node.isObject()) {
                for (var member : node.properties()) {
                    size += 4 + 6L * member.getKey().length() + upperBound(member.getValue(), stop);
                    if (size > stop) {
                        return size;
                    }
                }
            } else {
                for (JsonNode element : node) {
                    size += 1 + upperBound(element, stop);
                    if (size > stop) {
                        return size;
                    }
                }
            }
            return size;
        }
        return 5; // true, false, null
    }

    /** The bytes of a record's fields and metadata as compact JSON text. */
    public static long textBytes(dev.vellum.Record record) {
        return utf8Length(JsonValues.write(record.fields())) + utf8Length(JsonValues.write(record.metadata()));
    }

    /** Refuses a record whose fields or metadata are past the limit. */
    public static <R extends dev.vellum.Record> R check(R record, long limit) {
        check(record.fields(), limit, "fields", record.id());
        check(record.metadata(), limit, "metadata", record.id());
        return record;
    }

    /** The exception a database's guard {@link #raised}, or null when the error is another. */
    public static RecordTooLargeException fromDatabase(String message) {
        if (message == null || !message.contains(TOO_LARGE)) {
            return null;
        }
        Matcher m = RAISED.matcher(message);
        if (!m.find()) {
            return tooLarge(-1, -1, "fields", null);
        }
        String id;
        try {
            id = message.substring(m.end(), message.offsetByCodePoints(m.end(), Integer.parseInt(m.group(3))));
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            id = null; // cut short by the driver
        }
        return tooLarge(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), "fields", id);
    }

    private static RecordTooLargeException tooLarge(long size, long limit, String part, String id) {
        String which = id == null ? "A record" : "Record '" + Messages.abbreviate(id) + "'";
        return new RecordTooLargeException(
                which + " would hold " + (size < 0 ? "more" : String.format(java.util.Locale.ROOT, "%,d bytes", size))
                        + " of " + part + " (as JSON text) after this write; a "
                        + "record may hold at most "
                        + (limit < 0
                                ? "VELLUM_MAX_RECORD_SIZE"
                                : String.format(
                                        java.util.Locale.ROOT, "%,d bytes of each (VELLUM_MAX_RECORD_SIZE)", limit))
                        + ". Nothing was "
                        + "written.",
                size,
                limit);
    }
}
