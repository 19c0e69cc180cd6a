package dev.vellum.conformance.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.Health;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Record-store reads on a real streaming replica ({@code VELLUM_POSTGRES_REPLICA_URLS}): routed there and counted
 * there, yet every read sees this process's writes (and a consistency token's) even while the replica's replay is
 * paused; a lagging or stopped replica is left out within seconds without an error reaching the caller, and serves
 * again once it has caught up.
 */
@Tag("slow")
class ReplicaReadsTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresCluster cluster;
    private static PostgresCluster.Replica replica;
    private PostgresTarget database;

    @BeforeAll
    static void start() {
        cluster = PostgresCluster.start();
        replica = cluster.addReplica();
    }

    @AfterAll
    static void stop() throws IOException {
        cluster.close();
    }

    @BeforeEach
    void freshDatabase() {
        database = cluster.createDatabase("replicated_" + DATABASES.incrementAndGet());
        // the schema first, on the primary, so the replica has it before any store reads there
        Vellum.open(config("10s").build()).close();
        replica.awaitCaughtUp(Duration.ofSeconds(20));
    }

    @AfterEach
    void replayRuns() {
        if (!replica.running()) {
            replica.start();
        }
        replica.resumeReplay();
    }

    private VellumConfig.Builder config(String maxLag) {
        return VellumConfig.builder()
                .isolated()
                .url(database.toUrlWithCredentials())
                .set(
                        PostgresSettings.REPLICA_URLS.key(),
                        replica.target(database).toUrlWithCredentials())
                .set(PostgresSettings.REPLICA_MAX_LAG.key(), maxLag);
    }

    private static Health.Replica replicaHealth(RecordStore store) {
        return store.database().orElseThrow().health().replicas().members().get(0);
    }

    private static long primaryReads(RecordStore store) {
        return store.database().orElseThrow().health().replicas().primaryReads();
    }

    private static void eventually(RecordStore store, Predicate<Health.Replica> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.test(replicaHealth(store))) {
            assertThat(System.nanoTime())
                    .as(what + "; replica: " + replicaHealth(store))
                    .isLessThan(deadline);
            sleep(50);
        }
    }

    /** Waits until the replica has what the primary has and the store sends reads there. */
    private static void caughtUpAndServing(RecordStore store) {
        replica.awaitCaughtUp(Duration.ofSeconds(10));
        eventually(store, r -> r.state().equals("up"), "the replica is up");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsGoToTheReplicaAndAreCountedThere() {
        try (RecordStore writer = Vellum.open(config("10s").build())) {
            Collection c = writer.collection("people");
            for (int i = 0; i < 20; i++) {
                c.insert("p" + i, Map.of("age", i), null);
            }
        }
        replica.awaitCaughtUp(Duration.ofSeconds(10));
        try (RecordStore reader = Vellum.open(config("10s").build())) {
            eventually(reader, r -> r.state().equals("up"), "the replica is up");
            Collection c = reader.collection("people");
            assertThat(c.get("p3")).isPresent();
            assertThat(c.getMany(java.util.List.of("p1", "p2"))).hasSize(2);
            assertThat(c.find(Query.where(Filter.gte("age", 10)).sort("age")).records())
                    .hasSize(10);
            assertThat(c.count(Filter.lt("age", 5))).isEqualTo(5);
            try (var all = c.stream(Query.all())) {
                assertThat(all.count()).isEqualTo(20);
            }
            assertThat(replicaHealth(reader).reads()).isEqualTo(5);
            assertThat(primaryReads(reader)).isZero();
            // raw SQL stays on the primary unless asked
            Database db = reader.database().orElseThrow();
            assertThat(db.fetchOne("SELECT pg_is_in_recovery() AS r")
                            .orElseThrow()
                            .getBoolean("r"))
                    .isFalse();
            assertThat(db.replica()
                            .fetchOne("SELECT pg_is_in_recovery() AS r")
                            .orElseThrow()
                            .getBoolean("r"))
                    .isTrue();
        }
    }

    @Test
    void aWriteIsSeenByTheNextReadEvenWhileReplayIsPaused() {
        try (RecordStore store = Vellum.open(config("10s").build())) {
            Collection c = store.collection("notes");
            c.insert("before", Map.of("n", 0), null);
            replica.awaitCaughtUp(Duration.ofSeconds(10));
            eventually(
                    store,
                    r -> r.state().equals("up") && r.replayed() >= cluster.currentLsn() - 1_000_000,
                    "the replica has the first note");
            replica.pauseReplay();
            c.insert("after", Map.of("n", 1), null);
            long replicaReads = replicaHealth(store).reads();
            assertThat(c.get("after")).isPresent();
            assertThat(c.count(Filter.exists("n", true))).isEqualTo(2);
            assertThat(c.find(Query.all()).records()).hasSize(2);
            assertThat(replicaHealth(store).reads())
                    .as("the replica has not replayed the write")
                    .isEqualTo(replicaReads);
            // a read that asks for no particular write may be served by the (stale) replica
            assertThat(store.readAfter("0", () -> c.get("after"))).isEmpty();
            assertThat(replicaHealth(store).reads()).isEqualTo(replicaReads + 1);

            replica.resumeReplay();
            // once the replica has replayed the write (and the monitor has learnt where it ends), it serves it again
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (replicaHealth(store).reads() == replicaReads + 1) {
                assertThat(c.get("after")).isPresent();
                assertThat(System.nanoTime())
                        .as("the caught-up replica serves reads again")
                        .isLessThan(deadline);
                sleep(20);
            }
        }
    }

    @Test
    void withAWaitBoundAReadWaitsForTheReplicaToReplayTheWrite() {
        try (RecordStore store = Vellum.open(
                config("10s").set(PostgresSettings.REPLICA_WAIT.key(), "5s").build())) {
            Collection c = store.collection("waits");
            c.insert("w0", Map.of("n", 0), null);
            caughtUpAndServing(store);
            replica.pauseReplay();
            c.insert("w1", Map.of("n", 1), null);
            long replicaReads = replicaHealth(store).reads();
            Thread resume = new Thread(() -> {
                sleep(300);
                replica.resumeReplay();
            });
            resume.start();
            long started = System.nanoTime();
            assertThat(c.get("w1")).isPresent();
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(replicaHealth(store).reads())
                    .as("served by the replica once it replayed the write")
                    .isEqualTo(replicaReads + 1);
            assertThat(waitedMillis).isBetween(250L, 5000L);
        }
    }

    @Test
    void aConsistencyTokenCarriesAWriteToAnotherProcess() {
        try (RecordStore writer = Vellum.open(config("10s").build());
                RecordStore reader = Vellum.open(config("10s").build())) {
            Collection w = writer.collection("orders");
            w.insert("o1", Map.of("total", 5), null);
            caughtUpAndServing(reader);
            replica.pauseReplay();
            w.insert("o2", Map.of("total", 7), null);
            String token = writer.consistencyToken();
            Collection r = reader.collection("orders");
            assertThat(r.get("o2"))
                    .as("the reader wrote nothing: the replica serves it, stale")
                    .isEmpty();
            assertThat(reader.readAfter(token, () -> r.get("o2")))
                    .as("with the writer's token")
                    .isPresent();
            assertThatThrownBy(() -> reader.readAfter("not-a-token", () -> r.get("o2")))
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining("Not a consistency token");
        }
    }

    /**
     * A fleet whose nodes differ: one without replicas configured used to answer "0" (no requirement), so a node with
     * replicas read stale data for it.
     */
    @Test
    void aNodeWithoutReplicasGivesTokensThatWorkOnOneWithThem() {
        try (RecordStore writer = Vellum.open(VellumConfig.builder()
                        .isolated()
                        .url(database.toUrlWithCredentials())
                        .build());
                RecordStore reader = Vellum.open(config("10s").build())) {
            Collection w = writer.collection("fleet");
            w.insert("f1", Map.of("n", 1), null);
            caughtUpAndServing(reader);
            replica.pauseReplay();
            w.insert("f2", Map.of("n", 2), null);
            String token = writer.consistencyToken();
            assertThat(token).isNotEqualTo("0");
            Collection r = reader.collection("fleet");
            assertThat(r.get("f2")).as("the replica serves the reader, stale").isEmpty();
            assertThat(reader.readAfter(token, () -> r.get("f2")))
                    .as("with the writer's token")
                    .isPresent();
        }
    }

    @Test
    void aLaggingReplicaIsLeftOutAndComesBack() {
        try (RecordStore store = Vellum.open(config("1s").build())) {
            Collection c = store.collection("ticks");
            c.insert("t0", Map.of("n", 0), null);
            eventually(store, r -> r.state().equals("up"), "the replica is up");
            replica.pauseReplay();
            for (int i = 1; i <= 40 && !replicaHealth(store).state().equals("lagging"); i++) {
                c.insert("t" + i, Map.of("n", i), null);
                sleep(100);
            }
            eventually(store, r -> r.state().equals("lagging"), "the paused replica is left out");
            long replicaReads = replicaHealth(store).reads();
            assertThat((long) store.readAfter("0", () -> c.count(Filter.exists("n", true))))
                    .isGreaterThan(1);
            assertThat(replicaHealth(store).reads())
                    .as("no read went to the lagging replica")
                    .isEqualTo(replicaReads);
            replica.resumeReplay();
            eventually(store, r -> r.state().equals("up"), "the replica serves again once caught up");
        }
    }

    @Test
    void aStoppedReplicaIsLeftOutWithoutErrorsAndReturns() {
        try (RecordStore store = Vellum.open(config("10s").build())) {
            Collection c = store.collection("items");
            c.insert("i1", Map.of("v", 1), null);
            caughtUpAndServing(store);
            replica.stop();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) { // every read answers, from the primary
                assertThat(store.readAfter("0", () -> c.get("i1"))).isPresent();
                sleep(20);
            }
            assertThat(replicaHealth(store).state()).isEqualTo("down");
            assertThat(replicaHealth(store).problem()).contains("Cannot connect");
            replica.start();
            eventually(store, r -> r.state().equals("up"), "the replica serves again once it answers");
            long replicaReads = replicaHealth(store).reads();
            assertThat(store.readAfter("0", () -> c.get("i1"))).isPresent();
            assertThat(replicaHealth(store).reads()).isEqualTo(replicaReads + 1);
        }
    }
}
