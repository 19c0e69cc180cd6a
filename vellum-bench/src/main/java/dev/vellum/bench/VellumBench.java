package dev.vellum.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import dev.vellum.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Vellum beside raw JDBC doing the same SQL work, in the same run, on SQLite and PostgreSQL. Prints one table with
 * the ratio of each pair. Usage: {@code java -jar vellum-bench.jar [--records N] [--ops N] [--backends sqlite,postgres]}.
 * PostgreSQL: the server at VELLUM_BENCH_POSTGRES_URL, or a throwaway one. With {@code --pgbouncer}, PostgreSQL through
 * a transaction-mode PgBouncer beside a direct connection instead ({@link PgBouncerBench}); with {@code --nodes},
 * several application nodes over one server ({@link ScaleBench}); with {@code --replicas}, a store with a
 * streaming replica beside one without ({@link ReplicaBench}).
 */
public final class VellumBench {
    private VellumBench() {}

    public static void main(String[] args) throws Exception {
        int records = 0;
        int ops = 20_000;
        int rounds = 5;
        double seconds = 3;
        boolean pgbouncer = false;
        boolean nodes = false;
        boolean replicas = false;
        boolean feed = false;
        boolean typed = false;
        boolean aggregate = false;
        boolean fanout = false;
        boolean http = false;
        List<Integer> connections = List.of(1, 32, 256);
        int streams = 1000;
        int rate = 100;
        List<String> backends = List.of("sqlite", "postgres");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--backends" -> backends = List.of(args[++i].split(","));
                case "--pgbouncer" -> pgbouncer = true;
                case "--nodes" -> nodes = true;
                case "--replicas" -> replicas = true;
                case "--feed" -> feed = true;
                case "--typed" -> typed = true;
                case "--aggregate" -> aggregate = true;
                case "--fanout" -> fanout = true;
                case "--http" -> http = true;
                case "--connections" ->
                    connections = java.util.Arrays.stream(args[++i].split(","))
                            .map(Integer::valueOf)
                            .toList();
                case "--streams" -> streams = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("usage: vellum-bench [--records N] [--ops N] [--backends sqlite,postgres]\n"
                            + "       vellum-bench --pgbouncer|--nodes|--replicas [--records N] [--rounds N] [--seconds N]\n"
                            + "       vellum-bench --feed|--typed|--aggregate [--records N] [--rounds N] [--seconds N] "
                            + "[--backends ...]\n"
                            + "       vellum-bench --fanout [--streams N] [--rate N] [--seconds N] [--backends ...]\n"
                            + "       vellum-bench --http [--records N] [--rounds N] [--seconds N] [--backends ...] "
                            + "[--connections 1,32,256]");
                    System.exit(2);
                }
            }
        }
        if (fanout) {
            FanOutBench.run(
                    args.length > 0 && List.of(args).contains("--backends") ? backends : List.of("postgres"),
                    streams,
                    rate,
                    args.length > 0 && List.of(args).contains("--seconds") ? seconds : 20);
            return;
        }
        if (http) {
            List<String> given = List.of(args);
            HttpBench.run(
                    backends,
                    records > 0 ? records : 100_000,
                    given.contains("--rounds") ? rounds : 3,
                    given.contains("--seconds") ? seconds : 5,
                    connections);
            return;
        }
        if (pgbouncer) {
            PgBouncerBench.run(records > 0 ? records : 100_000, rounds, seconds);
            return;
        }
        if (nodes) {
            ScaleBench.run(records > 0 ? records : 100_000, rounds, seconds);
            return;
        }
        if (aggregate) {
            AggregateBench.run(backends, records > 0 ? records : 100_000, rounds, seconds);
            return;
        }
        if (typed) {
            TypedBench.run(backends, records > 0 ? records : 100_000, rounds, seconds);
            return;
        }
        if (feed) {
            FeedBench.run(
                    args.length > 0 && List.of(args).contains("--backends")
                            ? backends
                            : List.of("memory", "sqlite", "postgres"),
                    records > 0 ? records : 50_000,
                    rounds,
                    seconds);
            return;
        }
        if (replicas) {
            ReplicaBench.run(records > 0 ? records : 100_000, rounds, seconds);
            return;
        }
        records = records > 0 ? records : 1_000_000;
        List<Result> results = new ArrayList<>();
        Path dir = Load.scratchDirectory("vellum-bench");
        for (String backend : backends) {
            String url = Load.storeUrl(backend, dir, "bench.db");
            System.err.printf("%s: %,d records, %,d point operations...%n", backend, records, ops);
            try (RecordStore store = Vellum.open(
                            VellumConfig.builder().isolated().url(url).build());
                    RawJdbc raw = RawJdbc.open(backend, url)) {
                results.addAll(run(backend, store, raw, records, ops));
            }
        }
        print(results, records);
        PostgresServer.shared().close();
    }

    /** One measured pair: Vellum and raw JDBC doing the same work. */
    record Result(
            String backend,
            String operation,
            String unit,
            double vellum,
            double raw,
            boolean higherIsBetter,
            double target,
            String detail) {
        /** Vellum over raw: throughput (higher is better) or latency (lower is better). */
        double ratio() {
            return vellum / raw;
        }

        boolean meets() {
            return higherIsBetter ? ratio() >= target : ratio() <= target;
        }

        String targetText() {
            if (target <= 0) {
                return "—";
            }
            return String.format(Locale.ROOT, "%s %.2f %s", higherIsBetter ? "≥" : "≤", target, meets() ? "✓" : "✗");
        }
    }

    static ObjectNode document(int i) {
        ObjectNode d = VellumJson.nodes().objectNode();
        d.put("name", "user" + i);
        d.put("email", "user" + i + "@example.com");
        d.put("age", 18 + i % 80);
        d.put("city", "city" + i % 1000);
        d.put("bucket", i % 10);
        d.put("score", (i % 1000) / 10.0);
        d.putArray("tags").add("t" + i % 7).add("t" + i % 13);
        d.put("bio", BIO.substring(i % 50, i % 50 + 150));
        return d;
    }

    private static final String BIO =
            ("Vellum keeps JSON records in SQLite or PostgreSQL and answers the same query the " + "same way on both. ")
                    .repeat(4);

    static String id(int i) {
        return String.format("u%08d", i);
    }

    private static List<Result> run(String backend, RecordStore store, RawJdbc raw, int n, int ops) throws Exception {
        List<Result> results = new ArrayList<>();
        Collection c = store.collection("bench");

        // bulk insert, each load into its own empty table, in the order raw, Vellum, Vellum, raw: a one-off stall
        // or a drift in the machine's speed (a checkpoint, other load) falls on both alike
        Collection spare = store.collection("bench_spare");
        raw.createTable("raw_spare");
        double rawSeconds = seconds(() -> raw.bulkInsert("raw_records", n));
        double vellumSeconds = seconds(() -> load(c, n)) + seconds(() -> load(spare, n));
        rawSeconds += seconds(() -> raw.bulkInsert("raw_spare", n));
        store.dropCollection("bench_spare");
        raw.dropTable("raw_spare");
        results.add(new Result(
                backend,
                "bulk insert " + String.format("%,d", n),
                "records/s",
                2 * n / vellumSeconds,
                2 * n / rawSeconds,
                true,
                0.8,
                "two loads each"));

        raw.createIndexes();
        c.createIndex("by_city", "city");
        c.createIndex("by_age", "age");
        raw.analyze();

        java.util.Random random = new java.util.Random(7);
        int[] picks = random.ints(ops + 200, 0, n).toArray();

        Latencies[] get = Latencies.pair(
                ops, k -> raw.get(id(picks[k])), k -> c.get(id(picks[k])).orElseThrow());
        results.add(new Result(
                backend,
                "get by id",
                "ops/s",
                get[1].perSecond(),
                get[0].perSecond(),
                true,
                0.8,
                "p50 " + get[1].p50() + " / " + get[0].p50() + ", p99 " + get[1].p99() + " / " + get[0].p99()));

        int queries = Math.max(200, ops / 10);
        Latencies[] eq = Latencies.pair(
                queries,
                k -> raw.eqCity("city" + picks[k] % 1000),
                k -> c.find(Query.where(Filter.eq("city", "city" + picks[k] % 1000))));
        results.add(latency(backend, "eq on indexed path (limit 100)", eq[1], eq[0]));

        Latencies[] range = Latencies.pair(
                queries,
                k -> raw.ageRange(18 + picks[k] % 70, 18 + picks[k] % 70 + 5),
                k -> c.find(Query.where(Filter.between("age", 18 + picks[k] % 70, 18 + picks[k] % 70 + 5))
                        .sort("age")
                        .limit(100)));
        results.add(latency(backend, "range + sort + limit 100", range[1], range[0]));

        Latencies[] count = Latencies.pair(
                queries,
                k -> raw.countCity("city" + picks[k] % 1000),
                k -> c.count(Filter.eq("city", "city" + picks[k] % 1000)));
        results.add(latency(backend, "count on a filter", count[1], count[0]));

        // each call replaces a different record, at the version it is known to have
        int writes = Math.min(n / 2 - 200, Math.max(500, ops / 4));
        Latencies[] replace = Latencies.pair(
                writes,
                k -> raw.replace(id(2 * k), document(k + 1), 1),
                k -> c.replace(id(2 * k + 1), document(k + 1), 1).version());
        results.add(new Result(
                backend,
                "replace with expected version",
                "ops/s",
                replace[1].perSecond(),
                replace[0].perSecond(),
                true,
                0,
                ""));

        Latencies[] update = Latencies.pair(
                6,
                k -> raw.updateBucket(k % 10, k),
                k -> c.updateMany(Filter.eq("bucket", k % 10), VellumJson.parse("{\"flag\":" + k + "}")));
        results.add(new Result(
                backend,
                "updateMany over 10%",
                "ms (mean)",
                update[1].meanMillis(),
                update[0].meanMillis(),
                false,
                0,
                ""));
        return results;
    }

    private static Result latency(String backend, String operation, Latencies vellum, Latencies raw) {
        return new Result(
                backend,
                operation,
                "ms (mean)",
                vellum.meanMillis(),
                raw.meanMillis(),
                false,
                1.25,
                "p50 " + vellum.p50() + " / " + raw.p50());
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double seconds(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static void load(Collection c, int n) {
        c.insertMany(java.util.stream.IntStream.range(0, n).mapToObj(i -> new NewRecord(id(i), document(i), null)));
    }

    private static void print(List<Result> results, int records) {
        System.out.printf(
                Locale.ROOT,
                "%nVellum vs raw JDBC, same SQL work, same run (%s, %d cores, Java %s)%n",
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("| backend | operation | Vellum | raw JDBC | ratio | target | notes |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s %s | %s %s | %.2f | %s | %s |%n",
                    r.backend(),
                    r.operation(),
                    format(r.vellum()),
                    r.unit(),
                    format(r.raw()),
                    r.unit(),
                    r.ratio(),
                    r.targetText(),
                    r.detail());
        }
    }

    private static String format(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.3f", value);
    }
}
