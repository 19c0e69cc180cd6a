package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.internal.JsonValues;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A record to write in a batch.
 *
 * @param id       null to generate one (UUIDv7, so new ids sort by creation time)
 * @param fields   a JSON object: a Jackson {@code ObjectNode}, a {@code Map}, or any object Jackson can convert
 * @param metadata like fields; null for none (on upsert: keep the stored metadata)
 */
public record NewRecord(String id, Object fields, Object metadata) {
    private static final Set<String> KEYS = Set.of("id", "fields", "metadata");

    public static NewRecord of(Object fields) {
        return new NewRecord(null, fields, null);
    }

    public static NewRecord of(String id, Object fields) {
        return new NewRecord(id, fields, null);
    }

    /** This record with the id filled in. */
    public NewRecord withId(String newId) {
        return new NewRecord(newId, fields, metadata);
    }

    /**
     * Reads the wire form {@code {"id"?, "fields":{…}, "metadata"?}}; {@code where} names the input in the error
     * (e.g. "line 7").
     *
     * @throws InvalidRecordException when the shape is wrong; the message says what a record looks like
     */
    public static NewRecord fromJson(JsonNode node, String where) {
        if (node == null || !node.isObject() || !node.path("fields").isObject()) {
            throw new InvalidRecordException(where + " must be an object with a \"fields\" object, e.g. "
                    + "{\"id\":\"a1\",\"fields\":{\"name\":\"Ada\"}}. Nothing was written.");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String k = keys.next();
            if (!KEYS.contains(k)) {
                throw new InvalidRecordException(where + " has an unknown key \"" + k + "\"; a record holds id, "
                        + "fields and metadata. Nothing was written.");
            }
        }
        JsonNode id = node.get("id");
        if (id != null && !id.isNull() && !id.isTextual()) {
            throw new InvalidRecordException(where + ": id must be a string. Nothing was written.");
        }
        JsonNode metadata = node.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw new InvalidRecordException(where + ": metadata must be an object. Nothing was written.");
        }
        return new NewRecord(
                id == null || id.isNull() ? null : id.textValue(),
                node.get("fields"),
                metadata == null || metadata.isNull() ? null : metadata);
    }

    /**
     * Reads one record per NDJSON line, lazily, so any number of lines fits in constant memory. Blank lines are
     * skipped; a bad line fails with its line number.
     */
    public static Iterator<NewRecord> readNdjson(BufferedReader reader) {
        return new Iterator<>() {
            private String line;
            private long lineNumber;

            @Override
            public boolean hasNext() {
                try {
                    while (line == null) {
                        String next = reader.readLine();
                        if (next == null) {
                            return false;
                        }
                        lineNumber++;
                        if (!next.isBlank()) {
                            line = next;
                        }
                    }
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public NewRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String text = line;
                line = null;
                JsonNode node;
                try {
                    node = JsonValues.parseInput(text);
                } catch (IllegalArgumentException e) {
                    throw new InvalidRecordException(
                            "line " + lineNumber + " is not valid JSON: " + e.getMessage() + ". Nothing was written.");
                }
                return fromJson(node, "line " + lineNumber);
            }
        };
    }
}
