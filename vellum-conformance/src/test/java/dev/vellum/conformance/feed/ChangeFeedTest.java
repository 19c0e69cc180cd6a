package dev.vellum.conformance.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.Changes;
import dev.vellum.ChangesNotEnabledException;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.spi.RecordTable;
import dev.vellum.testkit.StoreTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** The change feed's semantics (docs/semantics.md, "Change feed") on every backend. */
class ChangeFeedTest {

    /** "op id version" of each change, the compact form the assertions compare. */
    static List<String> summary(List<Change> changes) {
        return changes.stream()
                .map(c -> c.op().wireName() + " " + c.id() + " " + c.version())
                .toList();
    }

    static List<Change> all(Changes feed) {
        List<Change> out = new ArrayList<>();
        String token = "0";
        while (true) {
            ChangePage page = feed.poll(token, 3);
            if (page.changes().isEmpty()) {
                return out;
            }
            out.addAll(page.changes());
            token = page.next();
        }
    }

    /**
     * A re-insert outside a transaction is two statements (the row, then the removal of its tombstone): another
     * writer can run between them, and a crash there leaves the tombstone behind. A later bulk insert must neither
     * rewind that record nor rewrite it, and the feed shows only the bulk insert's own records. (A CI run once showed
     * "insert k17 3" followed by "update k17 3": the bulk insert's fix-up had rewritten a re-inserted record.)
     */
    @StoreTest
    void aTombstoneLeftBesideItsReinsertedRecordChangesNothing(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        c.insert("a", Map.of("n", 1), null);
        c.delete("a");
        assertThat(c.insert("a", Map.of("n", 2), null).version()).isEqualTo(3);
        c.patch("a", Map.of("n", 3));
        c.patch("a", Map.of("n", 4));
        // the state between the re-insert's two statements (SQL backends; the memory backend has no such moment)
        store.database()
                .ifPresent(db -> db.execute(
                        "INSERT INTO \"" + RecordTable.tombstones("items") + "\" (id, version) VALUES ('a', 2)"));
        String head = store.changes().now();
        c.insertMany(List.of(NewRecord.of("b", Map.of("n", 1))));
        assertThat(c.get("a").orElseThrow().version()).isEqualTo(5);
        assertThat(summary(store.changes().poll(head, 100).changes())).containsExactly("insert b 1");
        c.delete("a");
        assertThat(c.insert("a", Map.of("n", 5), null).version()).isEqualTo(7);
        c.delete("a");
        c.insertMany(List.of(NewRecord.of("a", Map.of("n", 6))));
        assertThat(c.get("a").orElseThrow().version()).isEqualTo(9);
    }

    @StoreTest
    void aFeedIsOffUntilEnabled(RecordStore store) {
        Collection c = store.collection("users");
        assertThat(c.changesEnabled()).isFalse();
        assertThatThrownBy(() -> c.changes().poll("0", 10))
                .isInstanceOf(ChangesNotEnabledException.class)
                .hasMessageContaining("enableChanges()")
                .hasMessageContaining("PUT /v1/collections/users/changes");
        c.insert("before", Map.of("n", 0), null);
        assertThat(c.enableChanges()).isTrue();
        assertThat(c.enableChanges()).isFalse();
        assertThat(c.changesEnabled()).isTrue();
        c.insert("after", Map.of("n", 1), null);
        assertThat(summary(all(c.changes()))).containsExactly("insert after 1");
        assertThat(c.disableChanges()).isTrue();
        assertThat(c.disableChanges()).isFalse();
        c.insert("off", Map.of("n", 2), null);
        assertThatThrownBy(() -> c.changes().poll("0", 10)).isInstanceOf(ChangesNotEnabledException.class);
        // what was recorded stays in the store's feed
        assertThat(summary(all(store.changes()))).containsExactly("insert after 1");
    }

