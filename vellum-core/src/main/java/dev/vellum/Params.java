package dev.vellum;

import java.lang.reflect.RecordComponent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Named parameters for the SQL API: pass one {@code Params} where the {@code ?} values would go and write
 * {@code :name} in the statement. {@code db.fetchAll("SELECT * FROM people WHERE city = :city AND age >= :age",
 * Params.of("city", "NY", "age", 30))}. A name may appear more than once. {@code :name} inside quoted text,
 * identifiers, comments and dollar-quoted strings is left alone, as is PostgreSQL's {@code ::} cast. Values bind
 * exactly as {@code ?} values do.
 */
public final class Params {
    private final Map<String, Object> values;

    private Params(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** The values of a map, by key. */
    public static Params of(Map<String, ?> values) {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "a parameter name is null"), v));
        return new Params(copy);
    }

    /** Names and values in turn: {@code Params.of("city", "NY", "age", 30)}. */
    public static Params of(String name, Object value, Object... more) {
        if (more.length % 2 != 0) {
            throw new IllegalArgumentException("Params.of takes names and values in pairs; the last name has no value");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(Objects.requireNonNull(name, "name"), value);
        for (int i = 0; i < more.length; i += 2) {
            if (!(more[i] instanceof String key)) {
                throw new IllegalArgumentException("Params.of: argument " + (i + 3) + " must be a parameter name");
            }
            map.put(key, more[i + 1]);
        }
        return new Params(map);
    }

    /** The components of a Java record, by name: {@code Params.from(new Person("Ada", 36))} binds :name and :age. */
    public static Params from(java.lang.Record record) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            try {
                java.lang.reflect.Method accessor = component.getAccessor();
                accessor.setAccessible(true);
                map.put(component.getName(), accessor.invoke(record));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException(
                        "Cannot read component " + component.getName() + " of "
                                + record.getClass().getSimpleName() + ": " + e.getMessage(),
                        e);
            }
        }
        return new Params(map);
    }

    public Map<String, Object> values() {
        return values;
    }

    @Override
    public String toString() {
        return "Params" + values.keySet();
    }
}
