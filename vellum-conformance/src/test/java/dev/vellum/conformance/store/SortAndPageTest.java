package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.testkit.StoreTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/** Sort order across types, tie-breaking, keyset pagination, limits, offsets and projection on every backend. */
class SortAndPageTest {

    private static List<String> ids(Page page) {
        return page.records().stream().map(Record::id).toList();
    }

    @StoreTest
    void valuesSortByTypeThenValueWithMissingLastInBothDirections(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        assertThat(ids(c.find(Query.all().sort("age"))))
                .containsExactly("r07", "r03", "r04", "r01", "r08", "r02", "r05", "r06");
        assertThat(ids(c.find(Query.all().sort("-age"))))
                .containsExactly("r02", "r08", "r01", "r04", "r03", "r07", "r05", "r06");
        assertThat(ids(c.find(Query.all()))).containsExactly("r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08");
        assertThat(ids(c.find(Query.all().sort("-$id"))))
                .containsExactly("r08", "r07", "r06", "r05", "r04", "r03", "r02", "r01");
        // names by code point: digits < uppercase < lowercase < Latin-1 letters
        assertThat(ids(c.find(Query.all().sort("name"))))
                .containsExactly("r08", "r01", "r02", "r03", "r04", "r05", "r07", "r06");
    }

    @StoreTest
    void everyTypeHasItsPlace(RecordStore store) {
        Collection c = store.collection("mixed");
        c.insert("a", Map.of("v", List.of(2)), null);
        c.insert("b", Map.of("v", "text"), null);
        c.insert("c", Map.of("v", true), null);
        c.insert("d", Map.of("v", Map.of("k", 1)), null);
        c.insert("e", Map.of("v", -5), null);
        c.insert("f", Map.of("v", false), null);
        c.insert("g", Map.of("v", List.of(10)), null);
        c.insert("h", Map.of("w", 1), null);
        c.insert("i", Map.of("v", 2.5), null);
        c.insert("j", Map.of("v", ""), null);
        c.insert("k", Map.of("v", Map.of()), null);
        // arrays and objects order by canonical JSON text: "[10]" < "[2]", "{\"k\":1}" < "{}"
        assertThat(ids(c.find(Query.all().sort("v"))))
                .containsExactly("e", "i", "j", "b", "f", "c", "g", "a", "d", "k", "h");
        assertThat(ids(c.find(Query.all().sort("-v"))))
                .containsExactly("k", "d", "a", "g", "c", "f", "b", "j", "i", "e", "h");
    }

    @StoreTest
    void tiesBreakByIdAndSeveralKeysCombine(RecordStore store) {
        Collection c = store.collection("ties");
        for (String id : List.of("d", "b", "a", "c", "e")) {
            c.insert(id, Map.of("g", id.compareTo("c") < 0 ? 1 : 2, "h", id.equals("e") ? 0 : 5), null);
        }
        assertThat(ids(c.find(Query.all().sort("g")))).containsExactly("a", "b", "c", "d", "e");
        assertThat(ids(c.find(Query.all().sort("-g")))).containsExactly("c", "d", "e", "a", "b");
        assertThat(ids(c.find(Query.all().sort("-g", "h")))).containsExactly("e", "c", "d", "a", "b");
    }

