package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Database;
import dev.vellum.Health;
import dev.vellum.Json;
import dev.vellum.Result;
import dev.vellum.Row;
import dev.vellum.StorageException;
import dev.vellum.testkit.BackendTest;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** The Database API behaves the same on every SQL backend. */
class DatabaseConformanceTest {

    private static void createItems(Database db) {
        var d = db.dialect();
        db.execute("CREATE TABLE items (id " + d.autoIncrementPrimaryKey() + ", name TEXT NOT NULL UNIQUE, "
                + "qty BIGINT, price NUMERIC(12,2), ratio DOUBLE PRECISION, active " + d.booleanType() + ", "
                + "seen_at " + d.timestampType() + ", token TEXT, data " + d.jsonType() + ", blob_data "
                + (db.backendName().equals("postgres") ? "BYTEA" : "BLOB") + ")");
    }

    @BackendTest
    void bindsAndReadsEveryPortableType(Database db) {
        createItems(db);
        Instant seen = Instant.parse("2026-11-21T10:15:30.123Z");
        UUID token = UUID.fromString("0193b5e8-7c2a-7def-8a1b-123456789abc");
        String name = "Zoë \"quoted\" 'single' \\ back\nnew 名前 🚀 مرحبا";
        int changed = db.execute(
                "INSERT INTO items (name, qty, price, ratio, active, seen_at, token, data, blob_data) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                name,
                9_007_199_254_740_993L,
                new BigDecimal("1234.50"),
                0.25,
                true,
                seen,
                token,
                Json.of("{\"a\": [1, 2, {\"b\": null}]}"),
                new byte[] {0, 1, 2, (byte) 255});
        assertThat(changed).isEqualTo(1);

        Row row = db.fetchOne("SELECT * FROM items WHERE name = ?", name).orElseThrow();
        assertThat(row.getString("name")).isEqualTo(name);
        assertThat(row.getLong("qty")).isEqualTo(9_007_199_254_740_993L);
        assertThat(row.getBigDecimal("price")).isEqualByComparingTo("1234.50");
        assertThat(row.getDouble("ratio")).isEqualTo(0.25);
        assertThat(row.getBoolean("active")).isTrue();
        assertThat(row.getInstant("seen_at")).isEqualTo(seen);
        assertThat(row.getUuid("token")).isEqualTo(token);
        assertThat(row.getJson("data").toString()).isEqualTo("{\"a\":[1,2,{\"b\":null}]}");
        assertThat(row.getBytes("blob_data")).containsExactly(0, 1, 2, 255);
        assertThat(row.getLong("id")).isEqualTo(1L);
        assertThat(row.columns()).startsWith("id", "name", "qty");
        assertThat(row.get(1)).isEqualTo(name);
    }

    /**
     * One precision on every backend: milliseconds. PostgreSQL's timestamptz keeps microseconds and SQLite's text
     * three digits; an instant written with more comes back (and compares, and sorts) at the millisecond, earlier by
     * what was dropped, whether the finer digits came from Java or from the database itself.
     */
    @BackendTest
    void instantsAreMillisecondsOnEveryBackend(Database db) {
        createItems(db);
        db.execute(
                "INSERT INTO items (name, seen_at) VALUES (?, ?)",
                "fine",
                Instant.parse("2026-11-21T10:15:30.123999999Z"));
        Instant millis = Instant.parse("2026-11-21T10:15:30.123Z");
        assertThat(db.fetchOne("SELECT seen_at FROM items WHERE name = ?", "fine")
                        .orElseThrow()
                        .getInstant("seen_at"))
                .isEqualTo(millis);
        assertThat(db.fetchOne("SELECT seen_at FROM items WHERE seen_at = ?", millis))
                .isPresent();
        String micros = db.backendName().equals("postgres")
                ? "'2026-11-21 10:15:30.456789+00'::timestamptz"
                : "'2026-11-21T10:15:30.456789Z'";
        Instant read = db.fetchOne("SELECT " + micros + " AS t").orElseThrow().getInstant("t");
        assertThat(read).isEqualTo(Instant.parse("2026-11-21T10:15:30.456Z"));
    }

