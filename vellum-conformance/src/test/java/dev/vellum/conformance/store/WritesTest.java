package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.ConcurrencyException;
import dev.vellum.DuplicateRecordException;
import dev.vellum.Filter;
import dev.vellum.IndexInfo;
import dev.vellum.InvalidRecordException;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordNotFoundException;
import dev.vellum.RecordStore;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Writes, versions, batches, transactions, collections and indexes on every backend. */
class WritesTest {

    private static ObjectNode json(String text) {
        return (ObjectNode) JsonValues.parse(text);
    }

    @StoreTest
    void insertGetAndGeneratedIds(RecordStore store) {
        Collection users = store.collection("users");
        Record a = users.insert(Map.of("name", "Ada"));
        Record b = users.insert(Map.of("name", "Bob"));
        assertThat(a.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(a.id()).isLessThan(b.id());
        assertThat(a.version()).isEqualTo(1);
        assertThat(a.createdAt()).isEqualTo(a.updatedAt());
        assertThat(a.createdAt().getNano() % 1_000_000).isZero();
        Record read = users.get(a.id()).orElseThrow();
        assertThat(read).isEqualTo(a);
        assertThat(users.get("missing")).isEmpty();
        assertThat(users.getMany(List.of(b.id(), "missing", a.id())))
                .extracting(Record::id)
                .containsExactly(b.id(), a.id());
        assertThat(store.collections()).containsExactly("users");
    }

    /** Escapes, a control character, Unicode beyond the BMP, the long range's ends, tiny and long decimals. */
    private static final String EXACT_VALUES = "{\"s\":\"quote \\\" back \\\\ nl \\n tab \\t emoji 🚀 rtl مرحبا 名前 "
            + "\\u0001\",\"big\":9223372036854775807,\"neg\":-9223372036854775808,\"dec\":123456789.012345,"
            + "\"small\":1.5E-7,\"t\":true,\"n\":null,\"arr\":[1,\"two\",{\"three\":3},[],{}],"
            + "\"nested\":{\"deep\":{\"er\":[null]}}}";

    @StoreTest
    void valuesRoundTripExactly(RecordStore store) {
        Collection c = store.collection("values");
        Record r = c.insert("v", json(EXACT_VALUES), json("{\"source\":\"test\",\"n\":1}"));
        Record back = c.get("v").orElseThrow();
        assertExact(back);
        assertThat(back.metadata()).isEqualTo(json("{\"source\":\"test\",\"n\":1}"));
        assertThat(r.fields()).isEqualTo(back.fields());
    }

    /** The bulk path (binary COPY on PostgreSQL, multi-row inserts on SQLite) keeps values as exactly as insert. */
    @StoreTest
    void batchValuesRoundTripExactly(RecordStore store) {
        Collection c = store.collection("batch_values");
        c.insertMany(List.of(
                new NewRecord("名前-🚀", json(EXACT_VALUES), json("{\"source\":\"bulk é\"}")),
                new NewRecord("plain", json("{}"), null)));
        Record back = c.get("名前-🚀").orElseThrow();
        assertExact(back);
        assertThat(back.metadata()).isEqualTo(json("{\"source\":\"bulk é\"}"));
        assertThat(back.version()).isEqualTo(1);
        assertThat(back.createdAt()).isEqualTo(back.updatedAt());
        assertThat(c.get("plain").orElseThrow().fields()).isEqualTo(json("{}"));
        assertThat(c.find(Query.where(Filter.eq("s", json(EXACT_VALUES).get("s").textValue())))
                        .records())
                .extracting(Record::id)
                .containsExactly("名前-🚀");
    }

    private static void assertExact(Record back) {
        assertThat(back.fields()).isEqualTo(json(EXACT_VALUES));
        assertThat(back.fields().get("s").textValue())
                .isEqualTo(json(EXACT_VALUES).get("s").textValue());
        assertThat(back.fields().get("big").longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(back.fields().get("neg").longValue()).isEqualTo(Long.MIN_VALUE);
        assertThat(back.fields().get("dec").decimalValue()).isEqualByComparingTo("123456789.012345");
        assertThat(back.fields().get("small").decimalValue()).isEqualByComparingTo("0.00000015");
    }

    @StoreTest
    void writesNeverMutateTheCallersObjects(RecordStore store) {
        Collection c = store.collection("c");
        ObjectNode fields = json("{\"a\":1,\"nested\":{\"b\":2}}");
        ObjectNode copy = fields.deepCopy();
        Record r = c.insert("x", fields, null);
        fields.put("a", 99);
        ((ObjectNode) fields.get("nested")).put("b", 99);
        assertThat(c.get("x").orElseThrow().fields()).isEqualTo(copy);
        r.fields().put("a", 5);
        assertThat(c.get("x").orElseThrow().fields()).isEqualTo(copy);
        ObjectNode patch = json("{\"nested\":{\"c\":3}}");
        c.patch("x", patch);
        assertThat(patch).isEqualTo(json("{\"nested\":{\"c\":3}}"));
    }

    @StoreTest
    void duplicateInsertFailsAndChangesNothing(RecordStore store) {
        Collection c = store.collection("c");
        c.insert("a", Map.of("v", 1), null);
        assertThatThrownBy(() -> c.insert("a", Map.of("v", 2), null))
                .isInstanceOf(DuplicateRecordException.class)
                .hasMessageContaining("'a'")
                .extracting(e -> ((DuplicateRecordException) e).id())
                .isEqualTo("a");
        assertThat(c.get("a").orElseThrow().fields().get("v").intValue()).isEqualTo(1);
    }

    @StoreTest
    void replacePatchAndDeleteWithVersions(RecordStore store) {
        Collection c = store.collection("c");
        c.insert("a", json("{\"name\":\"Ada\",\"address\":{\"city\":\"NY\",\"zip\":\"1\"},\"tags\":[1]}"), null);
        Record replaced = c.replace("a", Map.of("name", "Ada L."), 1);
        assertThat(replaced.version()).isEqualTo(2);
        assertThat(replaced.fields()).isEqualTo(json("{\"name\":\"Ada L.\"}"));
        assertThat(replaced.updatedAt()).isAfterOrEqualTo(replaced.createdAt());

        Record patched = c.patch("a", json("{\"address\":{\"city\":\"LA\"},\"name\":null,\"tags\":[2]}"));
        assertThat(patched.version()).isEqualTo(3);
        assertThat(patched.fields()).isEqualTo(json("{\"address\":{\"city\":\"LA\"},\"tags\":[2]}"));
        assertThat(c.get("a").orElseThrow()).isEqualTo(patched);

        assertThatThrownBy(() -> c.replace("a", Map.of(), 2))
                .isInstanceOf(ConcurrencyException.class)
                .satisfies(e -> {
                    ConcurrencyException ce = (ConcurrencyException) e;
                    assertThat(ce.id()).isEqualTo("a");
                    assertThat(ce.expectedVersion()).isEqualTo(2);
                    assertThat(ce.actualVersion()).isEqualTo(3);
                });
        assertThatThrownBy(() -> c.patch("a", Map.of("x", 1), 1)).isInstanceOf(ConcurrencyException.class);
        assertThatThrownBy(() -> c.delete("a", 2)).isInstanceOf(ConcurrencyException.class);
        assertThat(c.get("a").orElseThrow().version()).isEqualTo(3);
        assertThat(c.delete("a", 3)).isTrue();
        assertThat(c.get("a")).isEmpty();
    }

    @StoreTest
    void writesToMissingIds(RecordStore store) {
        Collection c = store.collection("c");
        assertThatThrownBy(() -> c.replace("nope", Map.of())).isInstanceOf(RecordNotFoundException.class);
        assertThatThrownBy(() -> c.patch("nope", Map.of())).isInstanceOf(RecordNotFoundException.class);
        assertThat(c.delete("nope")).isFalse();
        c.insert("x", Map.of(), null);
        assertThatThrownBy(() -> c.replace("nope", Map.of(), 1)).isInstanceOf(RecordNotFoundException.class);
        assertThat(c.delete("nope", 1)).isFalse();
    }

    @StoreTest
    void deletedAndRecreatedRecordNeverAcceptsAnOldVersion(RecordStore store) {
        Collection c = store.collection("c");
        c.insert("a", Map.of("v", 1), null);
        c.delete("a");
        assertThatThrownBy(() -> c.replace("a", Map.of(), 1)).isInstanceOf(ConcurrencyException.class);
        Record again = c.insert("a", Map.of("v", 2), null);
        assertThat(again.version()).isGreaterThan(1);
        assertThatThrownBy(() -> c.replace("a", Map.of("v", 3), 1)).isInstanceOf(ConcurrencyException.class);
        c.deleteMany(Filter.eq("$id", "a"));
        c.insertMany(List.of(NewRecord.of("a", Map.of("v", 4))));
        long version = c.get("a").orElseThrow().version();
        assertThat(version).isGreaterThan(again.version());
        c.delete("a");
        Record upserted = c.upsert("a", Map.of("v", 5));
        assertThat(upserted.version()).isGreaterThan(version);
    }

    /**
     * A re-insert that waits for a concurrent delete of its id (PostgreSQL: on the unique index, no change feed to
     * order them) still continues after the deleted version, so the old versions never match again.
     */
    @StoreTest
    void aReinsertWaitingForAConcurrentDeleteContinuesAfterIt(RecordStore store) throws Exception {
        Collection c = store.collection("c");
        c.insert("k", Map.of("v", 1), null);
        c.patch("k", Map.of("v", 2));
        c.patch("k", Map.of("v", 3)); // version 3; its delete is version 4
        Thread deleter = deleteSlowly(store, "k");
        Record again = c.insert("k", Map.of("v", 4), null);
        deleter.join();
        assertThat(again.version()).isEqualTo(5);
        assertThatThrownBy(() -> c.replace("k", Map.of(), 1)).isInstanceOf(ConcurrencyException.class);
        // an upsert waits the same way (version 5's delete is 6)
        deleter = deleteSlowly(store, "k");
        Record upserted = c.upsert("k", Map.of("v", 5));
        deleter.join();
        assertThat(upserted.version()).isEqualTo(7);
        // and a bulk insert (version 7's delete is 8)
        deleter = deleteSlowly(store, "k");
        c.insertMany(List.of(NewRecord.of("k", Map.of("v", 6))));
        deleter.join();
        assertThat(c.get("k").orElseThrow().version()).isEqualTo(9);
    }

    /** Deletes the record in a transaction that commits 400 ms later; returns once the delete has run. */
    private static Thread deleteSlowly(RecordStore store, String id) throws InterruptedException {
        CountDownLatch deleted = new CountDownLatch(1);
        Thread deleter = new Thread(() -> {
            try {
                store.useTransaction(tx -> {
                    tx.collection("c").delete(id);
                    deleted.countDown();
                    Thread.sleep(400); // the write in the test's thread waits for this commit
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        deleter.start();
        deleted.await();
        return deleter;
    }

    @StoreTest
    void ofManyWritersHoldingOneVersionExactlyOneWins(RecordStore store) throws Exception {
        Collection c = store.collection("c");
        c.insert("hot", Map.of("n", 0), null);
        int threads = 16;
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        List<Throwable> other = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int n = t;
            workers.add(new Thread(() -> {
                try {
                    start.await();
                    c.replace("hot", Map.of("n", n), 1);
                    wins.incrementAndGet();
                } catch (ConcurrencyException e) {
                    conflicts.incrementAndGet();
                } catch (Throwable e) {
                    other.add(e);
                }
            }));
        }
        workers.forEach(Thread::start);
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(other).isEmpty();
        assertThat(wins.get()).isEqualTo(1);
        assertThat(conflicts.get()).isEqualTo(threads - 1);
        assertThat(c.get("hot").orElseThrow().version()).isEqualTo(2);
    }

    @StoreTest
    void concurrentInsertsOfOneIdExactlyOneWins(RecordStore store) throws Exception {
        Collection c = store.collection("c");
        c.insert("warm", Map.of(), null);
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            workers.add(new Thread(() -> {
                try {
                    start.await();
                    c.insert("same", Map.of(), null);
                    wins.incrementAndGet();
                } catch (DuplicateRecordException e) {
                    duplicates.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        workers.forEach(Thread::start);
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(wins.get()).isEqualTo(1);
        assertThat(duplicates.get()).isEqualTo(15);
    }

    @StoreTest
    void insertManyIsAllOrNothing(RecordStore store) {
        Collection c = store.collection("c");
        c.insert("taken", Map.of(), null);
        List<NewRecord> withStoredDuplicate = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            withStoredDuplicate.add(NewRecord.of("id" + i, Map.of("i", i)));
        }
        withStoredDuplicate.add(NewRecord.of("taken", Map.of()));
        assertThatThrownBy(() -> c.insertMany(withStoredDuplicate)).isInstanceOf(DuplicateRecordException.class);
        assertThat(c.count()).isEqualTo(1);
        List<NewRecord> withInnerDuplicate =
                List.of(NewRecord.of("p", Map.of()), NewRecord.of("q", Map.of()), NewRecord.of("p", Map.of()));
        assertThatThrownBy(() -> c.insertMany(withInnerDuplicate)).isInstanceOf(DuplicateRecordException.class);
        assertThat(c.count()).isEqualTo(1);
        assertThatThrownBy(() ->
                        c.insertMany(List.of(NewRecord.of("ok", Map.of()), NewRecord.of("bad", Map.of("$x", 1)))))
                .isInstanceOf(InvalidRecordException.class);
        assertThat(c.count()).isEqualTo(1);
        assertThat(c.insertMany(IntStream.range(0, 2_500).mapToObj(i -> NewRecord.of(Map.of("i", i)))))
                .isEqualTo(2_500);
        assertThat(c.count(Filter.exists("i", true))).isEqualTo(2_500);
    }

    @StoreTest
    void upsertInsertsOrReplacesAndBatchesAreLastWins(RecordStore store) {
        Collection c = store.collection("c");
        Record first = c.upsert("u", Map.of("v", 1));
        assertThat(first.version()).isEqualTo(1);
        Record second = c.upsert("u", Map.of("w", 2));
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.fields()).isEqualTo(json("{\"w\":2}"));
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(c.upsertMany(List.of(
                        NewRecord.of("u", Map.of("v", "a")),
                        NewRecord.of("n", Map.of("v", "b")),
                        NewRecord.of("u", Map.of("v", "c")))))
                .isEqualTo(3);
        assertThat(c.get("u").orElseThrow().fields()).isEqualTo(json("{\"v\":\"c\"}"));
        assertThat(c.get("n").orElseThrow().fields()).isEqualTo(json("{\"v\":\"b\"}"));
        assertThatThrownBy(() -> c.upsertMany(List.of(NewRecord.of("z", Map.of()), new NewRecord("bad", null, null))))
                .isInstanceOf(InvalidRecordException.class);
        assertThat(c.get("z")).isEmpty();
    }

    @StoreTest
    void largeUpsertManyKeepsEveryOccurrenceInOrder(RecordStore store) {
        Collection c = store.collection("c");
        c.insertMany(IntStream.range(0, 10_000).mapToObj(i -> NewRecord.of("k" + i, Map.of("v", 0))));
        c.delete("k7");
        Stream<NewRecord> batch = Stream.of(
                        IntStream.range(5_000, 15_000).mapToObj(i -> NewRecord.of("k" + i, Map.of("v", 1))),
                        IntStream.range(0, 100).mapToObj(i -> new NewRecord("k" + i, Map.of("v", 2), Map.of("m", i))),
                        IntStream.range(0, 100).mapToObj(i -> NewRecord.of("k" + i, Map.of("v", 3))))
                .flatMap(s -> s);
        assertThat(c.upsertMany((Iterable<NewRecord>) batch::iterator)).isEqualTo(10_200);
        assertThat(c.count()).isEqualTo(15_000);
        Record k0 = c.get("k0").orElseThrow();
        assertThat(k0.version()).isEqualTo(3);
        assertThat(k0.fields()).isEqualTo(json("{\"v\":3}"));
        assertThat(k0.metadata()).isEqualTo(json("{\"m\":0}"));
        assertThat(c.get("k7").orElseThrow().version()).isEqualTo(4); // deleted at version 2, re-created at 3
        assertThat(c.get("k100").orElseThrow().version()).isEqualTo(1);
        assertThat(c.get("k5000").orElseThrow().version()).isEqualTo(2);
        assertThat(c.get("k14999").orElseThrow().version()).isEqualTo(1);
        assertThat(c.count(Filter.eq("v", 1))).isEqualTo(10_000);
    }

    @StoreTest
    void updateManyAndDeleteManyCountWhatTheyChange(RecordStore store) {
        Collection c = FilterSemanticsTest.load(store);
        assertThat(c.updateMany(Filter.eq("city", "NY"), json("{\"city\":\"New York\",\"visited\":true}")))
                .isEqualTo(2);
        assertThat(c.get("r01").orElseThrow().fields().get("city").textValue()).isEqualTo("New York");
        assertThat(c.get("r01").orElseThrow().version()).isEqualTo(2);
        assertThat(c.count(Filter.eq("visited", true))).isEqualTo(2);
        assertThat(c.updateMany(Filter.eq("city", "nowhere"), Map.of("x", 1))).isZero();
        assertThat(c.updateMany(Filter.all(), json("{\"tags\":null}"))).isEqualTo(8);
        assertThat(c.count(Filter.exists("tags", true))).isZero();
        assertThat(c.deleteMany(Filter.gt("age", 29))).isEqualTo(3);
        assertThat(c.count()).isEqualTo(5);
        assertThat(c.deleteMany(Filter.or())).isZero();
        assertThat(c.deleteMany(Filter.all())).isEqualTo(5);
        assertThat(c.count()).isZero();
    }

    @StoreTest
    void transactionsSeeTheirWritesAndPersistNothingOnException(RecordStore store) {
        Collection a = store.collection("a");
        Collection b = store.collection("b");
        a.insert("keep", Map.of(), null);
        assertThatThrownBy(() -> store.useTransaction(tx -> {
                    tx.collection("a").insert("x", Map.of("v", 1), null);
                    tx.collection("b").insert("y", Map.of("v", 2), null);
                    a.patch("keep", Map.of("touched", true));
                    assertThat(tx.collection("a").get("x")).isPresent();
                    assertThat(b.count()).isEqualTo(1);
                    assertThat(tx.collection("a").find(Query.all()).records()).hasSize(2);
                    throw new IllegalStateException("abort");
                }))
                .hasMessage("abort");
        assertThat(a.get("x")).isEmpty();
        assertThat(b.count()).isZero();
        assertThat(a.get("keep").orElseThrow().version()).isEqualTo(1);

        long n = store.inTransaction(tx -> {
            tx.collection("a").insert("x", Map.of(), null);
            try {
                tx.collection("a").insert("x", Map.of(), null);
            } catch (DuplicateRecordException expected) {
                // the transaction goes on after a failed write
            }
            tx.collection("b").insert("y", Map.of(), null);
            return tx.collection("a").count();
        });
        assertThat(n).isEqualTo(2);
        assertThat(b.count()).isEqualTo(1);
    }

    @StoreTest
    void badInputIsRejectedBeforeAnythingIsWritten(RecordStore store) {
        assertThatThrownBy(() -> store.collection("Users"))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("Invalid collection name 'Users'");
        assertThatThrownBy(() -> store.collection("a-b")).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> store.collection("x".repeat(64))).isInstanceOf(InvalidRecordException.class);
        Collection c = store.collection("x".repeat(63));
        assertThatThrownBy(() -> c.insert("", Map.of(), null)).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.insert("a".repeat(256), Map.of(), null)).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.insert(List.of(1)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> c.insert(Map.of("a.b", 1)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("'a.b'");
        assertThatThrownBy(() -> c.insert(Map.of("$a", 1))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.insert(Map.of("", 1))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.insert(Map.of("nul", "a\u0000b"))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> c.patch("x", Map.of("a", Map.of("b.c", 1))))
                .isInstanceOf(InvalidRecordException.class);
        c.insert("ok", Map.of("x-y ok", "fine"), null);
        assertThat(c.count()).isEqualTo(1);
        c.insert("long-id-" + "y".repeat(247), Map.of(), null);
        assertThat(c.count()).isEqualTo(2);
    }

    @StoreTest
    void collectionsListAndDrop(RecordStore store) {
        store.collection("b").insert(Map.of());
        store.collection("a").insert(Map.of());
        store.collection("a").createIndex("by_x", "x");
        assertThat(store.collections()).containsExactly("a", "b");
        assertThat(store.dropCollection("a")).isTrue();
        assertThat(store.dropCollection("a")).isFalse();
        assertThat(store.collections()).containsExactly("b");
        assertThat(store.collection("a").count()).isZero();
        assertThat(store.collection("a").indexes()).isEmpty();
        store.collection("a").insert("again", Map.of(), null);
        assertThat(store.collection("a").count()).isEqualTo(1);
    }

    @StoreTest
    void indexesAreListedAndUniqueOnesRejectDuplicates(RecordStore store) {
        Collection c = store.collection("users");
        c.insert("a", Map.of("email", "a@x", "n", 1), null);
        c.insert("b", Map.of("n", 2), null);
        c.insert("c", json("{\"email\":null}"), null);
        c.createIndex("by_email", List.of("email"), true);
        c.createIndex("by_n", "n");
        c.createIndex("by_n", "n");
        assertThat(c.indexes())
                .containsExactly(
                        new IndexInfo("by_email", List.of("email"), true), new IndexInfo("by_n", List.of("n"), false));
        assertThatThrownBy(() -> c.insert("d", Map.of("email", "a@x"), null))
                .isInstanceOf(DuplicateRecordException.class);
        c.insert("e", json("{\"email\":null}"), null);
        c.insert("f", Map.of("email", true), null);
        c.insert("g", Map.of("email", 1), null);
        assertThatThrownBy(() -> c.patch("b", Map.of("email", "a@x"))).isInstanceOf(DuplicateRecordException.class);
        assertThat(c.count()).isEqualTo(6);
        assertThat(c.find(Query.where(Filter.eq("email", "a@x"))).records())
                .extracting(Record::id)
                .containsExactly("a");
        assertThat(c.dropIndex("by_email")).isTrue();
        assertThat(c.dropIndex("by_email")).isFalse();
        c.insert("d", Map.of("email", "a@x"), null);
        assertThatThrownBy(() -> c.createIndex("by_email", List.of("email"), true))
                .isInstanceOf(DuplicateRecordException.class);
        assertThat(c.indexes()).extracting(IndexInfo::name).containsExactly("by_n");
    }

    @StoreTest
    void timestampsAreMillisecondsAndUpdatedAtMoves(RecordStore store) throws Exception {
        Collection c = store.collection("c");
        Instant before = Instant.now().minusMillis(5);
        Record r = c.insert(Map.of());
        Thread.sleep(5);
        Record later = c.patch(r.id(), Map.of("x", 1));
        assertThat(r.createdAt()).isAfter(before);
        assertThat(later.createdAt()).isEqualTo(r.createdAt());
        assertThat(later.updatedAt()).isAfter(r.updatedAt());
        assertThat(c.find(Query.where(Filter.eq("$createdAt", r.createdAt().toString())))
                        .records())
                .hasSize(1);
    }

    @StoreTest
    void streamOfInsertManyIsConsumedLazily(RecordStore store) {
        Collection c = store.collection("lazy");
        AtomicInteger produced = new AtomicInteger();
        long n = c.insertMany(Stream.generate(() -> NewRecord.of(Map.of("i", produced.incrementAndGet())))
                .limit(3_000));
        assertThat(n).isEqualTo(3_000);
        assertThat(c.count(Filter.between("i", 1, 3_000))).isEqualTo(3_000);
    }

    /**
     * A snapshot (what backups read through) sees one committed state and does not hold up writers: on SQLite it is
     * a deferred transaction, not one that takes the write lock.
     */
    @dev.vellum.testkit.BackendTest
    void snapshotsSeeOneStateAndDoNotHoldUpWriters(dev.vellum.testkit.TestBackend backend) throws Exception {
        try (RecordStore store = backend.openStore()) {
            Collection c = store.collection("snap");
            c.insert("a", Map.of(), null);
            long seen = store.inSnapshot(tx -> {
                long before = tx.collection("snap").count();
                // a writer on another thread finishes while the snapshot is open
                java.util.concurrent.CompletableFuture.runAsync(() -> c.insert("b", Map.of(), null))
                        .get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(tx.collection("snap").count()).isEqualTo(before);
                return before;
            });
            assertThat(seen).isEqualTo(1);
            assertThat(c.count()).isEqualTo(2);
            // the connection went back to the pool as it was: writes in transactions still take the write lock
            store.useTransaction(tx -> tx.collection("snap").insert("c", Map.of(), null));
            assertThat(c.count()).isEqualTo(3);
        }
    }
}
