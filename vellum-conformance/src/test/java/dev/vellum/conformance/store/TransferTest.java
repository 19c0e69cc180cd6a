package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.DuplicateRecordException;
import dev.vellum.IndexInfo;
import dev.vellum.Json;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Row;
import dev.vellum.TransferException;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.internal.JsonValues;
import dev.vellum.ops.Transfer;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Copies between backends: exact (ids, versions, timestamps, metadata, indexes), verified, resumable. */
@ExtendWith(PostgresExtension.class)
class TransferTest {
    @TempDir
    Path dir;

    /** Mixed shapes: nulls, missing keys, ints, decimals, Unicode, booleans, arrays, nested objects. */
    static ObjectNode shape(int i) {
        ObjectNode f = JsonValues.NODES.objectNode();
        switch (i % 5) {
            case 0 -> f.put("n", i).put("s", "名前 " + i).putNull("gone");
            case 1 ->
                f.put("d", i / 7.0)
                        .put("flag", i % 2 == 0)
                        .putArray("tags")
                        .add("t" + i % 13)
                        .addNull();
            case 2 ->
                f.putObject("address")
                        .put("city", "City " + i % 97)
                        .putObject("geo")
                        .put("lat", -i / 3.5);
            case 3 -> f.put("big", 9_007_199_254_740_993L + i).put("emoji", "🙂 \" \\ \n" + i);
            default -> f.putArray("matrix").addArray().add(i).add(i + 0.5);
        }
        return f;
    }

    @Test
    void sqliteToPostgresToSqliteIsExact(PostgresTarget pg) {
        int n = 100_000;
        try (RecordStore sqlite = Vellum.open(shop("sqlite:" + dir.resolve("a.db")));
                RecordStore postgres = Vellum.open(shop(pg.toUrlWithCredentials()));
                RecordStore back = Vellum.open(shop("sqlite:" + dir.resolve("b.db")))) {
            Database shopDb = sqlite.database().orElseThrow();
            fillShop(shopDb);
            Collection people = sqlite.collection("people");
            people.insertMany(IntStream.range(0, n)
                    .mapToObj(i -> new NewRecord(
                            String.format("p%06d", i), shape(i), i % 3 == 0 ? Map.of("source", "import " + i) : null)));
            people.patch("p000007", Map.of("patched", true));
            people.replace("p000008", Map.of("replaced", 1));
            people.createIndex("by_city", List.of("address.city"), false);
            people.createIndex("by_big", List.of("big"), true);
            people.enableChanges();
            sqlite.collection("empty").insert("x", Map.of(), null);
            sqlite.collection("empty").delete("x");

            Transfer.Report there =
                    Transfer.from(sqlite).to(postgres).batchSize(7_000).run();
            assertThat(there.ok()).isTrue();
            assertThat(there.collections())
                    .extracting(Transfer.CollectionReport::copied)
                    .containsExactly(0L, (long) n);
            Transfer.Report home = Transfer.from(postgres).to(back).run();
            assertThat(home.ok()).isTrue();

            assertSame(people, back.collection("people"));
            assertThat(back.collection("people").indexes())
                    .containsExactlyInAnyOrder(
                            new IndexInfo("by_city", List.of("address.city"), false),
                            new IndexInfo("by_big", List.of("big"), true));
            assertThat(back.collection("people").get("p000007").orElseThrow().version())
                    .isEqualTo(2);
            assertThat(back.collection("people").changesEnabled()).isTrue();
            assertThat(back.collection("people").changes().poll("0", 10).changes())
                    .isEmpty();
            assertThat(back.collection("empty").changesEnabled()).isFalse();
            assertThat(back.collections()).containsExactlyInAnyOrder("people", "empty");

            // the application's tables: parents first, types mapped, every row back as it was
            assertThat(there.tables())
                    .extracting(Transfer.CollectionReport::collection)
                    .containsExactly("customers", "orders", "order_lines");
            assertThat(there.tables()).allMatch(t -> Boolean.TRUE.equals(t.verified()));
            Database pgDb = postgres.database().orElseThrow();
            Row vip = pgDb.fetchOne("SELECT vip, joined, profile FROM customers WHERE id = 3")
                    .orElseThrow();
            assertThat(vip.get("vip")).isEqualTo(true);
            assertThat(vip.getInstant("joined")).isEqualTo(Instant.parse("2026-01-01T00:00:03.123Z"));
            assertThat(vip.getJson("profile").path("tags").get(0).asText()).isEqualTo("名前");
            // sequences continue after the copied ids
            assertThat(pgDb.fetchOne("INSERT INTO customers (name, joined) VALUES ('new', now()) RETURNING id")
                            .orElseThrow()
                            .getLong("id"))
                    .isEqualTo(501);
            pgDb.execute("DELETE FROM customers WHERE id = 501");
            for (String table : List.of("customers", "orders", "order_lines")) {
                String order = table.equals("order_lines") ? "order_id, sku" : "id";
                assertThat(back.database().orElseThrow().fetchAll("SELECT * FROM " + table + " ORDER BY " + order))
                        .as(table)
                        .isEqualTo(shopDb.fetchAll("SELECT * FROM " + table + " ORDER BY " + order));
            }
        }
    }

