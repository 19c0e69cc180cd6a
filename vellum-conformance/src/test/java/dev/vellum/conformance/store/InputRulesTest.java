package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Cancellation;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.InvalidRecordException;
import dev.vellum.OperationCancelledException;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Update;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import dev.vellum.testkit.WriteBlocker;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The input rules of docs/semantics.md and the limits of docs/operations.md, through the Java API on every backend:
 * the same values and queries are refused everywhere, before any SQL runs, and nothing is written.
 */
class InputRulesTest {

    @StoreTest
    void numbersOutsideTheStoredRangeAreRefused(RecordStore store) {
        Collection c = store.collection("n");
        for (String n : List.of("1e9999", "-1e1000", "1e-1000", "2e308", "1." + "3".repeat(120))) {
            BigDecimal value = new BigDecimal(n);
            assertThatThrownBy(() -> c.insert(Map.of("v", value)))
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("number");
            assertThatThrownBy(() -> c.count(Filter.eq("v", value))).isInstanceOf(QueryException.class);
        }
        assertThatThrownBy(() -> c.insert(Map.of("v", Double.NaN))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.insert(Map.of("v", Double.POSITIVE_INFINITY)))
                .isInstanceOf(InvalidRecordException.class);
        for (Object edge : List.of(
                Double.MAX_VALUE,
                Double.MIN_VALUE,
                -Double.MAX_VALUE,
                Long.MAX_VALUE,
                new BigDecimal("123456789012345678901234567890.5"))) {
            String id = c.insert(Map.of("v", edge)).id();
            BigDecimal stored =
                    JsonValues.number(c.get(id).orElseThrow().fields().get("v"));
            assertThat(stored).isEqualByComparingTo(new BigDecimal(edge.toString()));
            assertThat(c.count(Filter.eq("v", edge))).isEqualTo(1);
            c.delete(id);
        }
        assertThat(c.count(Filter.all())).isZero();
    }

    @StoreTest
    void nulAndLoneSurrogatesAreRefusedEverywhere(RecordStore store) {
        Collection c = store.collection("t");
        c.insert("a", Map.of("k", "v"), null);
        for (String bad : List.of("x\u0000", "\ud800", "a\udc00b")) {
            assertThatThrownBy(() -> c.insert(Map.of("k", bad))).isInstanceOf(InvalidRecordException.class);
            assertThatThrownBy(() -> c.insert(Map.of(bad, 1))).isInstanceOf(InvalidRecordException.class);
            assertThatThrownBy(() -> c.insert(bad, Map.of(), null)).isInstanceOf(InvalidRecordException.class);
            assertThatThrownBy(() -> c.patch("a", Map.of("k", bad))).isInstanceOf(InvalidRecordException.class);
            assertThatThrownBy(() -> c.count(Filter.eq("k", bad))).isInstanceOf(QueryException.class);
            assertThatThrownBy(() -> c.count(Filter.eq(bad, 1))).isInstanceOf(QueryException.class);
            assertThatThrownBy(() -> c.count(Filter.in("k", "ok", bad))).isInstanceOf(QueryException.class);
            assertThatThrownBy(() -> c.count(Filter.regex("k", bad))).isInstanceOf(QueryException.class);
            assertThatThrownBy(() -> c.find(Query.all().sort(bad))).isInstanceOf(QueryException.class);
            assertThatThrownBy(() -> c.find(Query.all().fields(bad))).isInstanceOf(QueryException.class);
            assertThatThrownBy(() -> c.createIndex("i", List.of(bad), false)).isInstanceOf(QueryException.class);
        }
        assertThat(c.get("a").orElseThrow().version()).isEqualTo(1);
        assertThat(c.indexes()).isEmpty();
        // the message says where the value is, however deep
        assertThatThrownBy(() -> c.insert(Map.of("a", Map.of("b", List.of(1, Map.of("c", "x\u0000"))))))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("A string in fields.a.b[].c ");
        assertThatThrownBy(() -> c.patch("a", Map.of("a", List.of(Map.of("b\u0000", 1)))))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("A key in patch.a[] ");
    }

