package dev.vellum.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;

/**
 * The JSON types in sort order: a sort puts numbers first, then strings, booleans, arrays and objects, and missing
 * or null values last ({@link #ABSENT_RANK}). Named once here; each backend renders the order from the names its
 * own type function gives ({@link #rankCase}).
 */
public enum JsonType {
    NUMBER,
    STRING,
    BOOLEAN,
    ARRAY,
    OBJECT;

    /** The rank of missing and null values: after every type. */
    public static final int ABSENT_RANK = 6;

    private static final JsonType[] TYPES = values();

    /** The sort rank, 1 for numbers through 5 for objects. */
    public int rank() {
        return ordinal() + 1;
    }

    /** The type of a rank from {@link #rank}. */
    public static JsonType ofRank(int rank) {
        if (rank < 1 || rank > TYPES.length) {
            throw new IllegalArgumentException("no JSON type has rank " + rank);
        }
        return TYPES[rank - 1];
    }

    /** The type of a value; null for Java null, a missing node and JSON null. */
    public static JsonType of(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return NUMBER;
        }
        if (value.isTextual()) {
            return STRING;
        }
        if (value.isBoolean()) {
            return BOOLEAN;
        }
        if (value.isArray()) {
            return ARRAY;
        }
        if (value.isObject()) {
            return OBJECT;
        }
        throw new IllegalArgumentException("Not a JSON value: " + value.getNodeType());
    }

    /**
     * SQL for the sort rank of a value whose type name is {@code typeExpression}: {@code (CASE typeExpression WHEN
     * 'name' THEN rank … ELSE 6 END)}, a backend's type function naming each type by {@code names} (in order).
     */
    public static String rankCase(String typeExpression, Function<JsonType, List<String>> names) {
        StringBuilder sql = new StringBuilder("(CASE ").append(typeExpression);
        for (JsonType type : TYPES) {
            for (String name : names.apply(type)) {
                sql.append(" WHEN '").append(name).append("' THEN ").append(type.rank());
            }
        }
        return sql.append(" ELSE ").append(ABSENT_RANK).append(" END)").toString();
    }
}