    @Test
    void tableModesRefuseMergeAndReplace() {
        try (RecordStore a = Vellum.open(shop("sqlite:" + dir.resolve("ta.db")));
                RecordStore b = Vellum.open(shop("sqlite:" + dir.resolve("tb.db")))) {
            fillShop(a.database().orElseThrow());
            Database target = b.database().orElseThrow();
            target.execute("INSERT INTO customers (id, name, vip, joined) VALUES (1, 'kept', 1, ?)", Instant.EPOCH);
            assertThatThrownBy(() -> Transfer.from(a).to(b).run())
                    .isInstanceOf(TransferException.class)
                    .hasMessageContaining("table 'customers' already holds 1 rows");
            Transfer.Report merged = Transfer.from(a)
                    .to(b)
                    .mode(Transfer.Mode.MERGE)
                    .tables(List.of("customers"))
                    .verify(false)
                    .run();
            assertThat(merged.tables())
                    .singleElement()
                    .satisfies(t -> assertThat(t.copied()).isEqualTo(499));
            assertThat(target.fetchOne("SELECT name FROM customers WHERE id = 1")
                            .orElseThrow()
                            .getString("name"))
                    .isEqualTo("kept");
            Transfer.Report replaced =
                    Transfer.from(a).to(b).mode(Transfer.Mode.REPLACE).run();
            assertThat(replaced.ok()).isTrue();
            assertThat(target.fetchOne("SELECT name FROM customers WHERE id = 1")
                            .orElseThrow()
                            .getString("name"))
                    .isEqualTo("customer 1");
            Transfer.Report resumed =
                    Transfer.from(a).to(b).mode(Transfer.Mode.RESUME).run();
            assertThat(resumed.ok()).isTrue();
            assertThat(resumed.tables()).allMatch(t -> t.copied() == 0);
        }
    }

    private static VellumConfig shop(String url) {
        return VellumConfig.builder()
                .isolated()
                .url(url)
                .migrations("classpath:db/shop")
                .build();
    }

