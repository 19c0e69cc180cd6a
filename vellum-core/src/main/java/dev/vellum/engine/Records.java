package dev.vellum.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.InvalidRecordException;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.VellumException;
import dev.vellum.internal.FieldUpdates;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import dev.vellum.internal.ValuePlace;
import dev.vellum.internal.ValueRules;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/** The write-side rules every backend shares: names, ids, field keys, id generation. */
public final class Records {
    private static final Pattern COLLECTION = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object CLOCK = new Object();
    private static long lastMillis;
    private static long sequence;

    private Records() {}

    public static String collectionName(String name) {
        return checkName(name, "collection", InvalidRecordException::new);
    }

    /** An index name is part of an index definition, so a bad one is a {@link QueryException}, as a bad path is. */
    public static String indexName(String name) {
        return checkName(
                name, "index", message -> new QueryException(Messages.abbreviate(String.valueOf(name)), message));
    }

    /** Collection and index names share one rule: they become parts of SQL identifiers. */
    private static String checkName(
            String name, String kind, java.util.function.Function<String, ? extends VellumException> error) {
        if (name == null || !COLLECTION.matcher(name).matches()) {
            throw error.apply("Invalid " + kind + " name '" + Messages.abbreviate(name) + "': use 1 to 63 "
                    + "characters, a lowercase letter first, then lowercase letters, digits or _");
        }
        return name;
    }

    /** A record to load as it is: id, keys and strings checked, version positive, timestamps present. */
    public static Record loaded(Record r) {
        if (r.version() < 1) {
            throw new InvalidRecordException(
                    "Record '" + r.id() + "' has version " + r.version() + "; versions start " + "at 1");
        }
        if (r.createdAt() == null || r.updatedAt() == null) {
            throw new InvalidRecordException("Record '" + r.id() + "' needs both timestamps to be loaded");
        }
        return new Record(
                id(r.id()),
                checkedView(r.fields(), "fields"),
                checkedView(r.metadata(), "metadata"),
                r.version(),
                r.createdAt(),
                r.updatedAt());
    }

    /** The id as given, checked, or a new UUIDv7 when null. */
    public static String id(String id) {
        if (id == null) {
            return newId();
        }
        if (id.isEmpty() || id.length() > 255) {
            throw new InvalidRecordException("A record id must have 1 to 255 characters, got " + id.length());
        }
        String problem = ValueRules.problemInString(id);
        if (problem != null) {
            throw new InvalidRecordException("The record id " + problem);
        }
        return id;
    }

    /**
     * A UUIDv7: 48 bits of Unix milliseconds, then a counter within the millisecond, then random bits. Ids made by
     * one process sort in creation order, so inserts land at the end of the primary-key index.
     */
    public static String newId() {
        long millis;
        long seq;
        synchronized (CLOCK) {
            long now = System.currentTimeMillis();
            if (now > lastMillis) {
                lastMillis = now;
                sequence = RANDOM.nextInt(1 << 10);
            } else if (++sequence >= (1 << 12)) {
                lastMillis++;
                sequence = 0;
            }
            millis = lastMillis;
            seq = sequence;
        }
        long high = (millis << 16) | 0x7000L | seq;
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new java.util.UUID(high, low).toString();
    }

    /** A deep copy of a fields or metadata object, checked; the caller's object is never kept or changed. */
    public static ObjectNode object(Object value, String what) {
        ObjectNode node = unchecked(value, what);
        check(node, what, true);
        return node;
    }

    /**
     * A patch argument: the checked update operators when its keys are {@code $} operators, else the checked merge
     * patch (field keys never start with {@code $}, so the two cannot be confused).
     */
    static Object patch(Object value) {
        ObjectNode node = unchecked(value, "patch");
        if (FieldUpdates.isUpdate(node)) {
            FieldUpdates updates = FieldUpdates.parse(node);
            // the values an update writes follow the rules of record values (an object's keys: no $, no dot)
            updates.steps()
                    .forEach(step -> check(
                            step.value(),
                            "patch (" + step.op().operator() + " " + Messages.abbreviate(step.path()) + ")",
                            true));
            return updates;
        }
        check(node, "patch", true);
        return node;
    }

    /** A JSON object converted from the value (a copy), before its keys and values are checked. */
    private static ObjectNode unchecked(Object value, String what) {
        if (value == null) {
            throw new InvalidRecordException(what + " must be a JSON object, got null");
        }
        JsonNode node;
        try {
            node = value instanceof JsonNode n ? n.deepCopy() : JsonValues.toTree(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(what + " cannot be converted to JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRecordException(what + " must be a JSON object, got "
                    + (node == null ? "null" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return (ObjectNode) node;
    }

    /**
     * Like {@link #object}, but a JSON object given as a Jackson node is checked and returned as it is, for callers
     * that serialize it at once and keep no reference.
     */
    public static ObjectNode checkedView(Object value, String what) {
        if (value instanceof ObjectNode node) {
            check(node, what, true);
            return node;
        }
        return object(value, what);
    }

    public static ObjectNode optionalObject(Object value, String what) {
        return value == null ? JsonValues.NODES.objectNode() : object(value, what);
    }

    /**
     * Keys of objects reachable by a path must be addressable: non-empty, no leading {@code $}, no dot, at most
     * {@value ValueRules#MAX_KEY_LENGTH} characters. Strings, keys and numbers must be storable on every backend
     * ({@link ValueRules}).
     */
    private static void check(JsonNode node, String where, boolean keysMatter) {
        check(node, ValuePlace.of(where), keysMatter);
    }

    private static void check(JsonNode node, ValuePlace where, boolean keysMatter) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                if (keysMatter && (key.isEmpty() || key.startsWith("$") || key.indexOf('.') >= 0)) {
                    throw new InvalidRecordException("Invalid key '" + Messages.abbreviate(key) + "' in " + where
                            + ": keys must be non-empty, must not start with $ and must not contain a dot");
                }
                if (key.length() > ValueRules.MAX_KEY_LENGTH) {
                    throw new InvalidRecordException("A key in " + where + " has " + key.length() + " characters; "
                            + "at most " + ValueRules.MAX_KEY_LENGTH + " are accepted");
                }
                String problem = ValueRules.problemInString(key);
                if (problem != null) {
                    throw new InvalidRecordException("A key in " + where + " " + problem);
                }
                check(e.getValue(), where.key(key), keysMatter);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                check(element, where.element(), false);
            }
        } else {
            String problem = ValueRules.problemIn(node, where);
            if (problem != null) {
                throw new InvalidRecordException(problem);
            }
        }
    }
}
