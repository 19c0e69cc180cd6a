package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import java.util.List;
import java.util.Map;

/**
 * Every rule of docs/semantics.md on a fixed set of records of mixed shapes, with the expected ids written out by hand,
 * on every backend.
 */
class FilterSemanticsTest {

    static final Map<String, String> RECORDS = Map.of(
            "r01",
                    "{\"name\":\"Ada\",\"age\":36,\"city\":\"NY\",\"tags\":[\"x\",\"y\"],\"address\":{\"city\":\"NY\","
                            + "\"zip\":\"10001\"},\"active\":true,\"score\":9.5}",
            "r02", "{\"name\":\"Bob\",\"age\":\"35\",\"city\":\"LA\",\"tags\":[\"y\"],\"active\":false,\"score\":10}",
            "r03", "{\"name\":\"Cy\",\"age\":29,\"city\":null,\"tags\":[],\"address\":\"NY\"}",
            "r04",
                    "{\"name\":\"dora\",\"age\":30.0,\"tags\":[\"x\",1,true,null,{\"a\":1}],\"nested\":{\"a\":{\"b\":1}}}",
            "r05", "{\"name\":\"Éva\",\"age\":null,\"city\":\"NY\",\"obj\":{\"b\":2,\"a\":1},\"arr\":[1,2.0]}",
            "r06", "{}",
            "r07",
                    "{\"name\":\"ß straße\",\"age\":15,\"a'b\":\"quote\",\"a\\\"b\":\"dq\",\"名前\":\"名\",\"--\":\"dash\","
                            + "\";\":\"semi\",\"a\\\\b\":\"bs\"}",
            "r08", "{\"name\":\"100%_done\",\"age\":1e2,\"big\":9223372036854775807,\"dec\":0.1}");

    static final Map<String, String> METADATA = Map.of("r01", "{\"source\":\"import\"}", "r02", "{\"source\":\"api\"}");

    static Collection load(RecordStore store) {
        Collection c = store.collection("people");
        RECORDS.keySet().stream()
                .sorted()
                .forEach(id -> c.insert(
                        id,
                        JsonValues.parse(RECORDS.get(id)),
                        METADATA.containsKey(id) ? JsonValues.parse(METADATA.get(id)) : null));
        return c;
    }

    private static List<String> ids(Collection c, String filter) {
        return c.find(Query.where(Filter.parse(filter)).limit(100)).records().stream()
                .map(Record::id)
                .toList();
    }

    private static void expect(Collection c, String filter, String... ids) {
        assertThat(ids(c, filter)).as(filter).containsExactly(ids);
        assertThat(c.count(Filter.parse(filter))).as("count " + filter).isEqualTo(ids.length);
    }

