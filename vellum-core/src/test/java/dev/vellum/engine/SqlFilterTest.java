package dev.vellum.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.RegexPattern;
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
        public String absent() {
            return "absent(" + name + ")";
        }

        @Override
        public String isType(int rank) {
            return "type(" + name + "," + rank + ")";
        }

        @Override
        public String compare(String op, JsonNode scalar, List<Object> params) {
            params.add(scalar);
            return name + " " + op + " ?";
        }

        @Override
        public String equalsJson(JsonNode value, List<Object> params) {
            params.add(value);
            return name + " == ?";
        }

        @Override
        public String like(String pattern, boolean fold, List<Object> params) {
            params.add(pattern);
            return (fold ? "ilike(" : "like(") + name + ",?)";
        }

        @Override
        public String startsWith(String prefix, List<Object> params) {
            params.add(prefix);
            return "prefix(" + name + ",?)";
        }

        @Override
        public String regex(RegexPattern regex, List<Object> params) {
            params.add(regex.posix());
            return name + " ~ ?";
        }

        @Override
        public String containsElement(JsonNode value, List<Object> params) {
            params.add(value);
            return "has(" + name + ",?)";
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
                            @SuppressWarnings("unchecked")
                            List<Object> params = (List<Object>) args[3];
                            params.add(args[1]);
                            return "doc @> ?";
                        default:
                            throw new AssertionError("the translator asked the dialect for " + method.getName());
                    }
                });
    }

    private final List<Object> params = new ArrayList<>();

    private String where(Filter filter) {
        return new SqlFilter(dialect()).where(filter, params);
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
                .isEqualTo("type(fields.t,4)");
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
        String sql = new SqlFilter(dialect()).where(Filter.eq("a", 1), params, true);
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
