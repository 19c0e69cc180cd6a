package dev.vellum.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Json;
import dev.vellum.VellumJson;
import java.util.List;

/**
 * One field operator of an update, as {@link RecordPaths#fieldUpdate} receives it, in the order the update applies
 * them.
 *
 * @param operator the operator's name without its {@code $}: {@code set}, {@code unset}, {@code inc}, {@code push},
 *                 {@code addToSet}, {@code pull}, {@code min} or {@code max}
 * @param keys     the path's keys, outermost first
 * @param value    the operand ({@code $push} and {@code $addToSet}: the array of elements to add; {@code $unset}:
 *                 none, as JSON null)
 */
public record FieldOperation(String operator, List<String> keys, JsonNode value) {
    public FieldOperation {
        keys = List.copyOf(keys);
    }

    /** True for an operator on a top-level field. */
    public boolean topLevel() {
        return keys.size() == 1;
    }

    /**
     * The operations as one JSON array, {@code [{"op":"inc","path":["a","b"],"value":1}, …]}: the form a backend's
     * function for the operators takes.
     */
    public static Json json(List<FieldOperation> operations) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (FieldOperation operation : operations) {
            ObjectNode o = array.addObject().put("op", operation.operator());
            operation.keys().forEach(o.putArray("path")::add);
            o.set("value", operation.value());
        }
        return Json.of(VellumJson.write(array));
    }
}
