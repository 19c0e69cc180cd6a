package dev.vellum.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * SQL for one path of a record (a field path, a metadata path or a system column), as a backend writes it. Every
 * method returns a boolean SQL expression, with its values, that is never NULL when the value is present. The shared
 * translator builds and/or/not, ne, in, nin, between and exists from these.
 */
public interface PathSql {

    /** True when the value is missing or JSON null. Never NULL. */
    Sql absent();

    /** True when the value has this type. */
    Sql isType(JsonType type);

    /**
     * Compares with a number, string or boolean: false for values of another type.
     *
     * @param op one of {@code = > >= < <=}
     */
    Sql compare(String op, JsonNode scalar);

    /** {@code low <= value <= high}, both bounds of one ordered type (the caller checks). */
    default Sql between(JsonNode low, JsonNode high) {
        return Sql.concat("(", compare(">=", low), " AND ", compare("<=", high), ")");
    }

    /** Equality with an array or object (numbers by value, key order ignored). */
    Sql equalsJson(JsonNode value);

    /** A string matching a like pattern; with {@code fold}, both sides are case-folded. */
    Sql like(String pattern, boolean fold);

    Sql startsWith(String prefix);

    Sql regex(RegexPattern regex);

    /** An array with an element equal to {@code value} (a JSON null looks for a null element). */
    Sql containsElement(JsonNode value);

    /** The ORDER BY components, matching the memory backend's sort key for this kind of path. */
    List<SortExpression> sortKeys();

    /**
     * One ORDER BY expression for when the filter guarantees every matching value has type {@code type} (a number
     * or string): the indexed expression, so that sort and limit can read the index in order. Empty when the
     * backend has none.
     */
    default java.util.Optional<SortExpression> typedSortKey(JsonType type) {
        return java.util.Optional.empty();
    }

    /**
     * One ORDER BY component.
     *
     * @param descendable false for the absent flag, which keeps missing values last in both directions
     */
    record SortExpression(String sql, Kind kind, boolean descendable) {
        /** How a cursor value of this expression is bound; JSON is a JSON document (the binary JSON type where a backend has one). */
        public enum Kind {
            INTEGER,
            NUMBER,
            TEXT,
            ID,
            VERSION,
            TIMESTAMP,
            JSON
        }
    }
}
