package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** createIndex makes real expression indexes: the database's own plan shows them used. */
class IndexPlanTest {

    private static Collection people(TestBackend backend) {
        RecordStore store = backend.openStore();
        Collection c = store.collection("people");
        c.insertMany(IntStream.range(0, 5_000)
                .mapToObj(i -> NewRecord.of(Map.of(
                        "email",
                        "user" + i + "@example.com",
                        "age",
                        i % 90,
                        "name",
                        "n" + (i * 7919 % 5_000),
                        "city",
                        i % 50 == 0 ? "NY" : "city" + i)))
                .toList());
        c.createIndex("by_email", List.of("email"), true);
        c.createIndex("by_age", "age");
        c.createIndex("by_name", "name");
        if (backend.name().equals("postgres")) {
            store.database().orElseThrow().execute("ANALYZE");
        } else {
            store.database().orElseThrow().execute("ANALYZE");
        }
        return c;
    }

    private static String index(TestBackend backend, String name) {
        return "vi_people__" + name;
    }

    /** The plan reads the index and sorts nothing: the index gives the order. */
    private static void assertReadsInOrder(TestBackend backend, String plan, String indexName) {
        assertThat(plan).as(plan).contains(index(backend, indexName));
        if (backend.name().equals("sqlite")) {
            assertThat(plan).as(plan).doesNotContain("TEMP B-TREE");
        } else {
            assertThat(plan).as(plan).doesNotContainPattern("(?m)^\\s*(->\\s*)?Sort ");
        }
    }

    @BackendTest({"sqlite", "postgres"})
    void equalityUsesTheIndex(TestBackend backend) {
        Collection c = people(backend);
        String plan = c.explain(Query.where(Filter.eq("email", "user42@example.com")));
        assertThat(plan).as(plan).contains(index(backend, "by_email"));
        assertThat(c.find(Query.where(Filter.eq("email", "user42@example.com"))).records())
                .hasSize(1);
    }

    @BackendTest({"sqlite", "postgres"})
    void numberRangeUsesTheIndex(TestBackend backend) {
        Collection c = people(backend);
        String plan = c.explain(Query.where(Filter.between("age", 10, 11)));
        assertThat(plan).as(plan).contains(index(backend, "by_age"));
        assertThat(c.count(Filter.between("age", 10, 11))).isEqualTo(112);
    }

    @BackendTest({"sqlite", "postgres"})
    void stringRangeUsesTheIndex(TestBackend backend) {
        Collection c = people(backend);
        Query q = Query.where(Filter.gte("name", "n4990").and(Filter.lt("name", "n4999")));
        String plan = c.explain(q);
        assertThat(plan).as(plan).contains(index(backend, "by_name"));
        assertThat(c.find(q).records()).hasSize(9);
    }

    @BackendTest({"sqlite", "postgres"})
    void rangeSortAndLimitReadTheIndexInOrder(TestBackend backend) {
        Collection c = people(backend);
        Query q = Query.where(Filter.gte("age", 80)).sort("age").limit(100);
        assertReadsInOrder(backend, c.explain(q), "by_age");
        List<Integer> ages = c.find(q).records().stream()
                .map(r -> r.fields().get("age").intValue())
                .toList();
        assertThat(ages).hasSize(100).isSorted().allMatch(a -> a >= 80);
    }

    /** On PostgreSQL through the code-point text index. */
    @BackendTest({"sqlite", "postgres"})
    void stringRangeSortAndLimitReadTheIndexInOrder(TestBackend backend) {
        Collection c = people(backend);
        Query q = Query.where(Filter.gte("name", "n2")).sort("name").limit(20);
        assertReadsInOrder(backend, c.explain(q), "by_name");
        List<String> names = c.find(q).records().stream()
                .map(r -> r.fields().get("name").textValue())
                .toList();
        assertThat(names).hasSize(20).isSorted().allMatch(n -> n.compareTo("n2") >= 0);
    }

    /**
     * An index an older Vellum built with an older index form (PostgreSQL form 1 read paths with {@code #>}) is
     * rebuilt when a store opens with auto-migrate, so the queries of this version use it again.
     */
    @BackendTest("postgres")
    void indexesOfAnOlderFormAreRebuiltOnOpen(TestBackend backend) {
        try (RecordStore store = backend.openStore()) {
            Collection c = store.collection("legacy");
            c.insertMany(IntStream.range(0, 3_000)
                    .mapToObj(i -> NewRecord.of(Map.of("age", i % 90)))
                    .toList());
            c.createIndex("by_age", "age");
            Database db = store.database().orElseThrow();
            db.execute("DROP INDEX vi_legacy__by_age, vi_legacy__by_age_t");
            db.execute("CREATE INDEX vi_legacy__by_age ON vc_legacy (NULLIF(fields #> '{age}'::text[], 'null'::jsonb), "
                    + "id)");
            db.execute("UPDATE vellum_indexes SET form = 1");
            db.execute("ANALYZE vc_legacy");
            assertThat(c.explain(Query.where(Filter.gte("age", 88)))).doesNotContain("vi_legacy__by_age");
        }
        try (RecordStore store = backend.openStore()) {
            Database db = store.database().orElseThrow();
            db.execute("ANALYZE vc_legacy");
            Query q = Query.where(Filter.gte("age", 88)).sort("age").limit(10);
            assertThat(store.collection("legacy").explain(q)).contains("vi_legacy__by_age");
            assertThat(store.collection("legacy").find(q).records()).hasSize(10);
            assertThat(db.fetchOne("SELECT form FROM vellum_indexes WHERE name = 'by_age'")
                            .orElseThrow()
                            .getLong("form"))
                    .isEqualTo(2);
            assertThat(store.collection("legacy").indexes()).hasSize(1);
        }
    }

    @BackendTest({"sqlite", "postgres"})
    void documentIndexServesEqualityAndContainsOnAnyPath(TestBackend backend) {
        Collection c = people(backend);
        Query q = Query.where(Filter.eq("name", "n42"));
        List<String> before =
                c.find(q).records().stream().map(dev.vellum.Record::id).toList();
        c.createDocumentIndex();
        backend.openStore().database().orElseThrow().execute("ANALYZE");
        assertThat(c.find(q).records().stream().map(dev.vellum.Record::id).toList())
                .isEqualTo(before)
                .hasSize(1);
        assertThat(c.count(Filter.contains("tags", "x"))).isZero();
        if (backend.name().equals("postgres")) {
            assertThat(c.hasDocumentIndex()).isTrue();
            String plan = c.explain(
                    Query.where(Filter.eq("email", "user7@example.com").and(Filter.eq("city", "NY"))));
            assertThat(plan).as(plan).containsAnyOf("vd_people", "vi_people__by_email");
            String cityPlan = c.explain(Query.where(Filter.eq("city", "NY")));
            assertThat(cityPlan).as(cityPlan).contains("vd_people");
            assertThat(c.dropDocumentIndex()).isTrue();
        } else {
            assertThat(c.hasDocumentIndex()).isFalse();
            assertThat(c.dropDocumentIndex()).isFalse();
        }
        assertThat(c.hasDocumentIndex()).isFalse();
    }
}
