package dev.vellum.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.spi.JsonType;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.RegexPattern;
import dev.vellum.spi.Sql;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The logic core writes around a backend's comparisons, against a fake dialect whose SQL names what was asked: and/or/not
 * with SQL's NULL kept out of the meaning, the operators that need no backend SQL, and binds in the order of their
 * placeholders.
 */
class SqlFilterTest {

    /** Writes {@code column.path op ?} and the like, binding each value where its placeholder is. */
    private record FakePath(String name) implements PathSql {
        @Override
        public Sql absent() {
            return Sql.of("absent(" + name + ")");
        }

        @Override
        public Sql isType(JsonType type) {
            return Sql.of("type(" + name + "," + type + ")");
        }

        @Override
        public Sql compare(String op, JsonNode scalar) {
            return Sql.of(name + " " + op + " ?", scalar);
        }

        @Override
        public Sql equalsJson(JsonNode value) {
            return Sql.of(name + " == ?", value);
        }

        @Override
        public Sql like(String pattern, boolean fold) {
            return Sql.of((fold ? "ilike(" : "like(") + name + ",?)", pattern);
        }

        @Override
        public Sql startsWith(String prefix) {
            return Sql.of("prefix(" + name + ",?)", prefix);
        }

        @Override
        public Sql regex(RegexPattern regex) {
            return Sql.of(name + " ~ ?", regex.withEndOfText("$"));
        }

        @Override
        public Sql containsElement(JsonNode value) {
            return Sql.of("has(" + name + ",?)", value);
        }

        @Override
        public List<SortExpression> sortKeys() {
            return List.of();
        }
    }

    /** A dialect of which the translator may ask paths and, with a document index, containment; nothing else. */
    private static RecordDialect dialect() {
        return (RecordDialect) Proxy.newProxyInstance(
                RecordDialect.class.getClassLoader(), new Class<?>[] {RecordDialect.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "path":
                            return new FakePath(args[0] + "."
                                    + String.join(
                                            ".",
                                            ((List<?>) args[1])
                                                    .stream()
                                                            .map(String::valueOf)
                                                            .toList()));
                        case "system":
                            return new FakePath("$" + args[0]);
                        case "containment":
                            return Sql.of("doc @> ?", args[1]);
                        default:
                            throw new AssertionError("the translator asked the dialect for " + method.getName());
                    }
                });
    }

    private final List<Object> params = new ArrayList<>();

    private String where(Filter filter) {
        return collect(new SqlFilter(dialect()).where(filter));
    }

    /** The fragment's text; its binds are added to {@link #params}. */
    private String collect(Sql sql) {
        params.addAll(sql.binds());
        return sql.text();
    }

    private List<String> binds() {
        return params.stream()
                .map(p -> p instanceof JsonNode n ? n.toString() : String.valueOf(p))
                .toList();
    }

    @Test
    void comparisonsAreTheBackendsAndTheLogicIsCores() {
        assertThat(where(Filter.eq("a.b", 1).and(Filter.gt("c", "x").or(Filter.lte("d", true)))))
                .isEqualTo("(fields.a.b = ? AND (fields.c > ? OR fields.d <= ?))");
        assertThat(binds()).containsExactly("1", "\"x\"", "true");
    }

    @Test
    void notIsTheExactComplementEvenWhereAComparisonIsNull() {
        assertThat(where(Filter.not(Filter.eq("a", 1)))).isEqualTo("(NOT COALESCE(fields.a = ?, FALSE))");
    }

    @Test
    void neAndNinMatchOnlyRecordsThatHaveTheField() {
        assertThat(where(Filter.ne("a", 1))).isEqualTo("(NOT absent(fields.a) AND NOT COALESCE(fields.a = ?, FALSE))");
        params.clear();
        assertThat(where(Filter.nin("a", 1, 2)))
                .isEqualTo("(NOT absent(fields.a) AND NOT COALESCE((fields.a = ? OR fields.a = ?), FALSE))");
        params.clear();
        assertThat(where(Filter.ne("a", null))).isEqualTo("(NOT absent(fields.a))");
    }

    @Test
    void missingAndNullAreTheSame() {
        assertThat(where(Filter.eq("a", null))).isEqualTo("absent(fields.a)");
        assertThat(where(Filter.exists("a", true))).isEqualTo("(NOT absent(fields.a))");
        assertThat(where(Filter.exists("a", false))).isEqualTo("absent(fields.a)");
        assertThat(params).isEmpty();
    }

    @Test
    void orderingAgainstAValueWithNoOrderMatchesNothing() {
        assertThat(where(Filter.gt("a", List.of(1)))).isEqualTo("FALSE");
        assertThat(where(Filter.between("a", 1, "z"))).as("bounds of two types").isEqualTo("FALSE");
        assertThat(where(Filter.between("a", 1, 5))).isEqualTo("(fields.a >= ? AND fields.a <= ?)");
        assertThat(binds()).containsExactly("1", "5");
    }

    @Test
    void emptyListsAndEmptyGroupsHaveTheirIdentity() {
        assertThat(where(Filter.all())).isEqualTo("TRUE");
        assertThat(where(Filter.or())).isEqualTo("FALSE");
        assertThat(where(Filter.containsAny("t"))).isEqualTo("FALSE");
        assertThat(where(Filter.containsAll("t")))
                .as("every array contains nothing")
                .isEqualTo("type(fields.t,ARRAY)");
    }

    @Test
    void documentsAndArraysCompareAsWholes() {
        assertThat(where(Filter.eq("a", List.of(1, 2)))).isEqualTo("fields.a == ?");
        params.clear();
        assertThat(where(Filter.containsAll("t", "x", "y"))).isEqualTo("(has(fields.t,?) AND has(fields.t,?))");
        assertThat(binds()).containsExactly("\"x\"", "\"y\"");
    }

    @Test
    void patternsReachTheBackendChecked() {
        assertThat(where(Filter.regex("a", "^\\d$"))).isEqualTo("fields.a ~ ?");
        assertThat(binds()).containsExactly("^[0-9]$");
        params.clear();
        assertThat(where(Filter.ilike("a", "ÄB%"))).isEqualTo("ilike(fields.a,?)");
        assertThat(binds()).as("folded by Vellum's own table").containsExactly("äb%");
    }

    @Test
    void metadataAndSystemPathsAskForTheirColumns() {
        assertThat(where(Filter.eq("$meta.source", "import").and(Filter.eq("$id", "x"))))
                .isEqualTo("(metadata.source = ? AND $" + FieldPath.Kind.ID + " = ?)");
    }

    @Test
    void aDocumentIndexGetsTheImpliedContainmentBesideTheExactCondition() {
        String sql = collect(new SqlFilter(dialect()).where(Filter.eq("a", 1), true));
        assertThat(sql).isEqualTo("(fields.a = ? AND doc @> ?)");
        assertThat(binds()).containsExactly("1", "1");
    }

    @Test
    void bindsFollowTheirPlaceholdersThroughAnyNesting() {
        String sql = where(Filter.or(
                Filter.not(Filter.in("a", 1, 2)),
                Filter.and(Filter.like("b", "x%"), Filter.startsWith("c", "p")),
                Filter.contains("d", 3)));
        assertThat(sql.chars().filter(c -> c == '?').count()).isEqualTo(params.size());
        assertThat(binds()).containsExactly("1", "2", "x%", "p", "3");
    }
}
