package dev.vellum;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import java.util.List;

/**
 * Field operators for {@link Collection#patch(String, Object)} and {@link Collection#updateMany(Filter, Object)}, run
 * by the database in the write's one statement, so concurrent updates never lose one another's changes:
 * <pre>{@code
 * posts.patch(id, Update.fields().inc("views", 1).addToSet("tags", "java").set("author.name", "Ada"));
 * }</pre>
 * The same update as JSON (what this builds, and what the HTTP API takes) is
 * {@code {"$inc":{"views":1},"$addToSet":{"tags":"java"},"$set":{"author.name":"Ada"}}}. Paths are dotted field
 * paths; the rules of each operator are in docs/semantics.md ("Field operators").
 */
public final class Update {
    /**
     * The values as given, operator by operator, converted to JSON when the update is applied: by a typed
     * collection's own mapper there, so an {@code Instant} is written as its records' are.
     */
    private final java.util.Map<String, java.util.Map<String, Object>> given = new java.util.LinkedHashMap<>();

    private Update() {}

    /** An empty update to add operators to. */
    public static Update fields() {
        return new Update();
    }

    /** Sets the value at the path, creating missing objects on the way. */
    public Update set(String path, Object value) {
        return put("$set", path, value);
    }

    /** Removes the field (nothing happens when it is missing). */
    public Update unset(String path) {
        return put("$unset", path, true);
    }

    /** Adds to a number; a missing field counts as 0. */
    public Update inc(String path, Number amount) {
        return put("$inc", path, amount);
    }

    /** Appends to an array; a missing field counts as an empty array. */
    public Update push(String path, Object value) {
        return put("$push", path, value);
    }

    /** Appends every value, in order. */
    public Update pushEach(String path, List<?> values) {
        return put("$push", path, java.util.Map.of("$each", values));
    }

    /** Appends the value unless an equal one is in the array already. */
    public Update addToSet(String path, Object value) {
        return put("$addToSet", path, value);
    }

    /** {@link #addToSet} for each value. */
    public Update addEachToSet(String path, List<?> values) {
        return put("$addToSet", path, java.util.Map.of("$each", values));
    }

    /** Removes every element equal to the value. */
    public Update pull(String path, Object value) {
        return put("$pull", path, value);
    }

    /** Sets the value if it is smaller than the current one (of the same type) or the field is missing. */
    public Update min(String path, Object value) {
        return put("$min", path, value);
    }

    /** Sets the value if it is larger than the current one (of the same type) or the field is missing. */
    public Update max(String path, Object value) {
        return put("$max", path, value);
    }

    private Update put(String operator, String path, Object value) {
        given.computeIfAbsent(operator, k -> new java.util.LinkedHashMap<>()).put(path, value);
        return this;
    }

    /** The update document with the values converted by {@code convert} (a typed collection's mapper). */
    ObjectNode toJson(java.util.function.Function<Object, JsonNode> convert) {
        ObjectNode out = JsonValues.NODES.objectNode();
        given.forEach((operator, paths) -> {
            ObjectNode converted = out.putObject(operator);
            paths.forEach((path, value) -> converted.set(path, convert.apply(value)));
        });
        return out;
    }

    /** The update document, as JSON (the values converted as an untyped collection converts them). */
    @JsonValue
    public ObjectNode toJson() {
        return toJson(JsonValues::toTree);
    }

    @Override
    public String toString() {
        try {
            return JsonValues.write(toJson());
        } catch (IllegalArgumentException e) {
            return given.toString(); // a value only a typed collection's mapper converts
        }
    }
}
