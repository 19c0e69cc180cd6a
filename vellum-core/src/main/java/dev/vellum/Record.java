package dev.vellum;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Timestamps;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A stored record. Values are snapshots: changing {@link #fields()} changes nothing in the store.
 *
 * @param version 1 on create, +1 on every write
 */
public record Record(
        String id, ObjectNode fields, ObjectNode metadata, long version, Instant createdAt, Instant updatedAt) {
    public Record {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fields, "fields");
        metadata = metadata == null ? JsonValues.NODES.objectNode() : metadata;
    }

    /** The field at a dot-separated path, or null when missing. */
    public JsonNode get(String path) {
        return JsonValues.at(fields, FieldPath.parse(path).keys());
    }

    /** The wire form: {@code {"id","version","createdAt","updatedAt","metadata":{…},"fields":{…}}}. */
    public ObjectNode toJson() {
        ObjectNode out = JsonValues.NODES.objectNode();
        out.put("id", id);
        out.put("version", version);
        out.put("createdAt", Timestamps.format(createdAt));
        out.put("updatedAt", Timestamps.format(updatedAt));
        out.set("metadata", metadata);
        out.set("fields", fields);
        return out;
    }

    /** What any Jackson mapper (2, or 3 as in Spring Boot 4) writes for it: {@link #toJson()}. */
    @JsonValue
    Map<String, Object> jsonValue() {
        return JsonValues.toJavaMap(toJson());
    }

    /**
     * Reads the wire form back ({@link #toJson()}), e.g. a line of an export or a backup; {@code where} names the
     * input in the error.
     *
     * @throws InvalidRecordException when a member is missing or of the wrong type
     */
    public static Record fromJson(JsonNode node, String where) {
        if (node == null
                || !node.isObject()
                || !node.path("id").isTextual()
                || !node.path("version").canConvertToLong()
                || !node.path("createdAt").isTextual()
                || !node.path("updatedAt").isTextual()
                || !node.path("fields").isObject()
                || !node.path("metadata").isObject()) {
            throw new InvalidRecordException(where + " is not a whole record: it needs id, version, createdAt, "
                    + "updatedAt, metadata and fields");
        }
        try {
            return new Record(
                    node.get("id").textValue(),
                    (ObjectNode) node.get("fields"),
                    (ObjectNode) node.get("metadata"),
                    node.get("version").longValue(),
                    Timestamps.parse(node.get("createdAt").textValue()),
                    Timestamps.parse(node.get("updatedAt").textValue()));
        } catch (RuntimeException e) {
            if (e instanceof VellumException) {
                throw new InvalidRecordException(where + ": " + e.getMessage());
            }
            throw new InvalidRecordException(where + " has a bad timestamp: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return JsonValues.write(toJson());
    }
}
