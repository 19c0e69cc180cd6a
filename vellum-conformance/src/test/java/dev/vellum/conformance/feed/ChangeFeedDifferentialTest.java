package dev.vellum.conformance.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.ChangeSubscription;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumException;
import dev.vellum.testkit.StoreTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Random concurrent writes and transactions (some rolled back) on every backend, while subscribers come and go;
 * then the feed, replayed from the start into an empty memory store, must equal the collections exactly, and every
 * subscriber must have seen each change once, in order, across its reconnects.
 */
class ChangeFeedDifferentialTest {
    private static final List<String> COLLECTIONS = List.of("alpha", "beta");
    private static final int WRITERS = 4;
    private static final int OPS = 120;

    @StoreTest
    void replayingTheFeedRebuildsTheCollectionsExactly(RecordStore store) throws Exception {
        long seed = System.nanoTime();
        COLLECTIONS.forEach(name -> store.collection(name).enableChanges());
        store.collection("alpha")
                .insertMany(IntStream.range(0, 10).mapToObj(i -> NewRecord.of("k" + i, Map.of("n", i))));

        AtomicBoolean writing = new AtomicBoolean(true);
        List<List<Change>> seenBySubscribers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            List<Change> seen = new CopyOnWriteArrayList<>();
            seenBySubscribers.add(seen);
            Random random = new Random(seed + 100 + s);
            readers.add(new Thread(() -> followWithReconnects(store, seen, writing, random)));
        }
        readers.forEach(Thread::start);

        List<Thread> writers = new ArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Random random = new Random(seed + w);
            writers.add(new Thread(() -> {
                for (int i = 0; i < OPS; i++) {
                    try {
                        randomWrite(store, random);
                    } catch (VellumException | IllegalStateException expected) {
                        // conflicts, duplicates, missing records and deliberate rollbacks
                    } catch (Throwable t) {
                        unexpected.add(t);
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        writing.set(false);
        for (Thread t : readers) {
            t.join(60_000);
        }
        assertThat(unexpected).as("seed " + seed).isEmpty();

        List<Change> feed = readAll(store);
        assertThat(feed).as("seed " + seed).isNotEmpty();
        // tokens rise, and each record's versions rise strictly along the feed
        Map<String, Long> lastVersion = new HashMap<>();
        long previous = 0;
        for (Change c : feed) {
            long token = Long.parseLong(c.token());
            assertThat(token).as("seed " + seed).isGreaterThan(previous);
            previous = token;
            Long before = lastVersion.put(c.collection() + "/" + c.id(), c.version());
            if (before != null) {
                assertThat(c.version())
                        .as(
                                "seed %d: versions of %s/%s in %s",
                                seed,
                                c.collection(),
                                c.id(),
                                describe(feed.stream()
                                        .filter(x -> x.collection().equals(c.collection()) && x.id().equals(c.id()))
                                        .toList()))
                        .isGreaterThan(before);
            }
        }
        // replay into an empty memory store: the same records, versions and times
        try (RecordStore replay = Vellum.inMemory()) {
            Map<String, TreeMap<String, Record>> state = new HashMap<>();
            for (Change c : feed) {
                TreeMap<String, Record> records = state.computeIfAbsent(c.collection(), k -> new TreeMap<>());
                if (c.op() == Change.Op.DELETE) {
                    assertThat(records.remove(c.id()))
                            .as("seed %d: delete of a record the feed had", seed)
                            .isNotNull();
                } else {
                    records.put(c.id(), c.record());
                }
            }
            state.forEach((name, records) -> replay.collection(name).load(records.values()));
            for (String name : COLLECTIONS) {
                assertThat(all(replay.collection(name)))
                        .as("seed %d: %s", seed, name)
                        .isEqualTo(all(store.collection(name)));
            }
        }
        for (List<Change> seen : seenBySubscribers) {
            assertThat(seen.stream().map(Change::token).toList())
                    .as("seed " + seed)
                    .isEqualTo(feed.stream().map(Change::token).toList());
        }
    }

    private static List<Record> all(Collection c) {
        try (Stream<Record> records = c.stream(Query.all())) {
            return records.toList();
        }
    }

    private static List<Change> readAll(RecordStore store) {
        List<Change> out = new ArrayList<>();
        String token = "0";
        while (true) {
            ChangePage page = store.changes().poll(token, 500);
            if (page.changes().isEmpty()) {
                return out;
            }
            out.addAll(page.changes());
            token = page.next();
        }
    }

    /** Subscribes, drops the subscription at a random moment, and resumes from its token, until the writers end. */
    private static void followWithReconnects(
            RecordStore store, List<Change> seen, AtomicBoolean writing, Random random) {
        String token = "0";
        while (true) {
            boolean last = !writing.get();
            ChangeSubscription subscription = store.changes().subscribe(token, seen::add);
            try {
                ChangeFeedTest.sleep(last ? 1500 : 5 + random.nextInt(60));
            } finally {
                subscription.close();
            }
            token = subscription.token();
            assertThat(subscription.failure()).isEmpty();
            if (last && token.equals(store.changes().now())) {
                return;
            }
        }
    }

    private static void randomWrite(RecordStore store, Random random) {
        String name = COLLECTIONS.get(random.nextInt(COLLECTIONS.size()));
        Collection c = store.collection(name);
        String id = "k" + random.nextInt(20);
        Map<String, Object> fields = Map.of("n", random.nextInt(100), "w", random.nextInt(5));
        switch (random.nextInt(11)) {
            case 0 -> c.insert(id, fields, random.nextBoolean() ? Map.of("m", 1) : null);
            case 1 -> c.replace(id, fields);
            case 2 -> c.patch(id, Map.of("p", random.nextInt(10)));
            case 3 -> c.upsert(id, fields);
            case 4 -> c.delete(id);
            case 5 ->
                c.insertMany(List.of(
                        NewRecord.of("k" + random.nextInt(20), fields),
                        NewRecord.of("k" + (20 + random.nextInt(20)), fields)));
            case 6 -> c.upsertMany(List.of(NewRecord.of(id, fields), NewRecord.of("k" + random.nextInt(20), fields)));
            case 7 -> c.updateMany(Filter.eq("w", random.nextInt(5)), Map.of("bulk", random.nextInt(10)));
            case 8 -> c.deleteMany(Filter.eq("n", random.nextInt(100)));
            default ->
                store.useTransaction(tx -> {
                    Collection a = tx.collection("alpha");
                    Collection b = tx.collection("beta");
                    a.upsert(id, fields);
                    b.upsert(id, fields);
                    a.patch(id, Map.of("tx", true));
                    if (random.nextInt(4) == 0) {
                        throw new IllegalStateException("rolled back on purpose");
                    }
                });
        }
    }

    private static String describe(List<Change> changes) {
        return changes.stream()
                .map(c -> c.token() + ":" + c.op() + " " + c.collection() + "/" + c.id() + "@" + c.version())
                .collect(Collectors.joining(", "));
    }
}
