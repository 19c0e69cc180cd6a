package dev.vellum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.engine.RowMapping;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Timestamps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One result row: an ordered column → value map with typed getters that read the same on every backend (a SQLite
 * integer 1 and a PostgreSQL {@code true} are both {@code getBoolean() == true}; ISO text and {@code timestamptz} are
 * both {@code getInstant()}). Column lookup is case-insensitive when no exact match exists.
 */
public final class Row {

    private final Map<String, Object> values;

    /** @param values column name → value, in column order */
    public Row(LinkedHashMap<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public List<String> columns() {
        return new ArrayList<>(values.keySet());
    }

    public int size() {
        return values.size();
    }

    /** Columns and values in order, unmodifiable; what a Jackson mapper writes for a row. */
    @com.fasterxml.jackson.annotation.JsonValue
    public Map<String, Object> asMap() {
        return values;
    }

    /** The raw value as the backend returned it (normalised: timestamps are {@link Instant}, JSON is text). */
    public Object get(String column) {
        Object value = values.get(column);
        if (value != null || values.containsKey(column)) {
            return value;
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (e.getKey().equalsIgnoreCase(column)) {
                return e.getValue();
            }
        }
        throw new IllegalArgumentException("No column '" + column + "' in this row; columns are " + values.keySet());
    }

    /** The value of the column at {@code index} (0-based). */
    public Object get(int index) {
        if (index < 0 || index >= values.size()) {
            throw new IndexOutOfBoundsException("Column index " + index + " is outside 0.." + (values.size() - 1));
        }
        return new ArrayList<>(values.values()).get(index);
    }

    /** This row as an instance of {@code type}, as {@link Database#fetchAll(String, Class, Object...)} maps it. */
    public <T> T mapTo(Class<T> type) {
        return RowMapping.of(type).map(this);
    }

    public boolean isNull(String column) {
        return get(column) == null;
    }

    public String getString(String column) {
        Object v = get(column);
        return v == null
                ? null
                : v instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : v.toString();
    }

    public Long getLong(String column) {
        Object v = get(column);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            if (n instanceof BigDecimal d) {
                return d.longValueExact();
            }
            return n.longValue();
        }
        return Long.parseLong(v.toString().trim());
    }

    public Integer getInt(String column) {
        Long v = getLong(column);
        return v == null ? null : Math.toIntExact(v);
    }

    public Double getDouble(String column) {
        Object v = get(column);
        if (v == null) {
            return null;
        }
        return v instanceof Number n
                ? n.doubleValue()
                : Double.parseDouble(v.toString().trim());
    }

    public BigDecimal getBigDecimal(String column) {
        Object v = get(column);
        if (v == null) {
            return null;
        }
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Number n) {
            return BigDecimal.valueOf(n.doubleValue());
        }
        return new BigDecimal(v.toString().trim());
    }

    public Boolean getBoolean(String column) {
        Object v = get(column);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.longValue() != 0;
        }
        String text = v.toString().trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "t", "1" -> true;
            case "false", "f", "0" -> false;
            default -> throw new IllegalArgumentException("Column '" + column + "' holds '" + v + "', not a boolean");
        };
    }

    /**
     * The column as an instant, to the millisecond on every backend (finer digits, which PostgreSQL keeps and SQLite
     * does not, are dropped): {@code timestamptz}, ISO-8601 text, SQLite's {@code CURRENT_TIMESTAMP} text, or epoch
     * milliseconds.
     */
    public Instant getInstant(String column) {
        Object v = get(column);
        if (v == null) {
            return null;
        }
        if (v instanceof Instant i) {
            return Timestamps.toMillis(i);
        }
        if (v instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        String text = v.toString().trim();
        Instant stored = Timestamps.parseStored(text);
        if (stored != null) {
            return Timestamps.toMillis(stored);
        }
        try {
            return Timestamps.toMillis(Instant.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
            // SQLite's CURRENT_TIMESTAMP form: "2026-11-21 23:23:28"
            return OffsetDateTime.parse(text.replace(' ', 'T') + (text.length() <= 19 ? "Z" : ""))
                    .toInstant();
        }
    }

    public UUID getUuid(String column) {
        Object v = get(column);
        return v == null ? null : v instanceof UUID u ? u : UUID.fromString(v.toString());
    }

    public byte[] getBytes(String column) {
        Object v = get(column);
        return v == null
                ? null
                : v instanceof byte[] b ? b : v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Parses a JSON column (whether the database stores it as binary JSON or as text). */
    public JsonNode getJson(String column) {
        String text = getString(column);
        if (text == null) {
            return null;
        }
        try {
            // the shared mapper: decimals stay BigDecimal, as everywhere else
            return JsonValues.READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "Column '" + column + "' does not hold valid JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && values.equals(r.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
