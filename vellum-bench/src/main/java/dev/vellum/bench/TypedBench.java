package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.TypedCollection;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.PostgresServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * What typed collections cost over the JSON records they map: get by id and a 10-record query through
 * {@code store.collection(name, Type.class)} beside the same calls on the untyped collection, same store and run,
 * rounds alternating which goes first. Usage: {@code scripts/bench --typed [--records N] [--rounds N] [--seconds N]}.
 */
final class TypedBench {
    /** The bench document ({@link VellumBench#document}) as a Java record. */
    record Person(
            String id,
            String name,
            String email,
            int age,
            String city,
            int bucket,
            BigDecimal score,
            List<String> tags,
            String bio) {}

    /** A row of bench_rows as a Java record (columns matched by name, full_name → fullName). */
    record PersonRow(long id, String fullName, int age, String city) {}

    private TypedBench() {}

    private record Row(String backend, String operation, Load.Summary untyped, Load.Summary typed) {}

    static void run(List<String> backends, int records, int rounds, double seconds) throws Exception {
        List<Row> rows = new ArrayList<>();
        Path dir = Load.scratchDirectory("vellum-typed-bench");
        for (String backend : backends) {
            String url = Load.storeUrl(backend, dir, "typed.db");
            try (RecordStore store =
                    Vellum.open(VellumConfig.builder().isolated().url(url).build())) {
                Collection plain = store.collection("people");
                System.err.printf("typed: %s, loading %,d records...%n", backend, records);
                plain.insertMany(IntStream.range(0, records)
                        .mapToObj(i -> new NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
                plain.createIndex("by_city", "city");
                TypedCollection<Person> typed = store.collection("people", Person.class);
                String[] ids =
                        IntStream.range(0, records).mapToObj(VellumBench::id).toArray(String[]::new);
                System.err.printf("typed: %s, get by id...%n", backend);
                List<Load.Summary> get = Load.rounds(
                        1,
                        rounds,
                        seconds,
                        List.of(
                                k -> plain.get(ids[k % records]).orElseThrow(),
                                k -> typed.get(ids[k % records]).orElseThrow()));
                rows.add(new Row(backend, "get by id", get.get(0), get.get(1)));
                System.err.printf("typed: %s, find 10...%n", backend);
                List<Load.Summary> find = Load.rounds(
                        1,
                        rounds,
                        seconds,
                        List.of(
                                k -> plain.find(query(k)).records(),
                                k -> typed.find(query(k)).records()));
                rows.add(new Row(backend, "find eq city, limit 10", find.get(0), find.get(1)));

                // the SQL layer: 100 rows as Row maps, or mapped to a Java record by column name
                dev.vellum.Database db = store.database().orElseThrow();
                db.execute("CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, full_name TEXT, age BIGINT, city TEXT)");
                db.executeMany(
                        "INSERT INTO bench_rows VALUES (?, ?, ?, ?)",
                        IntStream.range(0, 10_000)
                                .mapToObj(i -> new Object[] {i, "user" + i, 18 + i % 80, "city" + i % 1000})
                                .toList());
                String sql = "SELECT id, full_name, age, city FROM bench_rows WHERE id >= ? ORDER BY id LIMIT 100";
                System.err.printf("typed: %s, fetchAll 100 rows...%n", backend);
                List<Load.Summary> fetch = Load.rounds(
                        1,
                        rounds,
                        seconds,
                        List.of(
                                k -> db.fetchAll(sql, k % 9_900).forEach(r -> r.getString("full_name")),
                                k -> db.fetchAll(sql, PersonRow.class, k % 9_900)
                                        .forEach(PersonRow::fullName)));
                rows.add(new Row(backend, "SQL fetchAll 100 rows: Row vs mapTo(record)", fetch.get(0), fetch.get(1)));
            }
        }
        print(rows, records, rounds, seconds);
        PostgresServer.shared().close();
    }

    private static Query query(int k) {
        return Query.where(Filter.eq("city", "city" + k % 1000)).limit(10);
    }

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nTyped collections: the same calls typed (a Java record of the document) and "
                        + "untyped, %,d records, 1 client, %d rounds of %.0f s per side (%s, %d cores, Java %s)%n",
                records,
                rounds,
                seconds,
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println(
                "| backend | operation | untyped | typed | typed cost (untyped ÷ typed throughput) | target |");
        System.out.println("|---|---|---|---|---|---|");
        for (Row r : rows) {
            double cost = r.untyped().median() / r.typed().median();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s; p50 %.3f ms | %s; p50 %.3f ms | %.2f× | ≤ 1.20× %s |%n",
                    r.backend(),
                    r.operation(),
                    r.untyped().throughput(),
                    r.untyped().p50(),
                    r.typed().throughput(),
                    r.typed().p50(),
                    cost,
                    cost <= 1.2 ? "✓" : "✗");
        }
    }
}