    @StoreTest
    void missingAndNullAreTheSame(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"city\":\"NY\"}", "r01", "r05");
        expect(c, "{\"city\":{\"$ne\":\"NY\"}}", "r02");
        expect(c, "{\"city\":null}", "r03", "r04", "r06", "r07", "r08");
        expect(c, "{\"city\":{\"$ne\":null}}", "r01", "r02", "r05");
        expect(c, "{\"city\":{\"$exists\":true}}", "r01", "r02", "r05");
        expect(c, "{\"city\":{\"$exists\":false}}", "r03", "r04", "r06", "r07", "r08");
        expect(c, "{\"address\":{\"$exists\":true}}", "r01", "r03");
    }

    @StoreTest
    void notIsTheExactComplement(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"$not\":{\"city\":\"NY\"}}", "r02", "r03", "r04", "r06", "r07", "r08");
        expect(c, "{\"$not\":{\"age\":{\"$gt\":15}}}", "r02", "r05", "r06", "r07");
        expect(c, "{\"$not\":{\"$or\":[{\"city\":\"NY\"},{\"age\":{\"$lt\":30}}]}}", "r02", "r04", "r06", "r08");
        expect(c, "{\"$not\":{\"$not\":{\"city\":\"NY\"}}}", "r01", "r05");
        expect(c, "{\"age\":{\"$not\":{\"$gte\":30}}}", "r02", "r03", "r05", "r06", "r07");
    }

    @StoreTest
    void noTypeCoercionAndMixedTypesNeverRaise(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"age\":{\"$gt\":15}}", "r01", "r03", "r04", "r08");
        expect(c, "{\"age\":{\"$ne\":29}}", "r01", "r02", "r04", "r07", "r08");
        expect(c, "{\"age\":{\"$nin\":[29]}}", "r01", "r02", "r04", "r07", "r08");
        expect(c, "{\"age\":30}", "r04");
        expect(c, "{\"age\":100}", "r08");
        expect(c, "{\"age\":\"35\"}", "r02");
        expect(c, "{\"age\":35}");
        expect(c, "{\"age\":{\"$in\":[29,\"35\",null]}}", "r02", "r03");
        expect(c, "{\"age\":{\"$gt\":\"3\"}}", "r02");
        expect(c, "{\"active\":{\"$gt\":false}}", "r01");
        expect(c, "{\"active\":{\"$lt\":true}}", "r02");
        expect(c, "{\"active\":1}");
        expect(c, "{\"score\":{\"$gte\":9.5}}", "r01", "r02");
        expect(c, "{\"tags\":{\"$gt\":1}}");
        expect(c, "{\"name\":{\"$gt\":\"Cy\"}}", "r04", "r05", "r07");
        expect(c, "{\"big\":9223372036854775807}", "r08");
        expect(c, "{\"dec\":0.1}", "r08");
    }

    @StoreTest
    void emptyListsAndEmptyLogic(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"$and\":[]}", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
        expect(c, "{\"$or\":[]}");
        expect(c, "{\"age\":{\"$in\":[]}}");
        expect(c, "{\"age\":{\"$nin\":[]}}", "r01", "r02", "r03", "r04", "r07", "r08");
        expect(c, "{\"tags\":{\"$containsAll\":[]}}", "r01", "r02", "r03", "r04");
        expect(c, "{\"tags\":{\"$containsAny\":[]}}");
    }

    @StoreTest
    void betweenIsInclusiveAndReversedBoundsMatchNothing(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"age\":{\"$between\":[29,36]}}", "r01", "r03", "r04");
        expect(c, "{\"age\":{\"$between\":[36,29]}}");
        expect(c, "{\"age\":{\"$between\":[29,\"z\"]}}");
        expect(c, "{\"name\":{\"$between\":[\"B\",\"D\"]}}", "r02", "r03");
        assertThatThrownBy(() -> Filter.parse("{\"age\":{\"$between\":[1,2,3]}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("exactly two values");
        assertThatThrownBy(() -> Filter.parse("{\"age\":{\"$between\":5}}")).isInstanceOf(QueryException.class);
    }

    @StoreTest
    void nestedPathsAndPathsThroughScalarsOrArrays(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"address.city\":\"NY\"}", "r01");
        expect(c, "{\"nested.a.b\":1}", "r04");
        expect(c, "{\"nested.a\":{\"$eq\":{\"b\":1}}}", "r04");
        expect(c, "{\"tags.0\":\"x\"}");
        expect(c, "{\"address.city.x\":{\"$exists\":false}}", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
    }

    @StoreTest
    void hostileKeysAreDataNotSql(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"a'b\":\"quote\"}", "r07");
        expect(c, "{\"a\\\"b\":\"dq\"}", "r07");
        expect(c, "{\"a\\\\b\":\"bs\"}", "r07");
        expect(c, "{\"名前\":\"名\"}", "r07");
        expect(c, "{\"--\":\"dash\"}", "r07");
        expect(c, "{\";\":\"semi\"}", "r07");
        expect(c, "{\"name\":\"x' OR '1'='1\"}");
        expect(c, "{\"a'b\":{\"$exists\":true},\"$or\":[{\"a\\\"b\":{\"$like\":\"d%\"}}]}", "r07");
    }

    @StoreTest
    void likeIlikeStartsWithAndRegex(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"name\":{\"$like\":\"%a\"}}", "r01", "r04", "r05");
        expect(c, "{\"name\":{\"$like\":\"ada\"}}");
        expect(c, "{\"name\":{\"$like\":\"_ob\"}}", "r02");
        expect(c, "{\"name\":{\"$like\":\"100\\\\%\\\\_done\"}}", "r08");
        expect(c, "{\"name\":{\"$like\":\"100%\"}}", "r08");
        expect(c, "{\"name\":{\"$like\":\"%[%\"}}");
        expect(c, "{\"name\":{\"$like\":\"_\"}}");
        expect(c, "{\"name\":{\"$like\":\"__\"}}", "r03");
        expect(c, "{\"name\":{\"$ilike\":\"ADA\"}}", "r01");
        expect(c, "{\"name\":{\"$ilike\":\"éVA\"}}", "r05");
        expect(c, "{\"name\":{\"$ilike\":\"%STRASSE\"}}");
        expect(c, "{\"name\":{\"$ilike\":\"SS%\"}}");
        expect(c, "{\"name\":{\"$ilike\":\"ß%\"}}", "r07");
        expect(c, "{\"name\":{\"$startsWith\":\"100%\"}}", "r08");
        expect(c, "{\"name\":{\"$startsWith\":\"d\"}}", "r04");
        expect(c, "{\"name\":{\"$startsWith\":\"\"}}", "r01", "r02", "r03", "r04", "r05", "r07", "r08");
        expect(c, "{\"age\":{\"$like\":\"3%\"}}", "r02");
        expect(c, "{\"name\":{\"$regex\":\"^[A-C]\"}}", "r01", "r02", "r03");
        expect(c, "{\"name\":{\"$regex\":\"a$\"}}", "r01", "r04", "r05");
        expect(c, "{\"name\":{\"$regex\":\"\\\\d+%\"}}", "r08");
        expect(c, "{\"name\":{\"$regex\":\"o\"}}", "r02", "r04", "r08");
        expect(c, "{\"name\":{\"$regex\":\"^(Ada|Bob)$\"}}", "r01", "r02");
        expect(c, "{\"name\":{\"$regex\":\"^.{2}$\"}}", "r03");
        expect(c, "{\"name\":{\"$regex\":\"\\\\s\"}}", "r07");
        expect(c, "{\"name\":{\"$regex\":\"[^a-zA-Z0-9]\"}}", "r05", "r07", "r08");
        assertThatThrownBy(() -> Filter.parse("{\"name\":{\"$regex\":\"(?i)ada\"}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("not in the portable subset");
        assertThatThrownBy(() -> Filter.parse("{\"name\":{\"$regex\":\"\\\\bword\"}}"))
                .isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Filter.parse("{\"name\":{\"$like\":\"abc\\\\\"}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("lone backslash");
    }

    @StoreTest
    void arrayOperatorsAndWholeValueEquality(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"tags\":{\"$contains\":\"x\"}}", "r01", "r04");
        expect(c, "{\"tags\":{\"$contains\":1}}", "r04");
        expect(c, "{\"tags\":{\"$contains\":1.0}}", "r04");
        expect(c, "{\"tags\":{\"$contains\":true}}", "r04");
        expect(c, "{\"tags\":{\"$contains\":null}}", "r04");
        expect(c, "{\"tags\":{\"$contains\":{\"a\":1}}}", "r04");
        expect(c, "{\"tags\":{\"$contains\":{}}}");
        expect(c, "{\"address\":{\"$contains\":\"NY\"}}");
        expect(c, "{\"tags\":{\"$containsAll\":[\"x\",\"y\"]}}", "r01");
        expect(c, "{\"tags\":{\"$containsAny\":[\"y\",1]}}", "r01", "r02", "r04");
        expect(c, "{\"obj\":{\"$eq\":{\"a\":1,\"b\":2}}}", "r05");
        expect(c, "{\"obj\":{\"$eq\":{\"a\":1}}}");
        expect(c, "{\"arr\":[1,2]}", "r05");
        expect(c, "{\"arr\":[2,1]}");
        expect(c, "{\"tags\":[]}", "r03");
        expect(c, "{\"arr\":{\"$ne\":[1,2]}}");
        expect(c, "{\"tags\":{\"$in\":[[\"y\"],[]]}}", "r02", "r03");
    }

    @StoreTest
    void systemFieldsAndMetadata(RecordStore store) {
        Collection c = load(store);
        expect(c, "{\"$meta.source\":\"import\"}", "r01");
        expect(c, "{\"$meta.source\":{\"$exists\":false}}", "r03", "r04", "r05", "r06", "r07", "r08");
        expect(c, "{\"$id\":\"r03\"}", "r03");
        expect(c, "{\"$id\":{\"$in\":[\"r01\",\"r02\",\"zz\"]}}", "r01", "r02");
        expect(c, "{\"$id\":{\"$gte\":\"r07\"}}", "r07", "r08");
        expect(c, "{\"$id\":{\"$like\":\"r0_\"}}", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
        expect(c, "{\"$id\":3}");
        expect(c, "{\"$id\":{\"$ne\":3}}", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
        expect(c, "{\"$version\":1}", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
        expect(c, "{\"$version\":{\"$gt\":1}}");
        expect(c, "{\"$version\":\"1\"}");
        expect(
                c,
                "{\"$createdAt\":{\"$gt\":\"2000-01-01T00:00:00Z\"}}",
                "r01",
                "r02",
                "r03",
                "r04",
                "r05",
                "r06",
                "r07",
                "r08");
        expect(c, "{\"$createdAt\":{\"$lt\":\"2000-01-01T00:00:00+02:00\"}}");
        expect(c, "{\"$updatedAt\":{\"$startsWith\":\"20\"}}", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
        assertThatThrownBy(() -> Filter.parse("{\"$createdAt\":{\"$gt\":\"yesterday\"}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("ISO-8601");
    }

    @StoreTest
    void malformedFiltersNameTheOffendingPart(RecordStore store) {
        assertThatThrownBy(() -> Filter.parse("{\"age\":{\"$gtx\":1}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("$gtx")
                .hasMessageContaining("Did you mean $gt")
                .extracting(e -> ((QueryException) e).part())
                .isEqualTo("$gtx");
        assertThatThrownBy(() -> Filter.parse("{\"a..b\":1}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("a..b");
        assertThatThrownBy(() -> Filter.parse("{\"$foo\":1}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("$foo");
        assertThatThrownBy(() -> Filter.parse("[1]")).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Filter.parse("{\"age\":"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> Filter.parse("{\"$or\":{}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("$or takes an array");
        assertThatThrownBy(() -> Filter.parse("{\"age\":{\"$in\":3}}")).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Filter.parse("{\"age\":{\"$exists\":\"yes\"}}"))
                .isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Filter.parse("{\"age\":{\"$gt\":1,\"x\":2}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("mixes operators");
        assertThat(store.collection("people").count(Filter.all())).isZero();
    }

    @StoreTest
    void filtersPrintAndParseLosslessly(RecordStore store) {
        String[] filters = {
            "{\"city\":\"NY\",\"age\":{\"$gte\":30},\"$or\":[{\"tags\":{\"$contains\":\"x\"}},"
                    + "{\"$meta.source\":\"import\"}],\"$not\":{\"name\":{\"$regex\":\"^A\"}}}",
            "{\"obj\":{\"$eq\":{\"a\":[1,2.50,{\"b\":null}]}}}",
            "{\"age\":{\"$not\":{\"$between\":[1,2]}}}",
        };
        for (String text : filters) {
            Filter f = Filter.parse(text);
            assertThat(Filter.parse(f.toJson())).isEqualTo(f);
        }
        Filter built = Filter.eq("city", "NY").and(Filter.gte("age", 30)).or(Filter.not(Filter.exists("x", true)));
        assertThat(Filter.parse(built.toJson())).isEqualTo(built);
        Collection c = load(store);
        assertThat(c.count(Filter.eq("city", "NY").and(Filter.gte("age", 30)))).isEqualTo(1);
    }

    /** A key given twice in a filter's JSON is refused, not resolved by whichever comes last. */
    @org.junit.jupiter.api.Test
    void aFilterWithADuplicateKeyIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> dev.vellum.Filter.parse("{\"age\":{\"$gte\":30},\"age\":{\"$lt\":10}}"))
                .isInstanceOf(dev.vellum.QueryException.class)
                .hasMessageContaining("Duplicate key 'age'");
    }
}
