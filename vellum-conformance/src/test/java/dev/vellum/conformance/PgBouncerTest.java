package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.ConcurrencyException;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.MigrationException;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Setting;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.PgBouncer;
import dev.vellum.testkit.TestBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Tag;

/**
 * A real PgBouncer in front of the test server (skipped, with the install command, where the program is missing).
 * The whole store suite also runs through it ({@code postgres@pgbouncer}, enabled by the build); this class covers
 * what only many clients and the pooler's modes show.
 */
@Tag("slow")
class PgBouncerTest {
    private static final int CLIENTS = 64;
    private static final int ROUNDS = 40;
    private static final int COUNTERS = 8;

    /** 64 clients through 5 server connections: every acknowledged write is there once, every rolled back one not. */
    @BackendTest("postgres@pgbouncer")
    void sixtyFourClientsShareFiveServerConnectionsAndLoseNothing(TestBackend backend) throws Exception {
        try (RecordStore setup = backend.openStore()) { // schema changes over the direct connection
            setup.collection("items").createIndex("by_owner", "owner");
            for (int k = 0; k < COUNTERS; k++) {
                setup.collection("counters").insert("c" + k, Map.of("n", 0), null);
            }
        }
        // from here on every connection goes through the pooler, so the server's sessions are the pooler's
        RecordStore store = backend.openStore(b -> b.poolMax(CLIENTS).set(PostgresSettings.MIGRATION_URL.key(), ""));
        Collection items = store.collection("items");
        Collection counters = store.collection("counters");
        AtomicLongArray increments = new AtomicLongArray(COUNTERS);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        AtomicInteger maxServerConnections = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> watchServerConnections(backend.postgres(), running, maxServerConnections));
        watcher.start();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        String id = "i" + client + "-" + round;
                        items.insert(id, Map.of("owner", "o" + client, "round", round), null);
                        acknowledged.add(id);
                        increment(counters, (client + round) % COUNTERS, increments);
                        boolean rollBack = round % 3 == 0;
                        String a = "t" + client + "-" + round + "a";
                        String b = "t" + client + "-" + round + "b";
                        try {
                            store.useTransaction(tx -> {
                                tx.collection("items").insert(a, Map.of("owner", "tx"), null);
                                tx.collection("items").insert(b, Map.of("owner", "tx"), null);
                                if (rollBack) {
                                    throw new IllegalStateException("roll back");
                                }
                            });
                            acknowledged.add(a);
                            acknowledged.add(b);
                        } catch (IllegalStateException expected) {
                            rolledBack.add(a);
                            rolledBack.add(b);
                        }
                        List<Record> own = items.find(Query.where(Filter.eq("owner", "o" + client))
                                        .limit(100))
                                .records();
                        assertThat(own).hasSize(round + 1);
                        assertThat(items.get(id)).isPresent();
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
            running.set(false);
            watcher.join();
        }
        assertThat(maxServerConnections.get())
                .as("server connections from the pooler")
                .isBetween(1, PgBouncer.POOL_SIZE);
        assertThat(items.count()).isEqualTo(acknowledged.size());
        assertThat(items.getMany(acknowledged)).hasSize(acknowledged.size());
        assertThat(items.getMany(rolledBack)).isEmpty();
        for (int k = 0; k < COUNTERS; k++) {
            assertThat(counters.get("c" + k).orElseThrow().fields().get("n").asLong())
                    .as("counter c" + k)
                    .isEqualTo(increments.get(k));
        }
    }

    /** A conditional write: read, then replace at the version read; a lost race is retried, never applied twice. */
    private static void increment(Collection counters, int k, AtomicLongArray increments) {
        while (true) {
            Record current = counters.get("c" + k).orElseThrow();
            try {
                counters.replace("c" + k, Map.of("n", current.fields().get("n").asLong() + 1), current.version());
                increments.incrementAndGet(k);
                return;
            } catch (ConcurrencyException lostTheRace) {
                // another client wrote first: read again
            }
        }
    }

    /** The server's client sessions on the database, other than the watcher's own: all of them are PgBouncer's. */
    private static void watchServerConnections(PostgresTarget database, AtomicBoolean running, AtomicInteger max) {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE datname = ? "
                        + "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
            s.setString(1, database.database());
            while (running.get()) {
                try (ResultSet rows = s.executeQuery()) {
                    rows.next();
                    max.accumulateAndGet(rows.getInt(1), Math::max);
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @BackendTest("postgres")
    void migrationsThroughATransactionPoolerAreRefusedWithTheWayOut(TestBackend backend) {
        PgBouncer bouncer = PgBouncer.shared("transaction");
        VellumConfig throughPooler = VellumConfig.builder()
                .isolated()
                .url(bouncer.through(backend.postgres()).toUrlWithCredentials())
                .pgbouncer(true)
                .build();
        assertThatThrownBy(() -> Vellum.open(throughPooler).close())
                .isInstanceOf(MigrationException.class)
                .hasMessage("Migrations are pending, and they need a database session, which a transaction-mode "
                        + "PgBouncer (VELLUM_POSTGRES_PGBOUNCER=true) does not keep: set VELLUM_MIGRATION_URL to a "
                        + "direct connection to the server (or to a session-mode pool), or run `vellum migrate` "
                        + "against the server directly");
        // nothing was half-applied: a direct open migrates from scratch, after which the pooler opens a current schema
        backend.openStore().close();
        try (RecordStore store = Vellum.open(throughPooler)) {
            store.collection("c").insert("a", Map.of("v", 1), null);
            assertThat(store.collection("c").get("a")).isPresent();
        }
    }

    @BackendTest("postgres")
    void sessionModeNeedsNoSwitch(TestBackend backend) {
        PgBouncer bouncer = PgBouncer.shared("session");
        try (RecordStore store = Vellum.open(VellumConfig.builder()
                .isolated()
                .url(bouncer.through(backend.postgres()).toUrlWithCredentials())
                .build())) {
            Collection c = store.collection("c");
            c.createIndex("by_v", "v");
            for (int i = 0; i < 50; i++) {
                c.insert("r" + i, Map.of("v", i), null);
            }
            assertThat(c.count(Filter.gte("v", 25))).isEqualTo(25);
        }
    }

    /** Through a pooler, health reports both hops: what Vellum asked of the pooler, and the pooler's server session. */
    @BackendTest("postgres@pgbouncer")
    void healthTellsBothHopsApart(TestBackend backend) {
        try (Database db = backend.open()) {
            assertThat(db.health().encryption())
                    .isEqualTo("to the pooler: encryption not required (sslmode=prefer): "
                            + "use sslmode=verify-full; pooler to server: not encrypted");
        }
        try (Database db = backend.open(b -> b.pgbouncer(false))) {
            assertThat(db.health().encryption()).isEqualTo("none: not encrypted (sslmode=prefer)");
        }
    }

    /**
     * The change feed behind a transaction-mode pooler: with VELLUM_MIGRATION_URL (a direct connection) readers are
     * woken by LISTEN on it; without, they poll every VELLUM_CHANGES_POLL_INTERVAL. Either way every change once.
     */
    @BackendTest("postgres@pgbouncer")
    void theChangeFeedWorksThroughThePoolerWithAndWithoutADirectConnection(TestBackend backend) throws Exception {
        RecordStore listening = backend.openStore(); // migrations and LISTEN over the direct connection
        listening.collection("events").enableChanges();
        RecordStore polling = backend.openStore(
                b -> b.set(PostgresSettings.MIGRATION_URL.key(), "").set(Setting.CHANGES_POLL_INTERVAL.key(), "200ms"));
        RecordStore writer = backend.openStore(b -> b.set(PostgresSettings.MIGRATION_URL.key(), ""));
        List<String> heardByListener = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> heardByPoller = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> listenerDelays = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var a = listening.collection("events").changes().subscribe(null, c -> {
                    heardByListener.add(c.id());
                    listenerDelays.add(System.currentTimeMillis()
                            - c.record().fields().get("at").asLong());
                });
                var b = polling.collection("events").changes().subscribe(null, c -> heardByPoller.add(c.id()))) {
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String id = "e" + i;
                if (i % 5 == 4) {
                    try {
                        writer.useTransaction(tx -> {
                            tx.collection("events").insert(id + "-lost", Map.of("at", 0), null);
                            throw new IllegalStateException("roll back");
                        });
                    } catch (IllegalStateException expected) {
                        // rolled back: no change
                    }
                }
                writer.collection("events").insert(id, Map.of("at", System.currentTimeMillis()), null);
                written.add(id);
                Thread.sleep(30);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((heardByListener.size() < written.size() || heardByPoller.size() < written.size())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(heardByListener).containsExactlyElementsOf(written);
            assertThat(heardByPoller).containsExactlyElementsOf(written);
        }
        List<Long> sorted = new ArrayList<>(listenerDelays);
        sorted.sort(null);
        assertThat(sorted.get(sorted.size() / 2))
                .as("median delay of the LISTEN reader, ms")
                .isLessThan(250);
    }
}
