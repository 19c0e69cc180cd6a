package dev.vellum.engine;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.Id;
import dev.vellum.InvalidRecordException;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.SortKey;
import dev.vellum.TypeMapper;
import dev.vellum.internal.FieldUpdates;
import dev.vellum.internal.Messages;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How a Java type becomes a record's fields and back, through Jackson: the id component leaves the fields and becomes
 * the record id; everything else is the fields object, so filters and sorts use the type's JSON names.
 */
public final class TypeMapping<T> {
    /** Java records, POJOs, java.time, Optional; numbers as exact decimals; fields the type lacks are ignored. */
    static final ObjectMapper DEFAULT_JACKSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();

    public static final TypeMapper DEFAULT_MAPPER = TypeMapper.jackson(DEFAULT_JACKSON);

    final Class<T> type;
    final TypeMapper mapper;
    /** The JSON name of the id property, or null when the type has none. */
    final String idName;
    /** For a Java record: its components' JSON names, against which query paths are checked; else null. */
    final Set<String> names;

    /** The mapped Java type. */
    public Class<T> type() {
        return type;
    }

    /** The name of the id component or property, or null when the type has none. */
    public String idName() {
        return idName;
    }

    public TypeMapping(Class<T> type, TypeMapper mapper) {
        this.type = type;
        this.mapper = mapper;
        this.idName = idName(type);
        this.names = type.isRecord() ? componentNames(type) : null;
    }

