package dev.vellum.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.RegexPattern;
import java.util.List;

/**
 * A system column ({@code id}, {@code version}, {@code created_at}, {@code updated_at}) as a {@link PathSql}: always
 * present, always of one type, so every comparison with another type is simply false. A backend supplies how a value
 * binds and how its string operators read.
 */
public abstract class SystemColumnSql implements PathSql {
    protected final String column;
    protected final int rank;
    private final SortExpression.Kind kind;

    /**
     * @param column the column expression
     * @param rank   the JSON type its values have ({@link JsonValues#STRING} or {@link JsonValues#NUMBER})
     */
    protected SystemColumnSql(String column, int rank, SortExpression.Kind kind) {
        this.column = column;
        this.rank = rank;
        this.kind = kind;
    }

    /** The parameter for a comparison with a value of this column's type. */
    protected abstract Object bind(JsonNode scalar);

    /** {@code like} on the column's text; only called for string columns. */
    protected abstract String textLike(String pattern, boolean fold, List<Object> params);

    protected abstract String textStartsWith(String prefix, List<Object> params);

    protected abstract String textRegex(RegexPattern regex, List<Object> params);

    @Override
    public final String absent() {
        return "FALSE";
    }

    @Override
    public final String isType(int r) {
        return r == rank ? "TRUE" : "FALSE";
    }

    @Override
    public final String compare(String op, JsonNode scalar, List<Object> params) {
        if (JsonValues.rank(scalar) != rank) {
            return "FALSE";
        }
        params.add(bind(scalar));
        return "(" + column + " " + op + " ?)";
    }

    @Override
    public final String equalsJson(JsonNode value, List<Object> params) {
        return "FALSE";
    }

    @Override
    public final String like(String pattern, boolean fold, List<Object> params) {
        return rank == JsonValues.STRING ? textLike(pattern, fold, params) : "FALSE";
    }

    @Override
    public final String startsWith(String prefix, List<Object> params) {
        return rank == JsonValues.STRING ? textStartsWith(prefix, params) : "FALSE";
    }

    @Override
    public final String regex(RegexPattern regex, List<Object> params) {
        return rank == JsonValues.STRING ? textRegex(regex, params) : "FALSE";
    }

    @Override
    public final String containsElement(JsonNode value, List<Object> params) {
        return "FALSE";
    }

    @Override
    public final List<SortExpression> sortKeys() {
        return List.of(new SortExpression(column, kind, true));
    }
}
