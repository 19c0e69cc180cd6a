package dev.vellum.engine.sql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Patterns;
import dev.vellum.spi.JsonType;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.RecordTable;
import dev.vellum.spi.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates a {@link Filter} into one SQL boolean expression. The backend writes each comparison on a path
 * ({@link PathSql}); this class writes the logic around them exactly as {@link dev.vellum.engine.Semantics} evaluates it. SQL's NULL
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

    Sql where(Filter filter) {
        return where(filter, false);
    }

    /**
     * @param documentIndexed the collection has a whole-document index: equality and contains on field paths also
     *                        get the implied containment condition that index serves
     */
    Sql where(Filter filter, boolean documentIndexed) {
        if (filter instanceof Filter.And and) {
            return join(and.filters(), " AND ", Sql.TRUE, documentIndexed);
        }
        if (filter instanceof Filter.Or or) {
            return join(or.filters(), " OR ", Sql.FALSE, documentIndexed);
        }
        if (filter instanceof Filter.Not not) {
            return Sql.concat("(NOT COALESCE(", where(not.filter(), documentIndexed), ", FALSE))");
        }
        Filter.Condition c = (Filter.Condition) filter;
        Sql exact = condition(path(c.path()), c.op(), c.value());
        boolean served = documentIndexed
                && c.path().kind() == FieldPath.Kind.FIELD
                && !JsonValues.isAbsent(c.value())
                && (c.op() == Filter.Op.EQ || c.op() == Filter.Op.CONTAINS);
        Sql implied = served ? dialect.containment(c.path().keys(), c.value(), c.op() == Filter.Op.CONTAINS) : null;
        // the implied condition holds whenever the exact one does, so ANDing it changes no result
        return implied == null ? exact : Sql.concat("(", exact, " AND ", implied, ")");
    }

    private Sql join(List<Filter> filters, String operator, Sql empty, boolean documentIndexed) {
        if (filters.isEmpty()) {
            return empty;
        }
        List<Sql> parts = new ArrayList<>();
        for (Filter f : filters) {
            parts.add(where(f, documentIndexed));
        }
        return Sql.join(operator, parts, empty).parenthesized();
    }

    private Sql condition(PathSql p, Filter.Op op, JsonNode v) {
        switch (op) {
            case EQ:
                return eq(p, v);
            case NE:
                return JsonValues.isAbsent(v)
                        ? notAbsent(p)
                        : Sql.concat("(NOT ", p.absent(), " AND NOT COALESCE(", eq(p, v), ", FALSE))");
            case GT:
                return ordered(p, ">", v);
            case GTE:
                return ordered(p, ">=", v);
            case LT:
                return ordered(p, "<", v);
            case LTE:
                return ordered(p, "<=", v);
            case BETWEEN: {
                JsonNode low = v.get(0);
                JsonNode high = v.get(1);
                if (!isOrderedType(low) || !isOrderedType(high) || JsonValues.rank(low) != JsonValues.rank(high)) {
                    return Sql.FALSE;
                }
                return p.between(low, high);
            }
            case IN:
                return in(p, v);
            case NIN:
                return Sql.concat("(NOT ", p.absent(), " AND NOT COALESCE(", in(p, v), ", FALSE))");
            case EXISTS:
                return v.booleanValue() ? notAbsent(p) : p.absent();
            case LIKE:
                return p.like(v.textValue(), false);
            case ILIKE:
                return p.like(JsonValues.fold(v.textValue()), true);
            case STARTS_WITH:
                return p.startsWith(v.textValue());
            case REGEX:
                return p.regex(Patterns.regex(v.textValue()));
            case CONTAINS:
                return p.containsElement(v);
            case CONTAINS_ALL:
                return v.isEmpty() ? p.isType(JsonType.ARRAY) : elements(p, v, " AND ");
            case CONTAINS_ANY:
                return v.isEmpty() ? Sql.FALSE : elements(p, v, " OR ");
            default:
                throw new IllegalStateException("operator " + op);
        }
    }

    private static Sql notAbsent(PathSql p) {
        return Sql.concat("(NOT ", p.absent(), ")");
    }

    private static Sql elements(PathSql p, JsonNode values, String operator) {
        List<Sql> parts = new ArrayList<>();
        values.forEach(e -> parts.add(p.containsElement(e)));
        return Sql.join(operator, parts, Sql.FALSE).parenthesized();
    }

    private static Sql eq(PathSql p, JsonNode v) {
        if (JsonValues.isAbsent(v)) {
            return p.absent();
        }
        return v.isArray() || v.isObject() ? p.equalsJson(v) : p.compare("=", v);
    }

    private static Sql ordered(PathSql p, String op, JsonNode v) {
        return isOrderedType(v) ? p.compare(op, v) : Sql.FALSE;
    }

    private static boolean isOrderedType(JsonNode v) {
        if (JsonValues.isAbsent(v)) {
            return false;
        }
        int rank = JsonValues.rank(v);
        return rank == JsonValues.NUMBER || rank == JsonValues.STRING || rank == JsonValues.BOOLEAN;
    }

    /** A null in the list matches nothing, as in {@link dev.vellum.engine.Semantics}. */
    private static Sql in(PathSql p, JsonNode list) {
        List<Sql> parts = new ArrayList<>();
        for (JsonNode e : list) {
            if (!JsonValues.isAbsent(e)) {
                parts.add(eq(p, e));
            }
        }
        return parts.isEmpty() ? Sql.FALSE : Sql.join(" OR ", parts, Sql.FALSE).parenthesized();
    }
}
