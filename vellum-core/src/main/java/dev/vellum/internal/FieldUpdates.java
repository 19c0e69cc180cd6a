package dev.vellum.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.FieldPath;
import dev.vellum.InvalidRecordException;
import dev.vellum.QueryException;
import dev.vellum.spi.FieldOperation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An update document of field operators ({@code {"$inc":{"visits":1},"$push":{"tags":"new"}}}), checked once, and
 * the reference implementation of what it does to a record's fields. The memory backend and SQLite (a SQL function)
 * run {@link #apply} itself; PostgreSQL runs the same rules in a SQL function (migration V7), and the conformance
 * suite holds the two to the same results.
 */
public final class FieldUpdates {

    /** The operators, by the name they have in an update document. */
    public enum Op {
        SET("$set"),
        UNSET("$unset"),
        INC("$inc"),
        PUSH("$push"),
        ADD_TO_SET("$addToSet"),
        PULL("$pull"),
        MIN("$min"),
        MAX("$max");

        final String name;

        Op(String name) {
            this.name = name;
        }

        /** The name in an update document, such as {@code $inc}. */
        public String operator() {
            return name;
        }

        static Op named(String name) {
            for (Op op : values()) {
                if (op.name.equals(name)) {
                    return op;
                }
            }
            return null;
        }

        /** The code the SQL functions read. */
        String code() {
            return name.substring(1);
        }
    }

    /** One operator on one path; for {@code $push} and {@code $addToSet} the value is the array of elements to add. */
    public record Step(Op op, String path, List<String> keys, JsonNode value) {}

    private static final String OPERATORS = "$set, $unset, $inc, $push, $addToSet, $pull, $min and $max";

    private final List<Step> steps;
    private final List<FieldOperation> operations;
    private final String json;

    private FieldUpdates(List<Step> steps) {
        this.steps = List.copyOf(steps);
        this.operations = this.steps.stream()
                .map(s -> new FieldOperation(s.op.code(), s.keys, s.value))
                .toList();
        this.json = FieldOperation.json(operations).text();
    }

    /** True when the document's keys are operators ({@code $…}): field keys never start with {@code $}. */
    public static boolean isUpdate(JsonNode document) {
        if (document == null || !document.isObject()) {
            return false;
        }
        for (Iterator<String> it = document.fieldNames(); it.hasNext(); ) {
            if (it.next().startsWith("$")) {
                return true;
            }
        }
        return false;
    }

    /** Checks an update document: known operators, field paths, values each operator takes, no path changed twice. */
    public static FieldUpdates parse(ObjectNode document) {
        List<Step> steps = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = document.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Op op = Op.named(e.getKey());
            if (op == null) {
                if (!e.getKey().startsWith("$")) {
                    throw new QueryException(
                            e.getKey(),
                            "The update mixes field operators with the plain field '"
                                    + Messages.abbreviate(e.getKey())
                                    + "'; put plain values under $set, or send a merge patch "
                                    + "without operators");
                }
                throw new QueryException(
                        e.getKey(),
                        "Unknown update operator '" + Messages.abbreviate(e.getKey()) + "'; the operators are "
                                + OPERATORS);
            }
            JsonNode paths = e.getValue();
            if (!paths.isObject() || paths.isEmpty()) {
                throw new QueryException(
                        op.name,
                        op.name + " takes an object of field paths and values, such as {\"" + op.name + "\":{\"a.b\":"
                                + (op == Op.INC ? "1" : "\"x\"") + "}}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> p = paths.properties().iterator(); p.hasNext(); ) {
                Map.Entry<String, JsonNode> target = p.next();
                steps.add(step(op, target.getKey(), target.getValue()));
            }
        }
        if (steps.isEmpty()) {
            throw new QueryException("update", "An update needs at least one operator: " + OPERATORS);
        }
        for (int i = 0; i < steps.size(); i++) {
            for (int j = i + 1; j < steps.size(); j++) {
                if (overlap(steps.get(i).keys, steps.get(j).keys)) {
                    throw new QueryException(
                            steps.get(j).path,
                            "The update changes '" + steps.get(i).path + "' ("
                                    + steps.get(i).op.name + ") and '" + steps.get(j).path + "' ("
                                    + steps.get(j).op.name
                                    + "), one inside the other; change each path once");
                }
            }
        }
        return new FieldUpdates(steps);
    }

    private static Step step(Op op, String path, JsonNode value) {
        FieldPath parsed = FieldPath.parse(path);
        if (parsed.kind() != FieldPath.Kind.FIELD) {
            throw new QueryException(
                    path,
                    "Field operators change fields only; '" + path + "' is not a field path "
                            + "($id, $version, the timestamps and $meta are kept by Vellum or written with metadata)");
        }
        String where = op.name + " " + Messages.abbreviate(path);
        switch (op) {
            case INC -> {
                if (!value.isNumber()) {
                    throw new QueryException(
                            path,
                            "$inc needs a number for '" + Messages.abbreviate(path) + "', got " + typeName(value));
                }
            }
            case MIN, MAX -> {
                int rank = JsonValues.isAbsent(value) ? JsonValues.ABSENT : JsonValues.rank(value);
                if (rank != JsonValues.NUMBER && rank != JsonValues.STRING && rank != JsonValues.BOOLEAN) {
                    throw new QueryException(
                            path,
                            op.name + " needs a number, string or boolean for '" + Messages.abbreviate(path) + "', got "
                                    + typeName(value));
                }
            }
            case PUSH, ADD_TO_SET -> value = elements(op, path, value);
            case UNSET -> value = JsonValues.NODES.booleanNode(true);
            default -> {}
        }
        String problem = ValueRules.problemIn(value, where);
        if (problem != null) {
            throw new QueryException(path, problem);
        }
        return new Step(op, path, parsed.keys(), value);
    }

    /** The elements {@code $push} or {@code $addToSet} add: one value, or the array under {@code $each}. */
    private static JsonNode elements(Op op, String path, JsonNode value) {
        if (value.isObject() && isUpdate(value)) {
            JsonNode each = value.get("$each");
            if (value.size() != 1 || each == null || !each.isArray()) {
                throw new QueryException(
                        path,
                        op.name + " takes a value or {\"$each\":[values]} for '" + Messages.abbreviate(path) + "'");
            }
            return each;
        }
        return JsonValues.NODES.arrayNode().add(value);
    }

    private static boolean overlap(List<String> a, List<String> b) {
        int n = Math.min(a.size(), b.size());
        return a.subList(0, n).equals(b.subList(0, n));
    }

    public List<Step> steps() {
        return steps;
    }

    /** The steps as a SQL backend receives them ({@link dev.vellum.spi.RecordPaths#fieldUpdate}). */
    public List<FieldOperation> operations() {
        return operations;
    }

    /** The steps as the SQL functions take them: {@code [{"op":"inc","path":["a","b"],"value":1}, …]}. */
    public String json() {
        return json;
    }

    /** Parses {@link #json()} again (for a SQL function, which receives the text). */
    public static FieldUpdates fromJson(String json) {
        List<Step> steps = new ArrayList<>();
        for (JsonNode s : JsonValues.parse(json)) {
            Op op = Op.named("$" + s.get("op").textValue());
            List<String> keys = new ArrayList<>();
            s.get("path").forEach(k -> keys.add(k.textValue()));
            steps.add(new Step(op, String.join(".", keys), keys, s.get("value")));
        }
        return new FieldUpdates(steps);
    }

    /**
     * The fields after the update (a new object; {@code fields} is not changed).
     *
     * @throws InvalidRecordException when a value has a type its operator cannot change
     */
    public ObjectNode apply(ObjectNode fields, String id) {
        ObjectNode result = fields.deepCopy();
        for (Step step : steps) {
            apply(result, step, 0, id);
        }
        return result;
    }

    private static void apply(ObjectNode parent, Step step, int depth, String id) {
        String key = step.keys.get(depth);
        JsonNode current = parent.get(key);
        boolean absent = current == null || current.isNull();
        if (depth < step.keys.size() - 1) {
            if (absent) {
                if (step.op == Op.UNSET || step.op == Op.PULL) {
                    return; // nothing there to remove
                }
                current = parent.putObject(key);
            } else if (!current.isObject()) {
                if (step.op == Op.UNSET) {
                    return;
                }
                throw mismatch(
                        step,
                        id,
                        String.join(".", step.keys.subList(0, depth + 1)) + "' holds " + typeName(current)
                                + ", not an object");
            }
            apply((ObjectNode) current, step, depth + 1, id);
            return;
        }
        switch (step.op) {
            case SET -> parent.set(key, step.value.deepCopy());
            case UNSET -> parent.remove(key);
            case INC -> {
                if (absent) {
                    parent.set(key, step.value.deepCopy());
                } else if (current.isNumber()) {
                    BigDecimal sum = JsonValues.number(current).add(JsonValues.number(step.value));
                    JsonNode node = JsonValues.NODES.numberNode(sum);
                    if (ValueRules.problemInNumber(node) != null) {
                        throw mismatch(
                                step,
                                id,
                                step.path + "' would then hold a number Vellum cannot store (at "
                                        + "most 100 significant digits, a magnitude from 4.9e-324 to 1.7976931348623157e308)");
                    }
                    parent.set(key, integral(sum) ? JsonValues.NODES.numberNode(sum.toBigIntegerExact()) : node);
                } else {
                    throw mismatch(step, id, step.path + "' holds " + typeName(current) + ", not a number");
                }
            }
            case PUSH, ADD_TO_SET, PULL -> {
                if (!absent && !current.isArray()) {
                    throw mismatch(step, id, step.path + "' holds " + typeName(current) + ", not an array");
                }
                if (step.op == Op.PULL) {
                    if (!absent) {
                        ArrayNode kept = JsonValues.NODES.arrayNode();
                        current.forEach(e -> {
                            if (!JsonValues.equalElement(e, step.value)) {
                                kept.add(e);
                            }
                        });
                        parent.set(key, kept);
                    }
                    return;
                }
                ArrayNode array = absent ? JsonValues.NODES.arrayNode() : ((ArrayNode) current).deepCopy();
                for (JsonNode e : step.value) {
                    if (step.op == Op.PUSH || !containsSame(array, e)) {
                        array.add(e.deepCopy());
                    }
                }
                parent.set(key, array);
            }
            case MIN, MAX -> {
                if (absent) {
                    parent.set(key, step.value.deepCopy());
                    return;
                }
                if (JsonValues.rank(current) != JsonValues.rank(step.value)) {
                    throw mismatch(
                            step,
                            id,
                            step.path + "' holds " + typeName(current) + ", which " + step.op.name
                                    + " does not compare with " + typeName(step.value));
                }
                int c = JsonValues.compareSameRank(step.value, current);
                if (step.op == Op.MIN ? c < 0 : c > 0) {
                    parent.set(key, step.value.deepCopy());
                }
            }
        }
    }

    /** An integral sum without a fraction written ({@code 2}, not {@code 2.0}) only when both sides were integers. */
    private static boolean integral(BigDecimal sum) {
        return sum.scale() <= 0;
    }

    private static boolean containsSame(ArrayNode array, JsonNode value) {
        for (JsonNode e : array) {
            if (JsonValues.equalElement(e, value)) {
                return true;
            }
        }
        return false;
    }

    private static InvalidRecordException mismatch(Step step, String id, String why) {
        return new InvalidRecordException("Cannot apply " + step.op.name + " to '" + Messages.abbreviate(step.path)
                + "' of record '" + Messages.abbreviate(id) + "': '" + why + ". Nothing was written.");
    }

    static String typeName(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        return switch (value.getNodeType()) {
            case NUMBER -> "a number";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a " + value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