    @BackendTest
    void nullsBindAndReadAsNull(Database db) {
        createItems(db);
        db.execute(
                "INSERT INTO items (name, qty, active, seen_at, token, data) VALUES (?, ?, ?, ?, ?, ?)",
                "empty",
                null,
                null,
                null,
                null,
                null);
        Row row = db.fetchOne("SELECT qty, active, seen_at, token, data FROM items")
                .orElseThrow();
        assertThat(row.getLong("qty")).isNull();
        assertThat(row.getBoolean("active")).isNull();
        assertThat(row.getInstant("seen_at")).isNull();
        assertThat(row.getUuid("token")).isNull();
        assertThat(row.getJson("data")).isNull();
    }

    @BackendTest
    void fetchOneOnNoRowsIsEmptyAndFetchAllKeepsOrder(Database db) {
        createItems(db);
        assertThat(db.fetchOne("SELECT * FROM items WHERE name = ?", "nobody")).isEmpty();
        for (String n : List.of("c", "a", "b")) {
            db.execute("INSERT INTO items (name) VALUES (?)", n);
        }
        assertThat(db.fetchAll("SELECT name FROM items ORDER BY name").stream().map(r -> r.getString("name")))
                .containsExactly("a", "b", "c");
    }

    @BackendTest
    void executeCountsOnlyRowsTheStatementChanged(Database db) {
        createItems(db);
        assertThat(db.execute("INSERT INTO items (name) VALUES (?), (?), (?)", "a", "b", "c"))
                .isEqualTo(3);
        assertThat(db.execute("CREATE INDEX items_qty ON items (qty)")).isZero();
        assertThat(db.execute("UPDATE items SET qty = 1 WHERE name <> ?", "a")).isEqualTo(2);
        assertThat(db.execute("DELETE FROM items WHERE name = ?", "nobody")).isZero();
        assertThat(db.execute("DROP INDEX items_qty")).isZero();
    }

    @BackendTest
    void executeManyBatchesAnySizeAndCountsRows(Database db) {
        createItems(db);
        List<Object[]> rows = IntStream.range(0, 12_345)
                .mapToObj(i -> new Object[] {"item-" + i, (long) i})
                .toList();
        long changed = db.executeMany("INSERT INTO items (name, qty) VALUES (?, ?)", rows);
        assertThat(changed).isEqualTo(12_345);
        Row sums = db.fetchOne("SELECT COUNT(*) AS n, SUM(qty) AS total FROM items")
                .orElseThrow();
        assertThat(sums.getLong("n")).isEqualTo(12_345);
        assertThat(sums.getLong("total")).isEqualTo(12_344L * 12_345 / 2);
    }