    @StoreTest
    void sizesAndCountsHaveLimits(RecordStore store) {
        Collection c = store.collection("l");
        c.insert("a", Map.of("k", 1), null);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add("k" + i);
        }
        assertThatThrownBy(() -> c.find(Query.all().sort(many.toArray(String[]::new))))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("at most " + Query.MAX_SORT_KEYS);
        assertThatThrownBy(() -> c.createIndex("wide", many, false)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.count(Filter.eq(String.join(".", many), 1))).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.count(Filter.eq("k".repeat(2000), 1))).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.insert(Map.of("k".repeat(2000), 1))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.count(Filter.in(
                        "k", Collections.nCopies(Filter.MAX_LIST + 1, 1).toArray())))
                .isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.count(Filter.regex("k", "a".repeat(1001)))).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.count(Filter.like("k", "%".repeat(1001)))).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.count(Filter.regex("k", "((a{100}){100}){2}")))
                .isInstanceOf(QueryException.class);
        assertThat(c.count(Filter.regex("k", "(a{100}){100}"))).isZero();
        assertThat(c.count(Filter.all())).isEqualTo(1);
    }

    /** Values under an index have one size limit on every backend (PostgreSQL's btree rows are bounded). */
    @StoreTest
    void indexedValuesHaveOneSizeLimit(RecordStore store) {
        Collection c = store.collection("ix");
        c.insert("small", Map.of("s", "x".repeat(1000)), null);
        c.insert("big", Map.of("s", "x".repeat(2000), "t", "y".repeat(5000)), null); // unindexed: any size
        assertThatThrownBy(() -> c.createIndex("by_s", List.of("s"), false))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("big");
        c.delete("big");
        c.createIndex("by_s", List.of("s"), false);
        String huge = "z".repeat(3000);
        assertThatThrownBy(() -> c.insert(Map.of("s", huge)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("by_s");
        assertThatThrownBy(() -> c.insertMany(List.of(
                        dev.vellum.NewRecord.of("n1", Map.of("s", "ok")),
                        dev.vellum.NewRecord.of("n2", Map.of("s", huge)))))
                .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.replace("small", Map.of("s", huge))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.patch("small", Map.of("s", huge))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.updateMany(Filter.all(), Map.of("s", huge)))
                .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.upsert("small", Map.of("s", huge))).isInstanceOf(InvalidRecordException.class);
        c.insert("other", Map.of("t", huge), null); // another path: not indexed
        assertThat(c.count(Filter.all())).isEqualTo(2);
        assertThat(c.get("small").orElseThrow().version()).isEqualTo(1);
    }

    /**
     * A merge patch merges into an indexed object rather than replacing it: the rule holds for the merged value, which
     * only exists once the patch ran (each part small, the whole too big).
     */
    @StoreTest
    void aMergePatchCannotGrowAnIndexedObjectPastTheLimit(RecordStore store) {
        Collection c = store.collection("ixm");
        c.createIndex("by_addr", List.of("addr"), false);
        c.createIndex("by_deep", List.of("deep.inner"), false);
        String half = "h".repeat(900);
        Record r1 = c.insert(
                "r1", Map.of("addr", Map.of("street", half), "deep", Map.of("inner", Map.of("a", half))), null);
        c.insert("r2", Map.of("n", 1), null);
        for (Map<String, Object> patch : List.of(
                Map.<String, Object>of("addr", Map.of("city", half)),
                Map.<String, Object>of("deep", Map.of("inner", Map.of("b", half))))) {
            assertThatThrownBy(() -> c.patch("r1", patch))
                    .as(patch.keySet().toString())
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("1600 bytes")
                    .hasMessageContaining("nothing was written");
            assertThatThrownBy(() -> c.updateMany(Filter.all(), patch))
                    .as(patch.keySet().toString())
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("1600 bytes");
        }
        assertThat(c.get("r1").orElseThrow()).isEqualTo(r1);
        assertThat(c.get("r2").orElseThrow().version()).isEqualTo(1);
        // inside a transaction, the refused patch and operator undo only themselves: the transaction goes on
        store.inTransaction(s -> {
            Collection t = s.collection("ixm");
            assertThatThrownBy(() -> t.patch("r1", Map.of("addr", Map.of("city", half))))
                    .isInstanceOf(InvalidRecordException.class);
            assertThatThrownBy(() -> t.patch("r1", Update.fields().set("addr.city", half)))
                    .isInstanceOf(InvalidRecordException.class);
            return t.patch("r2", Map.of("n", 2));
        });
        assertThat(c.get("r1").orElseThrow()).isEqualTo(r1);
        assertThat(c.get("r2").orElseThrow().version()).isEqualTo(2);
        // merging a small part, replacing the big part, or removing it all go in
        assertThat(c.patch("r1", Map.of("addr", Map.of("zip", "12345"))).version())
                .isEqualTo(2);
        assertThat(c.patch("r1", Map.of("addr", Map.of("city", half, "street", "short")))
                        .version())
                .isEqualTo(3);
        assertThat(c.updateMany(Filter.all(), Map.of("deep", Map.of("inner", Map.of("b", "small")))))
                .isEqualTo(2);
        java.util.Map<String, Object> drop = new java.util.HashMap<>();
        drop.put("a", null);
        drop.put("c", half);
        assertThat(c.patch("r1", Map.of("deep", Map.of("inner", drop))).version())
                .isEqualTo(5);
    }

    /** Patterns that make a backtracking engine run for minutes are linear here. */
    @StoreTest
    void regexAndLikeCannotRunAway(RecordStore store) {
        Collection c = store.collection("r");
        c.insert("s", Map.of("s", "a".repeat(50) + "b"), null);
        assertThat(c.count(Filter.regex("s", "(.*a){20}$"))).isZero();
        assertThat(c.count(Filter.regex("s", "(a|aa)*c"))).isZero();
        assertThat(c.count(Filter.like("s", "%a".repeat(30) + "%c"))).isZero();
        assertThat(c.count(Filter.regex("s", "(.*a){20}b$"))).isEqualTo(1);
    }

    /**
     * Java API users can cancel too ({@link Cancellation}): a write waiting behind another writer is stopped and
     * writes nothing; one that had begun to commit is left to finish and reports its outcome.
     */
    @StoreTest
    void cancelledWritesWriteNothing(RecordStore store, TestBackend backend) throws Exception {
        Collection c = store.collection("w");
        c.insert("a", Map.of("n", 1), null);
        List<Runnable> writes = List.of(
                () -> c.insert("b", Map.of(), null),
                () -> c.patch("a", Map.of("n", 2)),
                () -> c.updateMany(Filter.all(), Map.of("n", 3)),
                () -> c.deleteMany(Filter.all()),
                () -> c.insertMany(List.of(dev.vellum.NewRecord.of("c", Map.of()))));
        try (WriteBlocker blocker = WriteBlocker.hold(store, backend, "w")) {
            for (Runnable write : writes) {
                Cancellation cancellation = new Cancellation();
                CompletableFuture<Void> running = CompletableFuture.runAsync(() -> cancellation.run(() -> {
                    write.run();
                    return null;
                }));
                Thread.sleep(200);
                assertThat(running).isNotDone();
                assertThat(cancellation.cancel()).isTrue();
                assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(OperationCancelledException.class);
            }
            // the async API's futures cancel the same way
            CompletableFuture<dev.vellum.Record> queued =
                    store.async().collection("w").insert("q", Map.of(), null);
            Thread.sleep(200);
            assertThat(queued.cancel(true)).isTrue();
        }
        Thread.sleep(200);
        assertThat(c.count(Filter.all())).isEqualTo(1);
        assertThat(c.get("a").orElseThrow().version()).isEqualTo(1);
        // a cancellation that comes after the work committed changes nothing
        Cancellation late = new Cancellation();
        assertThat(late.run(() -> c.insert("d", Map.of(), null)).id()).isEqualTo("d");
        assertThat(late.cancel()).isFalse();
        assertThat(c.get("d")).isPresent();
    }
}
