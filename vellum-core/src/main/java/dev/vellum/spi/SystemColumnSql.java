package dev.vellum.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A system column ({@code id}, {@code version}, {@code created_at}, {@code updated_at}) as a {@link PathSql}: always
 * present, always of one type, so every comparison with another type is simply false. A backend supplies how a value
 * binds and how its string operators read.
 */
public abstract class SystemColumnSql implements PathSql {
    protected final String column;
    protected final JsonType type;
    private final SortExpression.Kind kind;

    /**
     * @param column the column expression
     * @param type   the JSON type its values have ({@link JsonType#STRING} or {@link JsonType#NUMBER})
     */
    protected SystemColumnSql(String column, JsonType type, SortExpression.Kind kind) {
        this.column = column;
        this.type = type;
        this.kind = kind;
    }

    /** The parameter for a comparison with a value of this column's type. */
    protected abstract Object bind(JsonNode scalar);

    /** {@code like} on the column's text; only called for string columns. */
    protected abstract Sql textLike(String pattern, boolean fold);

    protected abstract Sql textStartsWith(String prefix);

    protected abstract Sql textRegex(RegexPattern regex);

    @Override
    public final Sql absent() {
        return Sql.FALSE;
    }

    @Override
    public final Sql isType(JsonType t) {
        return t == type ? Sql.TRUE : Sql.FALSE;
    }

    @Override
    public final Sql compare(String op, JsonNode scalar) {
        if (JsonType.of(scalar) != type) {
            return Sql.FALSE;
        }
        return Sql.of("(" + column + " " + op + " ?)", bind(scalar));
    }

    @Override
    public final Sql equalsJson(JsonNode value) {
        return Sql.FALSE;
    }

    @Override
    public final Sql like(String pattern, boolean fold) {
        return type == JsonType.STRING ? textLike(pattern, fold) : Sql.FALSE;
    }

    @Override
    public final Sql startsWith(String prefix) {
        return type == JsonType.STRING ? textStartsWith(prefix) : Sql.FALSE;
    }

    @Override
    public final Sql regex(RegexPattern regex) {
        return type == JsonType.STRING ? textRegex(regex) : Sql.FALSE;
    }

    @Override
    public final Sql containsElement(JsonNode value) {
        return Sql.FALSE;
    }

    @Override
    public final List<SortExpression> sortKeys() {
        return List.of(new SortExpression(column, kind, true));
    }
}