    @BackendTest
    void executeManyIsAllOrNothing(Database db) {
        createItems(db);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) {
            rows.add(new Object[] {"item-" + i});
        }
        rows.add(new Object[] {"item-7"}); // violates UNIQUE in the third batch
        assertThatThrownBy(() -> db.executeMany("INSERT INTO items (name) VALUES (?)", rows))
                .isInstanceOf(StorageException.class);
        assertThat(count(db)).isZero();
    }

    @BackendTest
    void transactionCommitsOnReturnAndSeesItsOwnWrites(Database db) {
        createItems(db);
        long seenInside = db.inTransaction(tx -> {
            tx.execute("INSERT INTO items (name) VALUES (?)", "a");
            db.execute("INSERT INTO items (name) VALUES (?)", "b"); // same thread: joins the transaction
            return count(tx);
        });
        assertThat(seenInside).isEqualTo(2);
        assertThat(count(db)).isEqualTo(2);
    }

    @BackendTest
    void transactionRollsBackOnRuntimeAndCheckedExceptions(Database db) {
        createItems(db);
        assertThatThrownBy(() -> db.useTransaction(tx -> {
                    tx.execute("INSERT INTO items (name) VALUES (?)", "a");
                    throw new IllegalStateException("boom");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        assertThatThrownBy(() -> db.useTransaction(tx -> {
                    tx.execute("INSERT INTO items (name) VALUES (?)", "b");
                    throw new IOException("disk");
                }))
                .isInstanceOf(IOException.class)
                .hasMessage("disk");
        assertThat(count(db)).isZero();
    }

    @BackendTest
    void nestedTransactionsUseSavepoints(Database db) {
        createItems(db);
        db.useTransaction(tx -> {
            tx.execute("INSERT INTO items (name) VALUES (?)", "outer");
            assertThatThrownBy(() -> tx.useTransaction(inner -> {
                        inner.execute("INSERT INTO items (name) VALUES (?)", "inner-undone");
                        throw new IllegalStateException("inner fails");
                    }))
                    .hasMessage("inner fails");
            tx.useTransaction(inner -> inner.execute("INSERT INTO items (name) VALUES (?)", "inner-kept"));
        });
        assertThat(names(db)).containsExactly("inner-kept", "outer");

        assertThatThrownBy(() -> db.useTransaction(tx -> {
                    tx.useTransaction(inner -> inner.execute("INSERT INTO items (name) VALUES (?)", "gone"));
                    throw new IllegalStateException("outer fails");
                }))
                .hasMessage("outer fails");
        assertThat(names(db)).containsExactly("inner-kept", "outer");
    }

    @BackendTest
    void failedStatementInsideTransactionRollsBackEverything(Database db) {
        createItems(db);
        assertThatThrownBy(() -> db.useTransaction(tx -> {
                    tx.execute("INSERT INTO items (name) VALUES (?)", "a");
                    tx.execute("INSERT INTO items (name) VALUES (?)", "a");
                }))
                .isInstanceOf(StorageException.class);
        assertThat(count(db)).isZero();
    }

    @BackendTest
    void streamReadsLazilyAndReturnsItsConnection(Database db) {
        createItems(db);
        db.executeMany(
                "INSERT INTO items (name, qty) VALUES (?, ?)",
                IntStream.range(0, 5_000)
                        .mapToObj(i -> new Object[] {String.format("n%05d", i), (long) i})
                        .toList());
        try (Stream<Row> rows = db.stream("SELECT name, qty FROM items WHERE qty >= ? ORDER BY qty", 10L)) {
            List<Long> qty = rows.map(r -> r.getLong("qty")).toList();
            assertThat(qty).hasSize(4_990).startsWith(10L, 11L).endsWith(4_999L);
        }
        try (Stream<Row> rows = db.stream("SELECT name FROM items ORDER BY name")) {
            assertThat(rows.limit(3).map(r -> r.getString("name"))).containsExactly("n00000", "n00001", "n00002");
        }
        assertThat(db.health().pool().active()).isZero();
    }

    @BackendTest
    void streamInsideTransactionSeesUncommittedRows(Database db) {
        createItems(db);
        db.useTransaction(tx -> {
            tx.execute("INSERT INTO items (name) VALUES (?)", "pending");
            try (Stream<Row> rows = tx.stream("SELECT name FROM items")) {
                assertThat(rows.map(r -> r.getString("name"))).containsExactly("pending");
            }
        });
    }

    // Statements run again (SQLite keeps them compiled per connection): each run sees the tables as they are now,
    // its own parameters only, and leaves nothing open behind it.

    @BackendTest
    void aStatementRunAgainSeesTheTableAsItIsNow(Database db) {
        db.execute("CREATE TABLE t (a BIGINT)");
        db.execute("INSERT INTO t (a) VALUES (?)", 1L);
        for (int i = 0; i < 3; i++) {
            assertThat(db.fetchOne("SELECT * FROM t").orElseThrow().columns()).containsExactly("a");
            assertThat(db.fetchAll("SELECT a FROM t WHERE a = ?", 1L)).hasSize(1);
        }
        db.execute("ALTER TABLE t ADD COLUMN b TEXT");
        db.execute("UPDATE t SET b = ? WHERE a = ?", "x", 1L);
        assertThat(db.fetchOne("SELECT * FROM t").orElseThrow().columns()).containsExactly("a", "b");
        assertThat(db.fetchOne("SELECT t.* FROM t").orElseThrow().columns()).containsExactly("a", "b");

        db.execute("DROP TABLE t");
        db.execute("CREATE TABLE t (z TEXT, a BIGINT)");
        db.execute("INSERT INTO t (z, a) VALUES (?, ?)", "new", 2L);
        assertThat(db.fetchAll("SELECT a FROM t WHERE a = ?", 1L)).isEmpty();
        assertThat(db.fetchAll("SELECT a FROM t WHERE a = ?", 2L))
                .extracting(r -> r.getLong("a"))
                .containsExactly(2L);
    }

    @BackendTest
    void theSameQueryRunsInsideItsOwnRows(Database db) {
        createItems(db);
        db.executeMany(
                "INSERT INTO items (name, qty) VALUES (?, ?)",
                IntStream.range(0, 5)
                        .mapToObj(i -> new Object[] {"n" + i, (long) i})
                        .toList());
        String sql = "SELECT qty FROM items WHERE qty >= ? ORDER BY qty";
        List<String> seen = db.inTransaction(tx -> {
            try (Stream<Row> rows = tx.stream(sql, 3L)) {
                return rows.map(r -> r.getLong("qty") + ":"
                                + tx.fetchAll(sql, r.getLong("qty")).size())
                        .toList();
            }
        });
        assertThat(seen).containsExactly("3:2", "4:1");
        assertThat(db.fetchAll(sql, 0L)).hasSize(5);
    }

    @BackendTest
    void aStatementThatFailedRunsAgain(Database db) {
        createItems(db);
        String insert = "INSERT INTO items (name, qty) VALUES (?, ?)";
        db.execute(insert, "a", 1L);
        assertThatThrownBy(() -> db.execute(insert, "a", 2L)).isInstanceOf(StorageException.class);
        db.execute(insert, "b", 2L);
        assertThat(names(db)).containsExactly("a", "b");
    }

    @BackendTest
    void queriesLeaveNoReadOpenBehindThem(Database db) {
        createItems(db);
        db.executeMany(
                "INSERT INTO items (name, qty) VALUES (?, ?)",
                IntStream.range(0, 3_000)
                        .mapToObj(i -> new Object[] {"n" + i, (long) i})
                        .toList());
        for (int i = 0; i < 2; i++) {
            assertThat(db.fetchOne("SELECT name FROM items WHERE qty >= ? ORDER BY qty", 0L))
                    .isPresent();
            try (Stream<Row> rows = db.stream("SELECT name FROM items ORDER BY qty")) {
                assertThat(rows.limit(2)).hasSize(2);
            }
            db.run("SELECT name FROM items WHERE qty < ?", 10L);
        }
        if (db.backendName().equals("sqlite")) {
            // a statement left mid-run would pin its read snapshot, and a full checkpoint could not empty the log
            Row checkpoint = db.fetchOne("PRAGMA wal_checkpoint(TRUNCATE)").orElseThrow();
            assertThat(((Number) checkpoint.get(0)).longValue())
                    .as("checkpoint blocked by a reader")
                    .isZero();
        }
        db.execute("UPDATE items SET qty = qty + 1");
        assertThat(db.fetchOne("SELECT qty FROM items WHERE name = ?", "n0")
                        .orElseThrow()
                        .getLong("qty"))
                .isEqualTo(1L);
    }

    @BackendTest
    void runReturnsRowsOrUpdateCount(Database db) {
        createItems(db);
        Result insert = db.run("INSERT INTO items (name, qty) VALUES (?, ?), (?, ?)", "a", 1L, "b", 2L);
        assertThat(insert.hasRows()).isFalse();
        assertThat(insert.updateCount()).isEqualTo(2);
        Result select = db.run("SELECT name, qty FROM items WHERE qty > ?", 5L);
        assertThat(select.hasRows()).isTrue();
        assertThat(select.columns()).containsExactly("name", "qty");
        assertThat(select.rows()).isEmpty();
    }

    @BackendTest
    void dialectUpsertAndInsertIgnoreWorkTheSameEverywhere(Database db) {
        db.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, hits BIGINT)");
        String upsert = db.dialect().upsert("kv", List.of("k"), List.of("k", "v", "hits"));
        db.execute(upsert, "a", "first", 1L);
        db.execute(upsert, "a", "second", 2L);
        db.execute(db.dialect().insertIgnore("kv", List.of("k", "v", "hits")), "a", "ignored", 3L);
        Row row = db.fetchOne("SELECT v, hits FROM kv WHERE k = ?", "a").orElseThrow();
        assertThat(row.getString("v")).isEqualTo("second");
        assertThat(row.getLong("hits")).isEqualTo(2L);
    }

    @BackendTest
    void dialectPiecesAreValidSqlWithPortableResults(Database db) {
        var d = db.dialect();
        db.execute("CREATE TABLE docs (" + d.quote("weird \"name\"") + " TEXT, flag " + d.booleanType() + ", at "
                + d.timestampType() + " DEFAULT (" + d.currentTimestamp() + "), body " + d.jsonType() + ")");
        db.execute(
                "INSERT INTO docs (" + d.quote("weird \"name\"") + ", flag, body) VALUES (?, " + d.booleanLiteral(true)
                        + ", ?)",
                "x",
                Json.of("{\"s\":\"text\",\"n\":12.5,\"t\":true,\"f\":false,\"o\":{\"k\":\"v\"},\"a'b\":\"q\"}"));
        String body = "body";
        Row row = db.fetchOne("SELECT " + d.jsonText(body, "s") + " AS s, " + d.jsonText(body, "n") + " AS n, "
                        + d.jsonText(body, "t") + " AS t, " + d.jsonText(body, "f") + " AS f, "
                        + d.jsonText(body, "o", "k") + " AS ok, " + d.jsonText(body, "missing") + " AS m, "
                        + d.jsonText(body, "a'b") + " AS q, at, flag FROM docs WHERE flag = " + d.booleanLiteral(true))
                .orElseThrow();
        assertThat(row.getString("s")).isEqualTo("text");
        assertThat(row.getString("n")).isEqualTo("12.5");
        assertThat(row.getString("t")).isEqualTo("true");
        assertThat(row.getString("f")).isEqualTo("false");
        assertThat(row.getString("ok")).isEqualTo("v");
        assertThat(row.getString("m")).isNull();
        assertThat(row.getString("q")).isEqualTo("q");
        assertThat(row.getInstant("at"))
                .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
        assertThat(row.getBoolean("flag")).isTrue();
    }

    @BackendTest
    void badSqlIsAStorageExceptionThatNamesTheProblem(Database db) {
        assertThatThrownBy(() -> db.fetchAll("SELECT * FROM no_such_table"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(db.backendName() + " rejected the statement")
                .hasMessageContaining("no_such_table");
        assertThatThrownBy(() -> db.execute("SELECT ?", new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot bind parameter 1 of type java.lang.Object");
    }

    @BackendTest
    void healthReportsBackendVersionSchemaAndPool(Database db) {
        Health health = db.health();
        assertThat(health.backend()).isEqualTo(db.backendName());
        assertThat(health.serverVersion()).startsWith(db.backendName().equals("sqlite") ? "SQLite 3." : "PostgreSQL ");
        assertThat(health.schemaVersion()).isEqualTo("9");
        assertThat(health.pendingMigrations()).isZero();
        assertThat(health.pool().max()).isPositive();
        assertThat(health.target()).isEqualTo(db.describeTarget()).doesNotContain("password");
    }

    @BackendTest
    void concurrentWritersNeverSeeBusyErrors(Database db) throws Exception {
        createItems(db);
        db.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)");
        db.execute("INSERT INTO counter (id, n) VALUES (1, 0)");
        int threads = 16;
        int perThread = 50;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        db.execute("INSERT INTO items (name) VALUES (?)", "t" + id + "-" + i);
                        db.useTransaction(tx -> {
                            tx.fetchOne("SELECT n FROM counter WHERE id = 1").orElseThrow();
                            tx.execute("UPDATE counter SET n = n + 1 WHERE id = 1");
                        });
                        db.fetchAll("SELECT COUNT(*) FROM items");
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(errors).isEmpty();
        assertThat(count(db)).isEqualTo((long) threads * perThread);
        assertThat(db.fetchOne("SELECT n FROM counter").orElseThrow().getLong("n"))
                .isEqualTo((long) threads * perThread);
    }

    private static long count(Database db) {
        return db.fetchOne("SELECT COUNT(*) AS n FROM items").orElseThrow().getLong("n");
    }

    private static List<String> names(Database db) {
        return db.fetchAll("SELECT name FROM items ORDER BY name").stream()
                .map(r -> r.getString("name"))
                .collect(Collectors.toList());
    }
}