    /** 500 customers, 1,500 orders, 3,000 order lines: booleans, timestamps, JSON, decimals, nulls, Unicode. */
    private static void fillShop(Database db) {
        db.executeMany(
                "INSERT INTO customers (id, name, vip, joined, profile) VALUES (?, ?, ?, ?, ?)",
                IntStream.rangeClosed(1, 500)
                        .mapToObj(i -> new Object[] {
                            i,
                            "customer " + i,
                            i % 3 == 0,
                            Instant.parse("2026-01-01T00:00:00Z").plusMillis(i * 1000L + 123),
                            i % 5 == 0 ? null : Json.of("{\"tags\":[\"名前\",\"t" + i + "\"],\"score\":" + i / 4.0 + "}")
                        })
                        .toList());
        db.executeMany(
                "INSERT INTO orders (id, customer_id, total, placed_at, note) VALUES (?, ?, ?, ?, ?)",
                IntStream.rangeClosed(1, 1500)
                        .mapToObj(i -> new Object[] {
                            i,
                            1 + i % 500,
                            new java.math.BigDecimal(i).movePointLeft(2).add(java.math.BigDecimal.TEN),
                            Instant.parse("2026-02-01T00:00:00Z").plusSeconds(i),
                            i % 4 == 0 ? "gift 🎁 " + i + "\t\\ line\r\nnext \\N" : null
                        })
                        .toList());
        db.executeMany(
                "INSERT INTO order_lines (order_id, sku, quantity) VALUES (?, ?, ?)",
                IntStream.range(0, 3000)
                        .mapToObj(i -> new Object[] {1 + i / 2, "sku-" + (i % 2), 1 + i % 7})
                        .toList());
    }

    @Test
    void refusesANonEmptyTargetUnlessToldHow() {
        try (RecordStore a = Vellum.open("memory:");
                RecordStore b = Vellum.open("memory:")) {
            a.collection("c").insertMany(IntStream.range(0, 10).mapToObj(i -> NewRecord.of("k" + i, Map.of("i", i))));
            b.collection("c").insert("k3", Map.of("mine", true), null);
            b.collection("other").insert("o", Map.of(), null);
            assertThatThrownBy(() -> Transfer.from(a).to(b).run())
                    .isInstanceOf(TransferException.class)
                    .hasMessageContaining("'c' already holds 1 records")
                    .hasMessageContaining("Mode.MERGE");
            assertThat(b.collection("c").count()).isEqualTo(1);

            Transfer.Report merged = Transfer.from(a)
                    .to(b)
                    .mode(Transfer.Mode.MERGE)
                    .verify(false)
                    .run();
            assertThat(merged.collections().get(0).copied()).isEqualTo(9);
            assertThat(merged.collections().get(0).skipped()).isEqualTo(1);
            assertThat(b.collection("c").get("k3").orElseThrow().fields().has("mine"))
                    .isTrue();

            Transfer.Report replaced =
                    Transfer.from(a).to(b).mode(Transfer.Mode.REPLACE).run();
            assertThat(replaced.ok()).isTrue();
            assertThat(b.collection("c").get("k3").orElseThrow().fields().has("mine"))
                    .isFalse();
            assertThat(b.collection("other").count()).isEqualTo(1);
        }
    }

    @Test
    void resumeContinuesAfterTheLastCopiedIdAndVerifyCatchesDifferences() {
        try (RecordStore a = Vellum.open("memory:");
                RecordStore b = Vellum.open("memory:")) {
            a.collection("c")
                    .insertMany(
                            IntStream.range(0, 100).mapToObj(i -> NewRecord.of(String.format("k%03d", i), shape(i))));
            // an interrupted copy: the first 40 ids made it
            b.collection("c")
                    .load(a.collection("c")
                            .find(Query.all().sort("$id").limit(40))
                            .records());
            Transfer.Report resumed = Transfer.from(a)
                    .to(b)
                    .mode(Transfer.Mode.RESUME)
                    .batchSize(25)
                    .run();
            assertThat(resumed.collections().get(0).copied()).isEqualTo(60);
            assertThat(resumed.ok()).isTrue();
            Transfer.Report again =
                    Transfer.from(a).to(b).mode(Transfer.Mode.RESUME).run();
            assertThat(again.collections().get(0).copied()).isZero();
            assertThat(again.ok()).isTrue();

            b.collection("c").patch("k050", Map.of("tampered", true));
            Transfer.Report checked =
                    Transfer.from(a).to(b).mode(Transfer.Mode.RESUME).run();
            assertThat(checked.ok()).isFalse();
            assertThat(checked.collections().get(0).detail()).contains("checksum");
        }
    }

