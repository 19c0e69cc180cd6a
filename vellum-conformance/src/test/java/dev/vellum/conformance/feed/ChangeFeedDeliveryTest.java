package dev.vellum.conformance.feed;

import static dev.vellum.conformance.feed.ChangeFeedTest.awaitUntil;
import static dev.vellum.conformance.feed.ChangeFeedTest.sleep;
import static dev.vellum.conformance.feed.ChangeFeedTest.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.ChangeSubscription;
import dev.vellum.ChangeTokenExpiredException;
import dev.vellum.Collection;
import dev.vellum.RecordStore;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * How the feed delivers, on every backend: waiting polls, subscriptions, publishers, retention and restarts. The
 * capture rules themselves are in {@link ChangeFeedTest}, which also runs on every PostgreSQL major.
 */
class ChangeFeedDeliveryTest {

    @StoreTest
    void aWaitingPollReturnsAsSoonAsAChangeCommits(RecordStore store) throws Exception {
        Collection c = store.collection("items");
        c.enableChanges();
        String now = c.changes().now();
        long started = System.nanoTime();
        assertThat(c.changes().poll(now, 10, Duration.ofMillis(300)).changes()).isEmpty();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        Thread writer = new Thread(() -> {
            sleep(300);
            c.insert("late", Map.of(), null);
        });
        writer.start();
        started = System.nanoTime();
        ChangePage page = c.changes().poll(now, 10, Duration.ofSeconds(20));
        long waited = System.nanoTime() - started;
        writer.join();
        assertThat(summary(page.changes())).containsExactly("insert late 1");
        assertThat(waited).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * Many readers waiting on one feed share each read a commit wakes them for (SharedReads): every one of them still
     * gets every change once, in order, whether it is at the head with the others or behind on its own.
     */
    @StoreTest
    void readersWokenTogetherEachGetEveryChangeOnce(RecordStore store) throws Exception {
        Collection c = store.collection("items");
        c.enableChanges();
        String start = c.changes().now();
        int readers = 24;
        int writes = 120;
        List<List<String>> seen = new java.util.ArrayList<>();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int r = 0; r < readers; r++) {
            List<String> mine = new CopyOnWriteArrayList<>();
            seen.add(mine);
            // a third of them read small pages, so they fall behind and ask other questions than the rest
            int limit = r % 3 == 0 ? 1 : 100;
            Thread t = new Thread(() -> {
                String token = start;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (mine.size() < writes && System.nanoTime() < deadline) {
                    ChangePage page = c.changes().poll(token, limit, Duration.ofSeconds(1));
                    page.changes().forEach(ch -> mine.add(ch.id()));
                    token = page.next();
                }
            });
            threads.add(t);
            t.start();
        }
        for (int i = 0; i < writes; i++) {
            c.insert("w" + i, Map.of("i", i), null);
            if (i % 10 == 0) {
                sleep(5);
            }
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(90));
        }
        List<String> expected =
                IntStream.range(0, writes).mapToObj(i -> "w" + i).toList();
        for (List<String> mine : seen) {
            assertThat(mine).containsExactlyElementsOf(expected);
        }
    }

    @StoreTest
    void aSubscriptionDeliversEachChangeOnceAndResumesFromItsToken(RecordStore store) {
        Collection c = store.collection("items");
        c.enableChanges();
        c.insert("old", Map.of(), null);
        List<String> seen = new CopyOnWriteArrayList<>();
        ChangeSubscription sub = c.changes().subscribe("0", ch -> seen.add(ch.id()));
        IntStream.range(0, 20).forEach(i -> c.insert("r" + i, Map.of(), null));
        awaitUntil(() -> seen.size() == 21);
        sub.close();
        assertThat(sub.isRunning()).isFalse();
        String token = sub.token();
        c.insert("while-away", Map.of(), null);
        List<String> later = new CopyOnWriteArrayList<>();
        try (ChangeSubscription again = c.changes().subscribe(token, ch -> later.add(ch.id()))) {
            awaitUntil(() -> later.size() == 1);
        }
        assertThat(later).containsExactly("while-away");
        // a callback that throws ends the subscription; that change is not counted as delivered
        List<String> once = new CopyOnWriteArrayList<>();
        ChangeSubscription failing = c.changes().subscribe("0", ch -> {
            if (ch.id().equals("r3")) {
                throw new IllegalStateException("boom");
            }
            once.add(ch.id());
        });
        awaitUntil(() -> !failing.isRunning());
        assertThat(failing.failure()).get().extracting(Throwable::getMessage).isEqualTo("boom");
        assertThat(once).containsExactly("old", "r0", "r1", "r2");
        ChangePage resumed = c.changes().poll(failing.token(), 1);
        assertThat(resumed.changes().get(0).id()).isEqualTo("r3");
    }

    @StoreTest
    void aPublisherDeliversNoMoreThanRequested(RecordStore store) throws Exception {
        Collection c = store.collection("items");
        c.enableChanges();
        IntStream.range(0, 10).forEach(i -> c.insert("r" + i, Map.of(), null));
        List<Change> got = new CopyOnWriteArrayList<>();
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        c.changes().publisher("0").subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription[0] = s;
                s.request(3);
            }

            @Override
            public void onNext(Change item) {
                got.add(item);
            }

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        });
        awaitUntil(() -> got.size() == 3);
        Thread.sleep(300);
        assertThat(got).hasSize(3);
        subscription[0].request(100);
        c.insert("live", Map.of(), null);
        awaitUntil(() -> got.size() == 11);
        subscription[0].cancel();
        assertThat(got).extracting(Change::id).endsWith("r9", "live");
    }

    @StoreTest
    void aTokenOlderThanTheRetentionIsRefusedNeverSkipped(TestBackend backend) {
        RecordStore store = backend.openStore(b -> b.set("VELLUM_CHANGES_RETENTION", "1s"));
        Collection c = store.collection("items");
        c.enableChanges();
        c.insert("a", Map.of(), null);
        String token = c.changes().poll("0", 10).next();
        c.insert("b", Map.of(), null);
        sleep(1500);
        c.insert("c", Map.of(), null);
        // purges run at most once a minute per store: a fresh store (same database) purges on its first poll
        RecordStore fresh =
                store.database().isEmpty() ? store : backend.openStore(b -> b.set("VELLUM_CHANGES_RETENTION", "1s"));
        assertThatThrownBy(() -> fresh.collection("items").changes().poll(token, 10))
                .isInstanceOf(ChangeTokenExpiredException.class)
                .hasMessageContaining("resync");
        assertThat(summary(fresh.collection("items").changes().poll("0", 10).changes()))
                .containsExactly("insert c 1");
        // the newest change is never removed: now() stays good however old it is
        sleep(1100);
        String now = fresh.collection("items").changes().now();
        assertThat(fresh.changes().removeExpired()).isZero();
        assertThat(fresh.collection("items").changes().poll(now, 10).changes()).isEmpty();
    }

    @StoreTest
    void theFeedSurvivesReopeningTheDatabase(TestBackend backend) {
        RecordStore first = backend.openStore();
        if (first.database().isEmpty()) {
            return; // nothing survives a memory store
        }
        first.collection("items").enableChanges();
        first.collection("items").insert("a", Map.of(), null);
        String token = first.changes().now();
        first.close();
        RecordStore second = backend.openStore();
        assertThat(second.collection("items").changesEnabled()).isTrue();
        second.collection("items").insert("b", Map.of(), null);
        assertThat(summary(second.collection("items").changes().poll(token, 10).changes()))
                .containsExactly("insert b 1");
    }
}