    private static String idName(Class<?> type) {
        if (type.isRecord()) {
            String named = null;
            for (RecordComponent c : type.getRecordComponents()) {
                if (c.isAnnotationPresent(Id.class)) {
                    return jsonName(c.getName(), c.getAnnotation(JsonProperty.class));
                }
                if (c.getName().equals("id")) {
                    named = jsonName("id", c.getAnnotation(JsonProperty.class));
                }
            }
            return named;
        }
        String named = null;
        for (Class<?> k = type; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (f.isAnnotationPresent(Id.class)) {
                    return jsonName(f.getName(), f.getAnnotation(JsonProperty.class));
                }
                if (f.getName().equals("id") && named == null) {
                    named = jsonName("id", f.getAnnotation(JsonProperty.class));
                }
            }
        }
        return named;
    }

    private static String jsonName(String javaName, JsonProperty property) {
        return property != null && !property.value().isEmpty() ? property.value() : javaName;
    }

    private static Set<String> componentNames(Class<?> type) {
        Set<String> names = new LinkedHashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            names.add(jsonName(c.getName(), c.getAnnotation(JsonProperty.class)));
        }
        return names;
    }

    /** The id and fields of a value to write. */
    public record Written(String id, ObjectNode fields) {}

    /** A value of an update or patch as JSON, by this mapping's mapper (as the records' own values are written). */
    public JsonNode tree(Object value) {
        try {
            return mapper.toTree(value);
        } catch (RuntimeException e) {
            throw new InvalidRecordException("Cannot write a "
                    + (value == null ? "null" : value.getClass().getSimpleName()) + " value in an update of "
                    + type.getSimpleName() + " records: " + reason(e)
                    + ". Nothing was written.");
        }
    }

    public Written write(T value) {
        java.util.Objects.requireNonNull(value, "value");
        JsonNode tree;
        try {
            tree = mapper.toTree(value);
        } catch (RuntimeException e) {
            throw new InvalidRecordException(
                    "Cannot write a " + type.getSimpleName() + " as a record: " + reason(e) + ". Nothing was written.");
        }
        if (!(tree instanceof ObjectNode fields)) {
            throw new InvalidRecordException("A " + type.getSimpleName() + " is written as JSON "
                    + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not an object: a typed collection needs a record "
                    + "or class with properties");
        }
        String id = null;
        if (idName != null) {
            JsonNode given = fields.remove(idName);
            if (given != null && !given.isNull()) {
                if (!given.isValueNode()) {
                    throw new InvalidRecordException("The id of a " + type.getSimpleName() + " (" + idName
                            + ") must be a string (or a value written as one, such as a UUID), got " + given);
                }
                id = given.asText();
            }
        }
        return new Written(id, fields);
    }

    public T read(Record record) {
        ObjectNode node = record.fields().deepCopy();
        if (idName != null) {
            node.put(idName, record.id());
        }
        try {
            return mapper.fromTree(node, type);
        } catch (RuntimeException e) {
            throw new InvalidRecordException("Record '" + record.id() + "' cannot be read as a "
                    + type.getSimpleName() + ": " + reason(e, node) + ". Map it with a type that fits (a wider type, "
                    + "Optional, JsonNode) or fix the record.");
        }
    }

    /** What went wrong, by field: its path, the JSON value there and the Java type it did not fit. */
    private String reason(Exception e, JsonNode node) {
        Throwable t = e;
        while (t != null && !(t instanceof JsonMappingException)) {
            t = t.getCause();
        }
        if (!(t instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return reason(e);
        }
        StringBuilder path = new StringBuilder();
        JsonNode at = node;
        for (JsonMappingException.Reference ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                at = at == null ? null : at.get(ref.getFieldName());
            } else {
                path.append('[').append(ref.getIndex()).append(']');
                at = at == null ? null : at.get(ref.getIndex());
            }
        }
        String target = m instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch
                        && mismatch.getTargetType() != null
                ? mismatch.getTargetType().getSimpleName()
                : "its Java type";
        String shown = at == null
                ? "nothing"
                : Messages.abbreviate(at.toString()) + " ("
                        + at.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ")";
        return "field '" + path + "' holds " + shown + ", which does not map to " + target;
    }

    private static String reason(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = message.indexOf('\n');
        return Messages.abbreviate(nl < 0 ? message : message.substring(0, nl));
    }

    /** For a Java record: every field path's first key must be one of its components (system paths always pass). */
    public void checkPaths(Query query) {
        if (names == null) {
            return;
        }
        checkPaths(query.filter());
        for (SortKey key : query.sort()) {
            check(key.path());
        }
        for (String field : query.fields()) {
            check(FieldPath.parse(field));
        }
    }

    public void checkPaths(Filter filter) {
        if (names == null) {
            return;
        }
        if (filter instanceof Filter.Condition c) {
            check(c.path());
        } else if (filter instanceof Filter.And and) {
            and.filters().forEach(this::checkPaths);
        } else if (filter instanceof Filter.Or or) {
            or.filters().forEach(this::checkPaths);
        } else if (filter instanceof Filter.Not not) {
            checkPaths(not.filter());
        }
    }

    /** The paths of field operators ({@code {"$inc":{"visits":1}}}); a merge patch's keys are not paths. */
    public void checkUpdatePaths(Object patch) {
        if (names == null || patch == null) {
            return;
        }
        JsonNode update = patch instanceof JsonNode n ? n : tree(patch);
        if (FieldUpdates.isUpdate(update)) {
            update.forEach(paths -> paths.fieldNames().forEachRemaining(this::checkPath));
        }
    }

    /** One path, as a query's are checked (group-by and accumulator paths of an aggregation). */
    public void checkPath(String path) {
        if (names != null) {
            check(FieldPath.parse(path));
        }
    }

    private void check(FieldPath path) {
        if (path.kind() != FieldPath.Kind.FIELD || path.keys().isEmpty()) {
            return;
        }
        String first = path.keys().get(0);
        if (first.equals(idName)) {
            throw new QueryException(
                    path.toString(),
                    "'" + first + "' of a " + type.getSimpleName() + " is the "
                            + "record id, not a field: filter and sort on $id");
        }
        if (!names.contains(first)) {
            String hint = Messages.nearest(first, names)
                    .map(n -> " Did you mean '" + n + "'?")
                    .orElse("");
            throw new QueryException(
                    path.toString(),
                    "'" + path + "' is not a field of " + type.getSimpleName()
                            + " (its fields: " + String.join(", ", names) + ")." + hint
                            + " For data of several shapes, "
                            + "use uncheckedPaths().");
        }
    }
}
