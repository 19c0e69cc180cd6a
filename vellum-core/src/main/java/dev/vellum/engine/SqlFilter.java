package dev.vellum.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Patterns;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.RecordTable;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a {@link Filter} into one SQL boolean expression. The backend writes each comparison on a path
 * ({@link PathSql}); this class writes the logic around them exactly as {@link Semantics} evaluates it. SQL's NULL
 * is kept out of the result's meaning: a comparison that yields NULL counts as false, and {@code not} wraps its
 * operand in {@code COALESCE(…, FALSE)} so that it is the exact complement.
 */
final class SqlFilter {
    private final RecordDialect dialect;

    SqlFilter(RecordDialect dialect) {
        this.dialect = dialect;
    }

    PathSql path(FieldPath path) {
        return switch (path.kind()) {
            case FIELD, META -> dialect.path(RecordTable.documentOf(path), path.keys());
            default -> dialect.system(path.kind());
        };
    }

    String where(Filter filter, List<Object> params) {
        return where(filter, params, false);
    }

    /**
     * @param documentIndexed the collection has a whole-document index: equality and contains on field paths also
     *                        get the implied containment condition that index serves
     */
    String where(Filter filter, List<Object> params, boolean documentIndexed) {
        if (filter instanceof Filter.And and) {
            return join(and.filters(), " AND ", "TRUE", params, documentIndexed);
        }
        if (filter instanceof Filter.Or or) {
            return join(or.filters(), " OR ", "FALSE", params, documentIndexed);
        }
        if (filter instanceof Filter.Not not) {
            return "(NOT COALESCE(" + where(not.filter(), params, documentIndexed) + ", FALSE))";
        }
        Filter.Condition c = (Filter.Condition) filter;
        String exact = condition(path(c.path()), c.op(), c.value(), params);
        boolean served = documentIndexed
                && c.path().kind() == FieldPath.Kind.FIELD
                && !JsonValues.isAbsent(c.value())
                && (c.op() == Filter.Op.EQ || c.op() == Filter.Op.CONTAINS);
        String implied =
                served ? dialect.containment(c.path().keys(), c.value(), c.op() == Filter.Op.CONTAINS, params) : null;
        // the implied condition holds whenever the exact one does, so ANDing it changes no result
        return implied == null ? exact : "(" + exact + " AND " + implied + ")";
    }

    private String join(
            List<Filter> filters, String operator, String empty, List<Object> params, boolean documentIndexed) {
        if (filters.isEmpty()) {
            return empty;
        }
        List<String> parts = new ArrayList<>();
        for (Filter f : filters) {
            parts.add(where(f, params, documentIndexed));
        }
        return "(" + String.join(operator, parts) + ")";
    }

    private String condition(PathSql p, Filter.Op op, JsonNode v, List<Object> params) {
        switch (op) {
            case EQ:
                return eq(p, v, params);
            case NE:
                return JsonValues.isAbsent(v)
                        ? "(NOT " + p.absent() + ")"
                        : "(NOT " + p.absent() + " AND NOT COALESCE(" + eq(p, v, params) + ", FALSE))";
            case GT:
                return ordered(p, ">", v, params);
            case GTE:
                return ordered(p, ">=", v, params);
            case LT:
                return ordered(p, "<", v, params);
            case LTE:
                return ordered(p, "<=", v, params);
            case BETWEEN: {
                JsonNode low = v.get(0);
                JsonNode high = v.get(1);
                if (!isOrderedType(low) || !isOrderedType(high) || JsonValues.rank(low) != JsonValues.rank(high)) {
                    return "FALSE";
                }
                return p.between(low, high, params);
            }
            case IN:
                return in(p, v, params);
            case NIN:
                return "(NOT " + p.absent() + " AND NOT COALESCE(" + in(p, v, params) + ", FALSE))";
            case EXISTS:
                return v.booleanValue() ? "(NOT " + p.absent() + ")" : p.absent();
            case LIKE:
                return p.like(v.textValue(), false, params);
            case ILIKE:
                return p.like(JsonValues.fold(v.textValue()), true, params);
            case STARTS_WITH:
                return p.startsWith(v.textValue(), params);
            case REGEX:
                return p.regex(Patterns.regex(v.textValue()), params);
            case CONTAINS:
                return p.containsElement(v, params);
            case CONTAINS_ALL: {
                if (v.isEmpty()) {
                    return p.isType(JsonValues.ARRAY);
                }
                List<String> parts = new ArrayList<>();
                v.forEach(e -> parts.add(p.containsElement(e, params)));
                return "(" + String.join(" AND ", parts) + ")";
            }
            case CONTAINS_ANY: {
                if (v.isEmpty()) {
                    return "FALSE";
                }
                List<String> parts = new ArrayList<>();
                v.forEach(e -> parts.add(p.containsElement(e, params)));
                return "(" + String.join(" OR ", parts) + ")";
            }
            default:
                throw new IllegalStateException("operator " + op);
        }
    }

    private static String eq(PathSql p, JsonNode v, List<Object> params) {
        if (JsonValues.isAbsent(v)) {
            return p.absent();
        }
        return v.isArray() || v.isObject() ? p.equalsJson(v, params) : p.compare("=", v, params);
    }

    private static String ordered(PathSql p, String op, JsonNode v, List<Object> params) {
        return isOrderedType(v) ? p.compare(op, v, params) : "FALSE";
    }

    private static boolean isOrderedType(JsonNode v) {
        if (JsonValues.isAbsent(v)) {
            return false;
        }
        int rank = JsonValues.rank(v);
        return rank == JsonValues.NUMBER || rank == JsonValues.STRING || rank == JsonValues.BOOLEAN;
    }

    /** A null in the list matches nothing, as in {@link Semantics}. */
    private static String in(PathSql p, JsonNode list, List<Object> params) {
        List<String> parts = new ArrayList<>();
        for (JsonNode e : list) {
            if (!JsonValues.isAbsent(e)) {
                parts.add(eq(p, e, params));
            }
        }
        return parts.isEmpty() ? "FALSE" : "(" + String.join(" OR ", parts) + ")";
    }
}
