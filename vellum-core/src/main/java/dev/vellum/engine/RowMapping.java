package dev.vellum.engine;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.QueryException;
import dev.vellum.Row;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SQL rows as Java records or POJOs ({@link Row#mapTo}), with the typed collections' mapper: a column fills the
 * property of its name, or of its name in camel case ({@code created_at} → {@code createdAt}), case ignored; JSON
 * columns fill nested records, lists and maps; columns the type lacks are ignored.
 */
public final class RowMapping<T> {
    private static final Map<Class<?>, RowMapping<?>> CACHE = new ConcurrentHashMap<>();

    private final Class<T> type;
    private final ObjectMapper mapper;
    private final com.fasterxml.jackson.databind.ObjectReader reader;
    /** Property names by their folded form (lower case, no underscores), and whether each is read as text. */
    private final Map<String, String> names = new HashMap<>();

    private final Map<String, Boolean> textual = new HashMap<>();

    private RowMapping(Class<T> type, ObjectMapper mapper) {
        this.type = type;
        this.mapper = mapper;
        this.reader = mapper.readerFor(type);
        if (type.isRecord()) {
            prepareDirect();
            for (int i = 0; i < componentNames.length; i++) {
                add(componentNames[i], componentTypes[i]);
            }
        } else {
            BeanDescription bean = mapper.getDeserializationConfig().introspect(mapper.constructType(type));
            for (BeanPropertyDefinition p : bean.findProperties()) {
                add(p.getName(), p.getRawPrimaryType());
            }
        }
    }

    private void add(String name, Class<?> javaType) {
        names.put(fold(name), name);
        textual.put(name, CharSequence.class.isAssignableFrom(javaType));
    }

    @SuppressWarnings("unchecked")
    public static <T> RowMapping<T> of(Class<T> type) {
        if (type == null) {
            throw new IllegalArgumentException("mapTo needs a type");
        }
        return (RowMapping<T>) CACHE.computeIfAbsent(type, t -> new RowMapping<>(t, TypeMapping.DEFAULT_JACKSON));
    }

    private static String fold(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /**
     * For a Java record: its canonical constructor and its components' JSON names and types, for rows whose values
     * fit as they are (and the names and types the row's columns are matched to).
     */
    private java.lang.reflect.Constructor<T> constructor;

    private Class<?>[] componentTypes;
    private String[] componentNames;
    /** Column index per component for the last column list seen (rows of one query share it). */
    private volatile Object[] plan;

    private void prepareDirect() {
        RecordComponent[] components = type.getRecordComponents();
        componentTypes = new Class<?>[components.length];
        componentNames = new String[components.length];
        for (int i = 0; i < components.length; i++) {
            JsonProperty p = components[i].getAnnotation(JsonProperty.class);
            componentNames[i] = p != null && !p.value().isEmpty() ? p.value() : components[i].getName();
            componentTypes[i] = components[i].getType();
        }
        try {
            constructor = type.getDeclaredConstructor(componentTypes);
            constructor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            constructor = null; // Jackson maps it
        }
    }

    public T map(Row row) {
        if (constructor != null) {
            T direct = direct(row);
            if (direct != null) {
                return direct;
            }
        }
        return viaJackson(row);
    }

    /**
     * The record built from the row's values as they are (numbers widened or narrowed exactly), skipping Jackson;
     * null when a value needs Jackson's conversions (text to a number, JSON to a nested record, an Optional, …).
     */
    private T direct(Row row) {
        List<String> columns = row.columns();
        Object[] cached = plan;
        int[] index;
        if (cached != null && cached[0].equals(columns)) {
            index = (int[]) cached[1];
        } else {
            index = new int[componentNames.length];
            java.util.Arrays.fill(index, -1);
            for (int c = 0; c < columns.size(); c++) {
                String property = names.get(fold(columns.get(c)));
                for (int i = 0; i < componentNames.length; i++) {
                    if (componentNames[i].equals(property)) {
                        index[i] = c;
                    }
                }
            }
            plan = new Object[] {List.copyOf(columns), index};
        }
        Object[] args = new Object[componentTypes.length];
        for (int i = 0; i < args.length; i++) {
            Object value = index[i] < 0 ? null : row.get(index[i]);
            Object arg = fit(value, componentTypes[i]);
            if (arg == NO_FIT) {
                return null;
            }
            args[i] = arg;
        }
        try {
            return constructor.newInstance(args);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // let Jackson build it and say what is wrong
        }
    }

    private static final Object NO_FIT = new Object();

    private static Object fit(Object value, Class<?> target) {
        if (value == null) {
            if (!target.isPrimitive()) {
                return target == java.util.Optional.class ? NO_FIT : null;
            }
            return target == boolean.class
                    ? Boolean.FALSE
                    : target == long.class
                            ? (Object) 0L
                            : target == double.class ? (Object) 0.0 : target == int.class ? (Object) 0 : NO_FIT;
        }
        Class<?> boxed = target.isPrimitive()
                ? java.lang.invoke.MethodType.methodType(target).wrap().returnType()
                : target;
        if (boxed.isInstance(value)) {
            return value;
        }
        if (value instanceof Number n
                && (n instanceof Long || n instanceof Integer || n instanceof java.math.BigDecimal)) {
            try {
                java.math.BigDecimal exact =
                        n instanceof java.math.BigDecimal d ? d : java.math.BigDecimal.valueOf(n.longValue());
                if (boxed == Long.class) {
                    return exact.longValueExact();
                }
                if (boxed == Integer.class) {
                    return exact.intValueExact();
                }
                if (boxed == java.math.BigDecimal.class) {
                    return exact;
                }
            } catch (ArithmeticException notExact) {
                return NO_FIT;
            }
        }
        return NO_FIT;
    }

    private T viaJackson(Row row) {
        ObjectNode node = JsonValues.NODES.objectNode();
        List<String> columns = row.columns();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            String property = names.getOrDefault(fold(column), column);
            node.set(property, json(row.get(i), !textual.getOrDefault(property, true)));
        }
        try {
            return reader.readValue(node);
        } catch (java.io.IOException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int nl = message.indexOf('\n');
            throw new QueryException(
                    "mapTo",
                    "A row with columns " + columns + " cannot be read as a "
                            + type.getSimpleName() + ": "
                            + Messages.abbreviate(nl < 0 ? message : message.substring(0, nl))
                            + ". Select columns that fit its properties, or map to a wider type.");
        }
    }

    /** A column value as JSON; text holding a JSON object or array is parsed unless the property is text. */
    private JsonNode json(Object value, boolean parseJson) {
        if (value instanceof String text && parseJson && (text.startsWith("{") || text.startsWith("["))) {
            try {
                return JsonValues.parse(text);
            } catch (IllegalArgumentException notJson) {
                return JsonValues.NODES.textNode(text);
            }
        }
        // the column types JDBC hands back, without Jackson's serializer (valueToTree costs more than the row)
        if (value == null) {
            return JsonValues.NODES.nullNode();
        }
        if (value instanceof String text) {
            return JsonValues.NODES.textNode(text);
        }
        if (value instanceof Long n) {
            return JsonValues.NODES.numberNode(n);
        }
        if (value instanceof Integer n) {
            return JsonValues.NODES.numberNode(n);
        }
        if (value instanceof java.math.BigDecimal n) {
            return JsonValues.NODES.numberNode(n);
        }
        if (value instanceof Double n) {
            return JsonValues.NODES.numberNode(n);
        }
        if (value instanceof Boolean b) {
            return JsonValues.NODES.booleanNode(b);
        }
        if (value instanceof java.time.temporal.TemporalAccessor || value instanceof java.util.UUID) {
            return JsonValues.NODES.textNode(value.toString()); // ISO-8601, which the time module reads back
        }
        return value instanceof JsonNode n ? n : mapper.valueToTree(value);
    }
}