    @StoreTest
    void everyKindOfWriteIsOneChangeInCommitOrder(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        c.insert("a", Map.of("n", 1), Map.of("m", "x"));
        c.replace("a", Map.of("n", 2));
        c.patch("a", Map.of("p", true));
        c.upsert("b", Map.of("n", 1));
        c.upsert("b", Map.of("n", 2));
        c.insertMany(List.of(NewRecord.of("c", Map.of("n", 1)), NewRecord.of("d", Map.of("n", 1))));
        c.upsertMany(List.of(NewRecord.of("d", Map.of("n", 5)), NewRecord.of("e", Map.of("n", 5))));
        assertThat(c.updateMany(Filter.eq("n", 5), Map.of("five", true))).isEqualTo(2);
        c.delete("a");
        assertThat(c.deleteMany(Filter.eq("n", 1))).isEqualTo(1);
        List<Change> changes = all(c.changes());
        List<String> all = summary(changes);
        assertThat(all).hasSize(13);
        assertThat(all.subList(0, 7))
                .containsExactly(
                        "insert a 1",
                        "update a 2",
                        "update a 3",
                        "insert b 1",
                        "update b 2",
                        "insert c 1",
                        "insert d 1");
        // the order of the records of one statement (a batch chunk, updateMany, deleteMany) is unspecified
        assertThat(all.subList(7, 9)).containsExactlyInAnyOrder("update d 2", "insert e 1");
        assertThat(all.subList(9, 11)).containsExactlyInAnyOrder("update d 3", "update e 2");
        assertThat(all.subList(11, 13)).containsExactly("delete a 4", "delete c 2");
        Change first = changes.get(0);
        assertThat(first.collection()).isEqualTo("items");
        assertThat(first.record().fields().toString()).isEqualTo("{\"n\":1}");
        assertThat(first.record().metadata().toString()).isEqualTo("{\"m\":\"x\"}");
        assertThat(changes.get(2).record().fields().toString()).isEqualTo("{\"n\":2,\"p\":true}");
        assertThat(changes.get(11).record()).isNull();
        // the record after the write is the record as a read shows it
        Record e = c.get("e").orElseThrow();
        assertThat(changes.subList(9, 11))
                .filteredOn(ch -> ch.id().equals("e"))
                .singleElement()
                .extracting(Change::record)
                .isEqualTo(e);
        assertThat(changes)
                .extracting(Change::token)
                .doesNotHaveDuplicates()
                .isSortedAccordingTo((x, y) -> Long.compare(Long.parseLong(x), Long.parseLong(y)));
        assertThat(changes).allSatisfy(ch -> assertThat(ch.at()).isNotNull());
    }

    @StoreTest
    void aDeleteTakesTheNextVersionAndARecreatedRecordContinuesAfterIt(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        c.insert("a", Map.of(), null);
        c.delete("a");
        assertThat(c.insert("a", Map.of(), null).version()).isEqualTo(3);
        c.delete("a");
        c.insertMany(List.of(NewRecord.of("a", Map.of("bulk", true)), NewRecord.of("z", Map.of())));
        assertThat(c.get("a").orElseThrow().version()).isEqualTo(5);
        c.deleteMany(Filter.all());
        c.upsert("a", Map.of());
        List<String> changes = summary(all(c.changes()));
        assertThat(changes.subList(0, 6))
                .containsExactly("insert a 1", "delete a 2", "insert a 3", "delete a 4", "insert a 5", "insert z 1");
        // the order of one statement's records is unspecified
        assertThat(changes.subList(6, 8)).containsExactlyInAnyOrder("delete a 6", "delete z 2");
        assertThat(changes.get(8)).isEqualTo("insert a 7");
    }

