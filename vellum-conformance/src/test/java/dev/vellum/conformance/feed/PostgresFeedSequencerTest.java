package dev.vellum.conformance.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Change;
import dev.vellum.Collection;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.spi.RecordTable;
import dev.vellum.testkit.PostgresExtension;
import dev.vellum.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change feed on PostgreSQL without a lock across writers (migration V9): writers append pending changes and a
 * sequencer numbers committed transactions. What the design promises beyond the shared feed tests.
 */
@ExtendWith(PostgresExtension.class)
class PostgresFeedSequencerTest {

    private static RecordStore open(PostgresTarget pg) {
        return Vellum.open(
                VellumConfig.builder().isolated().url(pg.toUrlWithCredentials()).build());
    }

    @Test
    void aWriterDoesNotWaitForAnotherWritersOpenTransaction(PostgresTarget pg) throws Exception {
        try (RecordStore store = open(pg)) {
            Collection events = store.collection("open_writer");
            events.enableChanges();
            String start = events.changes().now();
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> store.useTransaction(tx -> {
                tx.collection("open_writer").insert("slow", Map.of("n", 1), null);
                written.countDown();
                await(release);
            }));
            assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
            // with a lock held from a writer's first change to its commit, this insert would wait for "slow"
            CompletableFuture.runAsync(() -> events.insert("quick", Map.of("n", 2), null))
                    .get(5, TimeUnit.SECONDS);
            assertThat(events.changes().poll(start, 10).changes())
                    .extracting(Change::id)
                    .containsExactly("quick");
            release.countDown();
            slow.get(10, TimeUnit.SECONDS);
            List<Change> all = events.changes().poll(start, 10).changes();
            assertThat(all).extracting(Change::id).containsExactly("quick", "slow");
            assertConsecutive(all);
        }
    }

    @Test
    void aLongRunningUnrelatedTransactionDoesNotStallTheFeed(PostgresTarget pg) throws Exception {
        try (RecordStore store = open(pg);
                Connection idle = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            Collection events = store.collection("long_tx");
            events.enableChanges();
            String start = events.changes().now();
            idle.setAutoCommit(false);
            try (Statement s = idle.createStatement();
                    ResultSet rs = s.executeQuery("SELECT txid_current(), count(*) FROM vellum_collections")) {
                assertThat(rs.next()).isTrue(); // a transaction with an id and a snapshot, left open
            }
            for (int i = 0; i < 5; i++) {
                events.insert("r" + i, Map.of("i", i), null);
            }
            List<Change> seen = events.changes()
                    .poll(start, 10, java.time.Duration.ofSeconds(5))
                    .changes();
            assertThat(seen).extracting(Change::id).containsExactly("r0", "r1", "r2", "r3", "r4");
            assertConsecutive(seen);
            idle.rollback();
        }
    }

    @Test
    void aRecordsChangesKeepTheirOrderUnderConcurrentWriters(PostgresTarget pg) throws Exception {
        int writers = 8;
        int rounds = 40;
        try (RecordStore store = open(pg)) {
            Collection counters = store.collection("counters");
            counters.enableChanges();
            String start = counters.changes().now();
            List<CompletableFuture<Void>> running = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(CompletableFuture.runAsync(() -> {
                    for (int r = 0; r < rounds; r++) {
                        // every writer bumps the shared record and writes one of its own, in one transaction
                        store.useTransaction(tx -> {
                            Collection c = tx.collection("counters");
                            c.upsert("shared", Map.of("by", writer));
                            c.upsert("own-" + writer, Map.of("round", 0));
                        });
                    }
                }));
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            List<Change> all = new java.util.ArrayList<>();
            String after = start;
            while (true) {
                var page = counters.changes().poll(after, 500);
                all.addAll(page.changes());
                if (page.changes().isEmpty()) {
                    break;
                }
                after = page.next();
            }
            assertThat(all).hasSize(writers * rounds * 2);
            assertConsecutive(all);
            assertThat(all.stream()
                            .filter(c -> c.id().equals("shared"))
                            .mapToLong(Change::version)
                            .toArray())
                    .as("the shared record's versions in feed order")
                    .containsExactly(LongStream.rangeClosed(1, writers * rounds).toArray());
            for (int i = 0; i < all.size(); i += 2) {
                // a transaction's two changes are next to each other
                assertThat(all.get(i).id()).isEqualTo("shared");
                assertThat(all.get(i + 1).id()).startsWith("own-");
            }
        }
    }

    /** Tokens handed out under version 8 (numbered by the triggers under the old lock) stay valid after version 9. */
    @Test
    void tokensFromBeforeTheUpgradeStayValid() throws Exception {
        PostgresServer server = PostgresServer.shared();
        PostgresTarget old = server.createDatabase();
        try {
            Flyway.configure()
                    .dataSource(old.jdbcUrl(), old.user(), old.password())
                    .table("vellum_schema_history")
                    .locations("classpath:db/migration/vellum/postgresql")
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .target("8")
                    .load()
                    .migrate();
            try (Connection c = DriverManager.getConnection(old.jdbcUrl(), old.user(), old.password());
                    Statement s = c.createStatement()) {
                // a collection with its feed on, as version 8 made it: the lock trigger and the numbering triggers
                s.execute("CREATE TABLE vc_legacy (id TEXT COLLATE \"C\" PRIMARY KEY, fields JSONB NOT NULL, "
                        + "metadata JSONB NOT NULL DEFAULT '{}', version BIGINT NOT NULL, created_at TIMESTAMPTZ NOT "
                        + "NULL, updated_at TIMESTAMPTZ NOT NULL)");
                s.execute("CREATE TABLE vt_legacy (id TEXT COLLATE \"C\" PRIMARY KEY, version BIGINT NOT NULL)");
                s.execute("INSERT INTO vellum_collections (name) VALUES ('legacy')");
                s.execute("INSERT INTO vellum_feeds (collection, enabled_at) VALUES ('legacy', now())");
                s.execute("CREATE TRIGGER vellum_feed_lock BEFORE INSERT OR UPDATE OR DELETE ON vc_legacy "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION vellum_feed_lock()");
                for (String op : List.of("insert", "update", "delete")) {
                    String table = op.equals("delete") ? "OLD TABLE AS vellum_old" : "NEW TABLE AS vellum_new";
                    s.execute("CREATE TRIGGER vellum_feed_" + op + " AFTER " + op.toUpperCase(java.util.Locale.ROOT)
                            + " ON vc_legacy REFERENCING " + table
                            + " FOR EACH STATEMENT EXECUTE FUNCTION vellum_feed_capture('legacy')");
                }
                s.execute("INSERT INTO vc_legacy VALUES ('a', '{\"n\":1}', '{}', 1, now(), now()), "
                        + "('b', '{\"n\":2}', '{}', 1, now(), now())");
                s.execute("UPDATE vc_legacy SET fields = '{\"n\":3}', version = 2 WHERE id = 'a'");
            }
            try (RecordStore store = open(old)) {
                Collection legacy = store.collection("legacy");
                List<Change> before = legacy.changes().poll("0", 10).changes();
                assertThat(before).extracting(Change::token).containsExactly("1", "2", "3");
                legacy.insert("c", Map.of("n", 4), null);
                legacy.delete("b");
                assertThat(legacy.changes().poll("2", 10).changes())
                        .extracting(c -> c.token() + " " + c.op() + " " + c.id())
                        .containsExactly("3 UPDATE a", "4 INSERT c", "5 DELETE b");
                try (Connection c = DriverManager.getConnection(old.jdbcUrl(), old.user(), old.password());
                        Statement s = c.createStatement();
                        ResultSet rs =
                                s.executeQuery("SELECT count(*) FROM pg_trigger WHERE tgname = 'vellum_feed_lock'")) {
                    rs.next();
                    assertThat(rs.getInt(1))
                            .as("the old lock's triggers are gone")
                            .isZero();
                }
            }
        } finally {
            server.dropDatabase(old);
        }
    }

    /** The capture function lives in a migration; it copies the record table's columns as RecordTable lists them. */
    @Test
    void theCaptureFunctionCopiesTheRecordTablesColumns(PostgresTarget pg) throws Exception {
        try (RecordStore store = open(pg);
                Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_get_functiondef('vellum_feed_capture'::regproc)")) {
            assertThat(rs.next()).isTrue();
            String body = rs.getString(1).replaceAll("\\s+", " ");
            assertThat(body)
                    .contains("(collection, op, " + RecordTable.selectList() + ", at)")
                    .contains("'delete', " + RecordTable.changeValues("o", true) + ", statement_timestamp()")
                    .contains("lower(TG_OP), " + RecordTable.changeValues("n", false) + ", statement_timestamp()");
        }
    }

    private static void assertConsecutive(List<Change> changes) {
        for (int i = 1; i < changes.size(); i++) {
            assertThat(Long.parseLong(changes.get(i).token()))
                    .as("token after " + changes.get(i - 1).token())
                    .isEqualTo(Long.parseLong(changes.get(i - 1).token()) + 1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
