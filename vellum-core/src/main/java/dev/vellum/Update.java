package dev.vellum;

import com.fasterxml.jackson.annotation.JsonValue;
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
    private final ObjectNode operators = JsonValues.NODES.objectNode();

    private Update() {
    }

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
        ObjectNode paths = operators.has(operator) ? (ObjectNode) operators.get(operator)
                : operators.putObject(operator);
        paths.set(path, JsonValues.toTree(value));
        return this;
    }

    /** The update document, as JSON. */
    @JsonValue
    public ObjectNode toJson() {
        return operators.deepCopy();
    }

    @Override
    public String toString() {
        return JsonValues.write(operators);
    }
}