    @Test
    void refusesToCopyADatabaseOntoItself() {
        try (RecordStore a = Vellum.open("memory:");
                RecordStore b = Vellum.open("sqlite:" + dir.resolve("same.db"));
                RecordStore sameFile = Vellum.open("sqlite:" + dir.resolve("same.db"))) {
            a.collection("c").insert("k", Map.of(), null);
            b.collection("c").insert("k", Map.of(), null);
            assertThatThrownBy(() ->
                            Transfer.from(a).to(a).mode(Transfer.Mode.REPLACE).run())
                    .isInstanceOf(TransferException.class)
                    .hasMessageContaining("same database");
            assertThatThrownBy(() -> Transfer.from(b)
                            .to(sameFile)
                            .mode(Transfer.Mode.REPLACE)
                            .run())
                    .isInstanceOf(TransferException.class)
                    .hasMessageContaining("same database");
            assertThat(b.collection("c").count()).isEqualTo(1);
        }
    }

    @Test
    void transformsRenameAddRemoveAndDrop() {
        try (RecordStore a = Vellum.open("memory:");
                RecordStore b = Vellum.open("memory:")) {
            a.collection("users").insert("u1", Map.of("mail", "a@x", "tmp", 1), null);
            a.collection("users").insert("u2", Map.of("mail", "b@x", "skip", true), null);
            Transfer.Report report = Transfer.from(a)
                    .to(b)
                    .transform(Transfer.renameField("mail", "email"))
                    .transform(Transfer.removeField("tmp"))
                    .transform(Transfer.addField("plan", "free"))
                    .transform((collection, r) -> r.fields().has("skip") ? null : r)
                    .run();
            assertThat(report.ok()).isTrue();
            Record u1 = b.collection("users").get("u1").orElseThrow();
            assertThat(u1.fields()).isEqualTo(JsonValues.parse("{\"email\":\"a@x\",\"plan\":\"free\"}"));
            assertThat(b.collection("users").get("u2")).isEmpty();
        }
    }

    @Test
    void loadKeepsEverythingAndIsAllOrNothing() {
        try (RecordStore a = Vellum.open("memory:");
                RecordStore b = Vellum.open("sqlite:" + dir.resolve("l.db"))) {
            Record r = a.collection("c").insert("k", Map.of("x", 1), Map.of("m", 2));
            Record changed = a.collection("c").patch("k", Map.of("y", 2));
            assertThat(b.collection("c").load(List.of(changed))).isEqualTo(1);
            assertThat(b.collection("c").get("k").orElseThrow()).isEqualTo(changed);
            assertThat(changed.createdAt()).isEqualTo(r.createdAt());
            assertThatThrownBy(() -> b.collection("c")
                            .load(List.of(
                                    new Record("new", r.fields(), r.metadata(), 1, r.createdAt(), r.updatedAt()),
                                    changed)))
                    .isInstanceOf(DuplicateRecordException.class);
            assertThat(b.collection("c").get("new")).isEmpty();
        }
    }

    static void assertSame(Collection expected, Collection actual) {
        assertThat(actual.count()).isEqualTo(expected.count());
        try (Stream<Record> a = expected.stream(Query.all());
                Stream<Record> b = actual.stream(Query.all())) {
            Iterator<Record> left = a.iterator();
            Iterator<Record> right = b.iterator();
            while (left.hasNext()) {
                Record l = left.next();
                Record r = right.next();
                // canonical text: a number compares by value whether it was parsed as a double or a decimal
                String want = JsonValues.canonical(l.toJson());
                String got = JsonValues.canonical(r.toJson());
                if (!want.equals(got)) {
                    assertThat(got).isEqualTo(want);
                }
            }
            assertThat(right.hasNext()).isFalse();
        }
    }
}
