package dev.vellum.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * SQL for one path of a record (a field path, a metadata path or a system column), as a backend writes it. Every
 * method returns a boolean SQL expression that is never NULL when the value is present, and appends the values for
 * its {@code ?} placeholders to {@code params}. The shared translator builds and/or/not, ne, in, nin, between and
 * exists from these.
 */
public interface PathSql {

    /** True when the value is missing or JSON null. Never NULL. */
    String absent();

    /** True when the value has this type rank ({@code JsonValues.NUMBER} …). */
    String isType(int rank);

    /**
     * Compares with a number, string or boolean: false for values of another type.
     *
     * @param op one of {@code = > >= < <=}
     */
    String compare(String op, JsonNode scalar, List<Object> params);

    /** {@code low <= value <= high}, both bounds of one ordered type (the caller checks). */
    default String between(JsonNode low, JsonNode high, List<Object> params) {
        return "(" + compare(">=", low, params) + " AND " + compare("<=", high, params) + ")";
    }

    /** Equality with an array or object (numbers by value, key order ignored). */
    String equalsJson(JsonNode value, List<Object> params);

    /** A string matching a like pattern; with {@code fold}, both sides are case-folded. */
    String like(String pattern, boolean fold, List<Object> params);

    String startsWith(String prefix, List<Object> params);

    String regex(RegexPattern regex, List<Object> params);

    /** An array with an element equal to {@code value} (a JSON null looks for a null element). */
    String containsElement(JsonNode value, List<Object> params);

    /** The ORDER BY components, matching the memory backend's sort key for this kind of path. */
    List<SortExpression> sortKeys();

    /**
     * One ORDER BY expression for when the filter guarantees every matching value has type {@code rank} (a number
     * or string): the indexed expression, so that sort and limit can read the index in order. Empty when the
     * backend has none.
     */
    default java.util.Optional<SortExpression> typedSortKey(int rank) {
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
