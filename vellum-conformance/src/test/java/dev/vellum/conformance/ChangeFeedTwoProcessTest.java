package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Change;
import dev.vellum.ChangeSubscription;
import dev.vellum.Collection;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Two processes over one database: what one writes, a subscriber in the other receives promptly (PostgreSQL wakes it
 * with LISTEN/NOTIFY, SQLite with the file's data version), each change once and in order.
 */
class ChangeFeedTwoProcessTest {
    private static final int WRITES = 40;

    /** The writing process: {@code WRITES} inserts, each carrying its wall-clock time, a few milliseconds apart. */
    public static void main(String[] args) throws Exception {
        try (RecordStore store = Vellum.open(args[0])) {
            Collection events = store.collection("events");
            for (int i = 0; i < WRITES; i++) {
                events.insert("e" + String.format("%03d", i), Map.of("sentAt", System.currentTimeMillis()), null);
                Thread.sleep(20);
            }
        }
    }

    @BackendTest({"sqlite", "postgres"})
    void writesInOneProcessReachASubscriberInAnotherPromptly(TestBackend backend) throws Exception {
        RecordStore store = backend.openStore();
        store.collection("events").enableChanges();
        List<Change> received = new CopyOnWriteArrayList<>();
        List<Long> delays = new CopyOnWriteArrayList<>();
        try (ChangeSubscription subscription = store.collection("events")
                .changes()
                .subscribe(null, change -> {
                    received.add(change);
                    delays.add(System.currentTimeMillis()
                            - change.record().fields().get("sentAt").asLong());
                })) {
            Process writer = ChildJvm.start(ChangeFeedTwoProcessTest.class, backend.url());
            assertThat(writer.waitFor(120, TimeUnit.SECONDS))
                    .as("writer finished")
                    .isTrue();
            assertThat(writer.exitValue()).as(ChildJvm.output(writer)).isZero();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.size() < WRITES && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(subscription.failure()).isEmpty();
        }
        assertThat(received)
                .extracting(Change::id)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, WRITES)
                        .mapToObj(i -> "e" + String.format("%03d", i))
                        .toList());
        List<Long> sorted = new ArrayList<>(delays);
        sorted.sort(null);
        long median = sorted.get(sorted.size() / 2);
        System.out.printf(
                "%s: commit-to-delivery across processes, median %d ms, max %d ms%n",
                backend.name(), median, sorted.get(sorted.size() - 1));
        // a reader that only polled (each second or more) would show a median of hundreds of milliseconds
        assertThat(median).as("median delay in ms").isLessThan(250);
    }
}
