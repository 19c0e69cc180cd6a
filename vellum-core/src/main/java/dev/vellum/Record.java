package dev.vellum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored record. Values are snapshots: changing {@link #fields()} changes nothing in the store.
 *
 * @param version 1 on create, +1 on every write
 */
public record Record(String id, ObjectNode fields, ObjectNode metadata, long version, Instant createdAt,
                     Instant updatedAt) {
    public Record {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fields, "fields");
        metadata = metadata == null ? JsonValues.MAPPER.createObjectNode() : metadata;
    }

    /** The field at a dot-separated path, or null when missing. */
    public JsonNode get(String path) {
        return JsonValues.at(fields, FieldPath.parse(path).keys());
    }

    /** The wire form: {@code {"id","version","createdAt","updatedAt","metadata":{…},"fields":{…}}}. */
    public ObjectNode toJson() {
        ObjectNode out = JsonValues.MAPPER.createObjectNode();
        out.put("id", id);
        out.put("version", version);
        out.put("createdAt", Timestamps.format(createdAt));
        out.put("updatedAt", Timestamps.format(updatedAt));
        out.set("metadata", metadata);
        out.set("fields", fields);
        return out;
    }

    @Override
    public String toString() {
        return JsonValues.write(toJson());
    }
}
