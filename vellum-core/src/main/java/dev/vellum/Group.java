package dev.vellum;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import java.util.Map;

/**
 * One group of {@link Collection#aggregate}: the values of the group-by paths ({@code key}, a path whose value is
 * missing or null maps to null) and each accumulator's value by its name, in the order they were asked for.
 */
public record Group(ObjectNode key, Map<String, JsonNode> values) {

    public Group {
        key = key.deepCopy();
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

    /** An accumulator's value (a JSON null when there was nothing to compute it from). */
    public JsonNode get(String name) {
        JsonNode value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException(
                    "No accumulator named '" + name + "'; this group has " + values.keySet());
        }
        return value;
    }

    /** The value of a group-by path in this group's key (null for the group of missing and null values). */
    public JsonNode key(String path) {
        JsonNode value = key.get(path);
        return value == null || value.isNull() ? null : value;
    }

    /** {@code {"key":{"city":"NY"},"n":2,"avgAge":31.5}}. */
    public ObjectNode toJson() {
        ObjectNode json = JsonValues.NODES.objectNode();
        json.set("key", key.deepCopy());
        values.forEach((name, value) -> json.set(name, value.deepCopy()));
        return json;
    }

    /** What any Jackson mapper (2, or 3 as in Spring Boot 4) writes for it: {@link #toJson()}. */
    @JsonValue
    Map<String, Object> jsonValue() {
        return JsonValues.toJavaMap(toJson());
    }
}