    @StoreTest
    void walkingPagesVisitsEveryRecordOnceUnderConcurrentChange(RecordStore store) {
        Collection c = store.collection("walk");
        Random random = new Random(42);
        List<NewRecord> initial = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            Map<String, Object> fields = new HashMap<>();
            if (i % 7 != 0) {
                fields.put("score", random.nextInt(30));
            }
            if (i % 11 == 0) {
                fields.put("score", "s" + random.nextInt(5));
            }
            initial.add(new NewRecord(String.format("id%03d", i), fields, null));
        }
        c.insertMany(initial);
        for (String[] sort : List.of(new String[] {"-score"}, new String[] {"score", "-$id"}, new String[0])) {
            Set<String> present = new HashSet<>();
            initial.forEach(r -> present.add(r.id()));
            present.removeIf(id -> c.get(id).isEmpty());
            List<String> seen = new ArrayList<>();
            Set<String> deleted = new HashSet<>();
            Query query = Query.where(Filter.all()).sort(sort).limit(9);
            int round = 0;
            while (true) {
                Page page = c.find(query);
                seen.addAll(ids(page));
                // change the collection between pages: one new record, one deleted record
                c.insert(null, Map.of("score", random.nextInt(30)), null);
                String victim = new ArrayList<>(present).get(random.nextInt(present.size()));
                c.delete(victim);
                deleted.add(victim);
                present.remove(victim);
                if (page.nextCursor() == null) {
                    break;
                }
                query = query.cursor(page.nextCursor());
                assertThat(++round).isLessThan(200);
            }
            assertThat(new HashSet<>(seen)).as("no record twice").hasSameSizeAs(seen);
            assertThat(seen).as("every record present for the whole walk").containsAll(present);
        }
    }

    @StoreTest
    void cursorWalkMatchesOneBigPage(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        for (String sort : List.of("age", "-age", "name", "-tags", "city", "$createdAt", "-$version")) {
            List<String> all = ids(c.find(Query.all().sort(sort).limit(100)));
            List<String> walked = new ArrayList<>();
            Query q = Query.all().sort(sort).limit(3);
            while (true) {
                Page page = c.find(q);
                walked.addAll(ids(page));
                if (page.nextCursor() == null) {
                    break;
                }
                q = q.cursor(page.nextCursor());
            }
            assertThat(walked).as(sort).isEqualTo(all).hasSize(8);
        }
    }

    @StoreTest
    void limitsOffsetsAndBadCursorsAtTheEdges(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        Page empty = c.find(Query.all().limit(0));
        assertThat(empty.records()).isEmpty();
        assertThat(empty.nextCursor()).isNull();
        assertThat(ids(c.find(Query.all().offset(6)))).containsExactly("r07", "r08");
        assertThat(c.find(Query.all().offset(8)).records()).isEmpty();
        assertThat(c.find(Query.all().offset(100)).records()).isEmpty();
        Page exact = c.find(Query.all().limit(8));
        assertThat(exact.records()).hasSize(8);
        assertThat(exact.nextCursor()).as("no cursor when nothing follows").isNull();
        assertThat(c.find(Query.all().limit(7)).nextCursor()).isNotNull();
        assertThat(c.find(Query.all().limit(10_000)).records()).hasSize(8);
        assertThatThrownBy(() -> Query.all().limit(10_001)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Query.all().limit(-1)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.find(Query.all().cursor("not-a-cursor")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("cursor");
        String cursor = c.find(Query.all().sort("age").limit(2)).nextCursor();
        assertThatThrownBy(() -> c.find(Query.all().sort("name").cursor(cursor)))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("another filter or sort");
        assertThat(store.collection("nothing_here").find(Query.all()).records()).isEmpty();
    }

    @StoreTest
    void projectionKeepsOnlyTheListedFields(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        Record r = c.find(Query.where(Filter.eq("$id", "r01")).fields("name", "address.zip", "nope"))
                .records()
                .get(0);
        assertThat(r.fields().toString()).isEqualTo("{\"name\":\"Ada\",\"address\":{\"zip\":\"10001\"}}");
        assertThat(r.metadata().get("source").textValue()).isEqualTo("import");
        assertThat(r.version()).isEqualTo(1);
        try (Stream<Record> s = c.stream(Query.all().fields("age"))) {
            assertThat(s.map(x -> x.fields().size()).toList()).containsExactly(1, 1, 1, 1, 1, 0, 1, 1);
        }
    }

    @StoreTest
    void streamFollowsFilterAndSort(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        try (Stream<Record> s =
                c.stream(Query.where(Filter.exists("age", true)).sort("-age").limit(1))) {
            assertThat(s.map(Record::id).toList()).containsExactly("r02", "r08", "r01", "r04", "r03", "r07");
        }
    }

    @StoreTest
    void queriesParseFromJson(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        Query q = Query.parse(
                "{\"filter\":{\"age\":{\"$gte\":29}},\"sort\":[\"-age\"],\"limit\":2,\"fields\":[\"age\"]}");
        Page page = c.find(q);
        assertThat(ids(page)).containsExactly("r08", "r01");
        assertThat(ids(c.find(q.cursor(page.nextCursor())))).containsExactly("r04", "r03");
        assertThat(Query.parse(q.toJson())).isEqualTo(q);
        assertThatThrownBy(() -> Query.parse("{\"filtr\":{}}"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("did you mean 'filter'");
        assertThatThrownBy(() -> Query.parse("{\"limit\":\"ten\"}")).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Query.parse("{\"sort\":[\"-$nope\"]}")).isInstanceOf(QueryException.class);
    }
}
