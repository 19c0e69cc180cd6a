package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.ChangePage;
import dev.vellum.Changes;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * VELLUM_MAX_ANSWER_SIZE on every backend: a page of records or of changes ends early, with its cursor or token,
 * once its JSON text would pass the limit (a page always holds one), and walking the pages still visits every record
 * and every change exactly once, in order. Records large as stored, which the SQL backends read after the rest of a
 * page, come back whole and in their place, with projections, inside transactions too. A collection's or a filtered
 * feed answers at most {@code limit} changes without reading the other collections' changes.
 */
class AnswerSizeTest {
    private static final int LIMIT = 64 * 1024;

    private static RecordStore store(TestBackend backend) {
        return backend.openStore(b -> b.set("VELLUM_MAX_ANSWER_SIZE", "64KB"));
    }

    /** Text that compresses well (PostgreSQL stores it compressed) or not at all. */
    private static String text(int length, boolean compressible, Random random) {
        if (compressible) {
            return "x".repeat(length);
        }
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }

    /** 40 records: small ones, 10 KB ones (compressible or not) and two larger than the whole answer. */
    private static List<String> fill(Collection c) {
        Random random = new Random(7);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = String.format("r%02d", i);
            int size = i == 13 || i == 31 ? 100_000 : i % 3 == 0 ? 10 : 10_000;
            c.insert(id, Map.of("n", i, "group", i % 2, "s", text(size, i % 2 == 0, random)), Map.of("i", i));
            ids.add(id);
        }
        return ids;
    }

    private static long textBytes(Record r) {
        return JsonValues.write(r.fields()).getBytes(StandardCharsets.UTF_8).length
                + JsonValues.write(r.metadata()).getBytes(StandardCharsets.UTF_8).length;
    }

    /** Every page, walked from the first with {@code query}'s filter and sort. */
    private static List<Page> walk(Collection c, Query query) {
        List<Page> pages = new ArrayList<>();
        String cursor = null;
        do {
            Page page = c.find(query.cursor(cursor));
            pages.add(page);
            cursor = page.nextCursor();
        } while (cursor != null && pages.size() < 100);
        return pages;
    }

    @StoreTest
    void pagesEndEarlyAtTheAnswerSizeAndTheWalkVisitsEveryRecordOnce(TestBackend backend) {
        Collection c = store(backend).collection("big");
        List<String> ids = fill(c);
        List<Page> pages = walk(c, Query.all().limit(1000));
        assertThat(pages.size()).isGreaterThanOrEqualTo(7);
        List<String> seen = new ArrayList<>();
        for (Page page : pages) {
            assertThat(page.records()).isNotEmpty();
            // within the limit, give or take how each backend reads the text; or one record larger than it
            long bytes =
                    page.records().stream().mapToLong(AnswerSizeTest::textBytes).sum();
            assertThat(bytes <= LIMIT * 1.1 || page.records().size() == 1)
                    .as("page of %d bytes", bytes)
                    .isTrue();
            page.records().forEach(r -> seen.add(r.id()));
        }
        assertThat(seen).containsExactlyElementsOf(ids);
        // each record whole, in its place
        Record big = c.find(Query.where(Filter.eq("n", 13))).records().get(0);
        assertThat(big.fields().get("s").textValue()).hasSize(100_000);
        assertThat(big.metadata().get("i").asInt()).isEqualTo(13);
        // sorted the other way, filtered, projected
        List<String> odd = new ArrayList<>();
        for (Page page : walk(
                c, Query.where(Filter.eq("group", 1)).sort("-n").fields("n").limit(1000))) {
            for (Record r : page.records()) {
                assertThat(r.fields().has("s")).isFalse();
                odd.add(r.id());
            }
        }
        assertThat(odd)
                .containsExactlyElementsOf(ids.stream()
                        .filter(id -> Integer.parseInt(id.substring(1)) % 2 == 1)
                        .sorted(java.util.Comparator.reverseOrder())
                        .toList());
        // a small page is one answer, as ever
        assertThat(c.find(Query.where(Filter.lt("n", 3)).limit(2)).records()).hasSize(2);
    }

    @StoreTest
    void largeRecordsReadInsideATransactionToo(TestBackend backend) {
        RecordStore store = store(backend);
        Collection c = store.collection("big");
        List<String> ids = fill(c);
        List<String> seen = store.inTransaction(tx -> {
            tx.collection("big").insert("r99", Map.of("s", "y".repeat(30_000)), null);
            List<String> all = new ArrayList<>();
            walk(tx.collection("big"), Query.all()).forEach(p -> p.records().forEach(r -> all.add(r.id())));
            return all;
        });
        List<String> expected = new ArrayList<>(ids);
        expected.add("r99");
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @StoreTest
    void feedPagesEndEarlyAtTheAnswerSizeAndDeliverEveryChangeOnce(TestBackend backend) {
        RecordStore store = store(backend);
        Collection c = store.collection("big");
        c.enableChanges();
        List<String> ids = fill(c);
        c.delete("r05");
        for (Changes feed : List.of(c.changes(), store.changes(), c.changes().filter(Filter.gte("n", 0)))) {
            List<String> seen = new ArrayList<>();
            String token = "0";
            int polls = 0;
            while (polls++ < 100) {
                ChangePage page = feed.poll(token, 1000);
                if (page.changes().isEmpty()) {
                    break;
                }
                long bytes = page.changes().stream()
                        .filter(ch -> ch.record() != null)
                        .mapToLong(ch -> textBytes(ch.record()))
                        .sum();
                assertThat(bytes <= LIMIT * 1.1 || page.changes().size() == 1)
                        .as("page of %d bytes", bytes)
                        .isTrue();
                page.changes().forEach(ch -> seen.add(ch.op().wireName() + " " + ch.id()));
                token = page.next();
            }
            assertThat(polls).isGreaterThanOrEqualTo(8);
            List<String> expected =
                    new ArrayList<>(ids.stream().map(id -> "insert " + id).toList());
            expected.add("delete r05");
            assertThat(seen).containsExactlyElementsOf(expected);
        }
    }

    /**
     * A collection's feed, and a filtered one, answer at most {@code limit} changes, and read only theirs: the other
     * collection's 2 MB of changes are passed over in the database (before, each poll read 500 whole changes).
     */
    @StoreTest
    void aCollectionsFeedHonoursItsLimitAndPassesOverTheOthers(TestBackend backend) {
        RecordStore store = backend.openStore();
        Collection mine = store.collection("mine");
        Collection other = store.collection("other");
        mine.enableChanges();
        other.enableChanges();
        String filler = "z".repeat(20_000);
        for (int i = 0; i < 100; i++) {
            other.insert(Map.of("s", filler));
            if (i % 20 == 0) {
                mine.insert("m" + i, Map.of("n", i), null);
            }
        }
        List<String> seen = new ArrayList<>();
        String token = "0";
        for (int polls = 0; polls < 20; polls++) {
            ChangePage page = mine.changes().poll(token, 1);
            assertThat(page.changes().size()).isLessThanOrEqualTo(1);
            page.changes().forEach(ch -> seen.add(ch.id()));
            token = page.next();
        }
        assertThat(seen).containsExactly("m0", "m20", "m40", "m60", "m80");
        // filtered: only the matches, and deletes; the token passes what it looked at
        ChangePage matches = mine.changes().filter(Filter.gte("n", 40)).poll("0", 10);
        assertThat(matches.changes()).extracting(ch -> ch.id()).containsExactly("m40", "m60", "m80");
        assertThat(mine.changes()
                        .filter(Filter.gte("n", 40))
                        .poll(matches.next(), 10)
                        .changes())
                .isEmpty();
        mine.delete("m0");
        assertThat(mine.changes()
                        .filter(Filter.gte("n", 40))
                        .poll(matches.next(), 10)
                        .changes())
                .extracting(ch -> ch.op().wireName() + " " + ch.id())
                .containsExactly("delete m0");
    }

    /** An aggregation is one answer: past the limit it is refused, before its groups are all read, on every backend. */
    @StoreTest
    void aggregationsPastTheAnswerSizeAreRefused(TestBackend backend) {
        Collection c = store(backend).collection("keys");
        List<dev.vellum.NewRecord> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(dev.vellum.NewRecord.of(
                    Map.of("long", String.format("%04d", i) + "k".repeat(1000), "short", i % 10, "n", i)));
        }
        c.insertMany(batch);
        Map<String, dev.vellum.Accumulator> count = Map.of("n", dev.vellum.Accumulator.count());
        for (Runnable tooLarge : List.<Runnable>of(
                () -> c.distinct("long", Filter.all()), () -> c.aggregate(Filter.all(), List.of("long"), count))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(tooLarge::run)
                    .isInstanceOf(dev.vellum.QueryException.class)
                    .hasMessageContaining("VELLUM_MAX_ANSWER_SIZE")
                    .hasMessageContaining("narrow the filter");
        }
        // within it, as ever
        assertThat(c.distinct("long", Filter.lt("n", 20))).hasSize(20);
        assertThat(c.aggregate(Filter.all(), List.of("short"), count)).hasSize(10);
    }
}
