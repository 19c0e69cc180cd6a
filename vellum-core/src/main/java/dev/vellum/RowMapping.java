package dev.vellum;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;

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
final class RowMapping<T> {
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
            for (RecordComponent c : type.getRecordComponents()) {
                JsonProperty p = c.getAnnotation(JsonProperty.class);
                add(p != null && !p.value().isEmpty() ? p.value() : c.getName(), c.getType());
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
    static <T> RowMapping<T> of(Class<T> type) {
        if (type == null) {
            throw new IllegalArgumentException("mapTo needs a type");
        }
        return (RowMapping<T>) CACHE.computeIfAbsent(type, t -> new RowMapping<>(t, TypeMapping.DEFAULT_MAPPER));
    }

    private static String fold(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    T map(Row row) {
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
            throw new QueryException("mapTo", "A row with columns " + columns + " cannot be read as a "
                    + type.getSimpleName() + ": " + Strings.abbreviate(nl < 0 ? message : message.substring(0, nl))
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