    @StoreTest
    void rolledBackWritesProduceNothingAndATransactionsWritesStayTogether(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        Collection other = store.collection("other");
        other.enableChanges();
        assertThatThrownBy(() -> store.useTransaction(tx -> {
                    tx.collection("items").insert("lost", Map.of(), null);
                    throw new IllegalStateException("rollback");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> c.insertMany(List.of(NewRecord.of("x", Map.of()), NewRecord.of("x", Map.of()))))
                .isInstanceOf(dev.vellum.DuplicateRecordException.class);
        store.useTransaction(tx -> {
            tx.collection("items").insert("t1", Map.of(), null);
            tx.collection("other").insert("o1", Map.of(), null);
            tx.collection("items").patch("t1", Map.of("k", 1));
        });
        assertThat(summary(all(store.changes()))).containsExactly("insert t1 1", "insert o1 1", "update t1 2");
        assertThat(all(store.changes())).extracting(Change::collection).containsExactly("items", "other", "items");
        assertThat(summary(all(other.changes()))).containsExactly("insert o1 1");
    }

    @StoreTest
    void aDroppedCollectionDeletesEachRecordAndItsFeedStaysOn(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        c.insertMany(List.of(NewRecord.of("a", Map.of()), NewRecord.of("b", Map.of())));
        String before = c.changes().now();
        assertThat(store.dropCollection("items")).isTrue();
        assertThat(summary(c.changes().poll(before, 10).changes())).containsExactly("delete a 2", "delete b 2");
        assertThat(c.changesEnabled()).isTrue();
        store.collection("items").insert("c", Map.of(), null);
        assertThat(summary(all(c.changes()))).endsWith("insert c 1");
    }

    @StoreTest
    void tokensPageResumeAndAreChecked(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        ChangePage empty = c.changes().poll(null, 10);
        assertThat(empty.changes()).isEmpty();
        String start = empty.next();
        assertThat(start).isEqualTo(c.changes().now());
        IntStream.range(0, 7).forEach(i -> c.insert("r" + i, Map.of("i", i), null));
        ChangePage first = c.changes().poll(start, 4);
        assertThat(summary(first.changes()))
                .containsExactly("insert r0 1", "insert r1 1", "insert r2 1", "insert r3 1");
        assertThat(first.next()).isEqualTo(first.changes().get(3).token());
        ChangePage rest = c.changes().poll(first.next(), 100);
        assertThat(summary(rest.changes())).containsExactly("insert r4 1", "insert r5 1", "insert r6 1");
        ChangePage none = c.changes().poll(rest.next(), 100);
        assertThat(none.changes()).isEmpty();
        assertThat(none.next()).isEqualTo(rest.next());
        // from now: nothing that was before
        assertThat(c.changes().poll(null, 10).changes()).isEmpty();
        assertThatThrownBy(() -> c.changes().poll("not-a-token", 10))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("not a change token");
        assertThatThrownBy(() -> c.changes().poll("-1", 10)).isInstanceOf(QueryException.class);
        // digits of other scripts are not a token's, and a 19-digit number past 2^63 is no token either (it was a 500)
        assertThatThrownBy(() -> c.changes().poll("\u0661\u0662", 10)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.changes().poll("\uff10", 10)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.changes().poll("9999999999999999999", 10)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.changes().poll("999999999", 10))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("ahead of this feed");
        assertThatThrownBy(() -> c.changes().poll("0", 0)).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> c.changes().poll("0", 10_001)).isInstanceOf(QueryException.class);
    }

    @StoreTest
    void filteredFeedsMatchTheRecordAfterTheWriteAndAlwaysDeliverDeletes(RecordStore store) {
        Collection c = store.collection("orders");
        c.enableChanges();
        c.insert("a", Map.of("status", "open"), null);
        c.insert("b", Map.of("status", "closed"), null);
        c.patch("b", Map.of("status", "open"));
        c.patch("a", Map.of("status", "closed"));
        c.delete("a");
        Changes open = c.changes().filter(Filter.eq("status", "open"));
        assertThat(summary(all(open))).containsExactly("insert a 1", "update b 2", "delete a 3");
        // many non-matching changes: a page moves its token on past what it read
        c.insertMany(IntStream.range(0, 1200).mapToObj(i -> NewRecord.of("n" + i, Map.of("status", "closed"))));
        c.insert("z", Map.of("status", "open"), null);
        ChangePage page = open.poll("0", 100);
        assertThat(summary(page.changes())).containsExactly("insert a 1", "update b 2", "delete a 3", "insert z 1");
        assertThat(open.filter(Filter.eq("$id", "z")).poll("0", 10).changes()).hasSize(2); // z, and the delete of a
    }

    @StoreTest
    void theStoreFeedCoversEveryEnabledCollectionInOneOrder(RecordStore store) {
        Collection a = store.collection("a");
        Collection b = store.collection("b");
        Collection off = store.collection("off");
        a.enableChanges();
        b.enableChanges();
        a.insert("1", Map.of(), null);
        off.insert("x", Map.of(), null);
        b.insert("2", Map.of(), null);
        a.insert("3", Map.of(), null);
        assertThat(all(store.changes()))
                .extracting(ch -> ch.collection() + "/" + ch.id())
                .containsExactly("a/1", "b/2", "a/3");
        assertThat(all(b.changes())).extracting(Change::id).containsExactly("2");
    }

    static void awaitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("still waiting after 20 s").isLessThan(deadline);
            sleep(10);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
