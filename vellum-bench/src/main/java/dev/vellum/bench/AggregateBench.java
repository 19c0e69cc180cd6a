package dev.vellum.bench;

import dev.vellum.Accumulator;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.RecordStore;
import dev.vellum.Update;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.spi.RecordTable;
import dev.vellum.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Aggregations and field operators beside the hand-written SQL a developer would write for the same answer, on the
 * same table in the same run (one JDBC connection, a statement prepared per call as in RawJdbc, the results read into
 * Java values), rounds alternating which goes first. Usage: {@code scripts/bench --aggregate [--records N] [--rounds N]
 * [--seconds N]}.
 */
final class AggregateBench {
    private AggregateBench() {}

    private record Row(String backend, String operation, Load.Summary raw, Load.Summary vellum) {}

    static void run(List<String> backends, int records, int rounds, double seconds) throws Exception {
        List<Row> rows = new ArrayList<>();
        Path dir = Load.scratchDirectory("vellum-aggregate-bench");
        for (String backend : backends) {
            boolean postgres = backend.equals("postgres");
            String url = Load.storeUrl(backend, dir, "aggregate.db");
            try (RecordStore store = Vellum.open(
                            VellumConfig.builder().isolated().url(url).build());
                    Connection jdbc = connect(postgres, url)) {
                Collection people = store.collection("people");
                System.err.printf("aggregate: %s, loading %,d records...%n", backend, records);
                people.insertMany(IntStream.range(0, records)
                        .mapToObj(i -> new NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
                people.createIndex("by_city", "city");
                String table = RecordTable.name("people");
                // the hand-written queries get the natural index on their own expression
                try (java.sql.Statement ddl = jdbc.createStatement()) {
                    ddl.execute("CREATE INDEX raw_city ON " + table
                            + (postgres ? " ((fields->>'city'))" : " (json_extract(fields, '$.city'))"));
                }

                Map<String, Accumulator> countAndAvg = new LinkedHashMap<>();
                countAndAvg.put("n", Accumulator.count());
                countAndAvg.put("avgAge", Accumulator.avg("age"));
                String byCity = postgres
                        ? "SELECT fields->>'city', count(*), avg((fields->>'age')::numeric) FROM " + table
                                + " GROUP BY 1 ORDER BY 1"
                        : "SELECT json_extract(fields, '$.city'), count(*), avg(json_extract(fields, '$.age')) FROM "
                                + table + " GROUP BY 1 ORDER BY 1";
                rows.add(measure(
                        backend,
                        "group by city (1,000 groups): count, avg",
                        rounds,
                        seconds,
                        k -> drain(jdbc, byCity, 3),
                        k -> people.aggregate(Filter.all(), List.of("city"), countAndAvg)));

                Map<String, Accumulator> sumAndMax = new LinkedHashMap<>();
                sumAndMax.put("total", Accumulator.sum("score"));
                sumAndMax.put("oldest", Accumulator.max("age"));
                String oneCity = postgres
                        ? "SELECT fields->>'bucket', sum((fields->>'score')::numeric), max((fields->>'age')::numeric) "
                                + "FROM " + table + " WHERE fields->>'city' = ? GROUP BY 1 ORDER BY 1"
                        : "SELECT json_extract(fields, '$.bucket'), sum(json_extract(fields, '$.score')), "
                                + "max(json_extract(fields, '$.age')) FROM " + table
                                + " WHERE json_extract(fields, '$.city') = ? "
                                + "GROUP BY 1 ORDER BY 1";
                rows.add(measure(
                        backend,
                        "one city (index), group by bucket: sum, max",
                        rounds,
                        seconds,
                        k -> drain(jdbc, oneCity, 3, "city" + k % 1000),
                        k -> people.aggregate(Filter.eq("city", "city" + k % 1000), List.of("bucket"), sumAndMax)));

                String inc = postgres
                        ? "UPDATE " + table
                                + " SET fields = jsonb_set(fields, '{age}', to_jsonb((fields->>'age')::numeric"
                                + " + 1)), version = version + 1, updated_at = now() WHERE id = ? RETURNING fields, version"
                        : "UPDATE " + table
                                + " SET fields = json_set(fields, '$.age', json_extract(fields, '$.age') + 1), "
                                + "version = version + 1, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE id = ? "
                                + "RETURNING fields, version";
                Update plusOne = Update.fields().inc("age", 1);
                rows.add(measure(
                        backend,
                        "$inc one field of one record by id, answering the record",
                        rounds,
                        seconds,
                        k -> {
                            try (PreparedStatement statement = jdbc.prepareStatement(inc)) {
                                statement.setString(1, VellumBench.id(k % records));
                                try (ResultSet rs = statement.executeQuery()) { // the new fields, as patch answers them
                                    rs.next();
                                    VellumJson.parse(rs.getString(1));
                                    // to the statement's end, as Vellum reads it: SQLite runs its automatic WAL
                                    // checkpoint only for a statement stepped to its end, so one closed after its row
                                    // commits but leaves the WAL growing, and the checkpoint to the next writer (the
                                    // other side's rounds: measured, a 35,000-frame WAL and a 140 ms first write)
                                    rs.next();
                                }
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        k -> people.patch(VellumBench.id(k % records), plusOne)));
            }
        }
        print(rows, records, rounds, seconds);
        PostgresServer.shared().close();
    }

    private static Row measure(
            String backend, String operation, int rounds, double seconds, IntConsumer raw, IntConsumer vellum)
            throws InterruptedException {
        System.err.printf("aggregate: %s, %s...%n", backend, operation);
        List<Load.Summary> s = Load.rounds(1, rounds, seconds, List.of(raw, vellum));
        return new Row(backend, operation, s.get(0), s.get(1));
    }

    /**
     * Prepares the query, runs it and reads every column of every row, as an application's method would (and as
     * {@link RawJdbc} does): a statement per call, which pgjdbc prepares on the server once per connection and SQLite
     * compiles each time, as it does for Vellum.
     */
    private static void drain(Connection jdbc, String sql, int columns, String... params) {
        try (PreparedStatement statement = jdbc.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setString(i + 1, params[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    for (int c = 1; c <= columns; c++) {
                        rs.getString(c);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect(boolean postgres, String url) throws SQLException {
        if (!postgres) {
            Connection c = DriverManager.getConnection("jdbc:" + url);
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout=30000");
                s.execute("PRAGMA synchronous=NORMAL"); // as Vellum's connections (and RawJdbc) commit in WAL mode
            }
            return c;
        }
        PostgresTarget target = PostgresTarget.parse(url, "url");
        Properties props = new Properties();
        props.setProperty("user", target.user());
        if (target.password() != null) {
            props.setProperty("password", target.password());
        }
        return DriverManager.getConnection(target.jdbcUrl(), props);
    }

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nAggregations and field operators beside hand-written SQL, %,d records, 1 client, "
                        + "%d rounds of %.0f s per side (%s, %d cores, Java %s)%n",
                records,
                rounds,
                seconds,
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println(
                "| backend | operation | hand-written SQL | Vellum | cost (SQL ÷ Vellum throughput) | target |");
        System.out.println("|---|---|---|---|---|---|");
        for (Row r : rows) {
            double cost = r.raw().median() / r.vellum().median();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s; p50 %.3f ms | %s; p50 %.3f ms | %.2f× | ≤ 1.25× %s |%n",
                    r.backend(),
                    r.operation(),
                    r.raw().throughput(),
                    r.raw().p50(),
                    r.vellum().throughput(),
                    r.vellum().p50(),
                    cost,
                    cost <= 1.25 ? "✓" : "✗");
        }
    }
}
