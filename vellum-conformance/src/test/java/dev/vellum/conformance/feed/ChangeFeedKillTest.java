package dev.vellum.conformance.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.Collection;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.conformance.ChildJvm;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A writing process killed with SIGKILL in the middle of its transactions: the change feed holds every committed
 * transaction exactly once (each acknowledged one among them), whole and together, with gap-free tokens and each
 * record's versions in order; nothing of a transaction the kill cut short.
 */
class ChangeFeedKillTest {
    private static final int WRITERS = 4;

    /** The writing process: each writer commits transactions of two changes and prints each one it committed. */
    public static void main(String[] args) throws Exception {
        RecordStore store = Vellum.open(args[0]);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; ; i++) {
                    String id = "w" + writer + "-" + i;
                    store.useTransaction(tx -> {
                        Collection c = tx.collection("killed");
                        c.upsert("shared", Map.of("last", id));
                        c.insert(id, Map.of("writer", writer, "i", 0), null);
                    });
                    synchronized (System.out) {
                        System.out.println("ok " + id);
                        System.out.flush();
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    @BackendTest({"sqlite", "postgres"})
    void aKilledWritersCommittedTransactionsAreInTheFeedOnceAndWhole(TestBackend backend) throws Exception {
        try (RecordStore store = backend.openStore()) {
            store.collection("killed").enableChanges();
        }
        Process writer = ChildJvm.start(ChangeFeedKillTest.class, backend.url());
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("ok ")) {
                        acknowledged.add(line.substring(3));
                    }
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() < 300 && writer.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(writer.isAlive()).as("the writer was still writing").isTrue();
        writer.destroyForcibly(); // SIGKILL
        assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join(10_000);

        try (RecordStore store = backend.openStore()) {
            Collection killed = store.collection("killed");
            List<Change> feed = new ArrayList<>();
            String after = "0";
            for (ChangePage page;
                    !(page = killed.changes().poll(after, 1000)).changes().isEmpty(); ) {
                feed.addAll(page.changes());
                after = page.next();
            }
            for (int i = 1; i < feed.size(); i++) {
                assertThat(Long.parseLong(feed.get(i).token()))
                        .as("the token after " + feed.get(i - 1).token())
                        .isEqualTo(Long.parseLong(feed.get(0).token()) + i);
            }
            List<String> inserted = feed.stream()
                    .filter(c -> !c.id().equals("shared"))
                    .map(Change::id)
                    .toList();
            assertThat(new HashSet<>(inserted)).as("each transaction once").hasSameSizeAs(inserted);
            assertThat(inserted).as("every acknowledged transaction").containsAll(acknowledged);
            Set<String> stored;
            try (var records = killed.stream(Query.all())) {
                stored = records.map(Record::id)
                        .filter(id -> !id.equals("shared"))
                        .collect(Collectors.toSet());
            }
            assertThat(new HashSet<>(inserted))
                    .as("exactly the committed transactions")
                    .isEqualTo(stored);
            assertThat(feed).hasSize(2 * inserted.size());
            long sharedVersion = 0;
            for (int i = 0; i < feed.size(); i += 2) {
                Change shared = feed.get(i);
                Change own = feed.get(i + 1);
                assertThat(shared.id())
                        .as("a transaction's changes together, in the order written")
                        .isEqualTo("shared");
                assertThat(shared.record().fields().get("last").asText()).isEqualTo(own.id());
                assertThat(shared.version())
                        .as("the shared record's versions in order")
                        .isEqualTo(++sharedVersion);
            }
            System.out.printf(
                    "%s: %d transactions acknowledged before SIGKILL, %d committed%n",
                    backend.name(), acknowledged.size(), inserted.size());
        }
    }
}
