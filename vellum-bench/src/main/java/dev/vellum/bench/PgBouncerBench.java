package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.Setting;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PgBouncer;
import dev.vellum.testkit.PostgresServer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * What a transaction-mode PgBouncer in front of PostgreSQL costs: get by id and a small indexed query, with 1 and 32
 * client threads, directly and through PgBouncer, on the same database in the same run. Rounds alternate which path
 * goes first; the table gives the median throughput over the rounds, its spread (lowest–highest), and latency
 * percentiles over every call. Usage: {@code scripts/bench --pgbouncer [--records N] [--rounds N] [--seconds N]}.
 */
final class PgBouncerBench {
    private static final int[] CLIENTS = {1, 32};

    private PgBouncerBench() {
    }

    /** The three ways to reach the server, in the order of the table's columns. */
    private static final List<String> PATHS = List.of("direct", "direct, PgBouncer mode", "through PgBouncer");

    static void run(int records, int rounds, double seconds) throws Exception {
        if (PgBouncer.binary().isEmpty()) {
            System.err.println("vellum-bench: pgbouncer is not installed; install it with: " + PgBouncer.INSTALL);
            System.exit(2);
        }
        PostgresTarget database = PostgresServer.shared().createDatabase();
        PgBouncer bouncer = PgBouncer.shared("transaction");
        String direct = database.toUrlWithCredentials();
        List<Row> rows = new ArrayList<>();
        // the middle path is direct but configured as behind PgBouncer (no server-side prepared statements, no
        // session settings): it splits PgBouncer's cost into what the mode costs and what the extra hop costs
        try (RecordStore directStore = Vellum.open(config(direct).build());
             RecordStore directModeStore = Vellum.open(config(direct).pgbouncer(true).build());
             RecordStore pooledStore = Vellum.open(config(bouncer.through(database).toUrlWithCredentials())
                     .pgbouncer(true).set(Setting.MIGRATION_URL.key(), direct).build())) {
            System.err.printf("pgbouncer: loading %,d records...%n", records);
            Collection loaded = directStore.collection("bench");
            loaded.insertMany(IntStream.range(0, records).mapToObj(i -> new NewRecord(VellumBench.id(i),
                    VellumBench.document(i), null)));
            loaded.createIndex("by_city", "city");
            List<Collection> paths = List.of(loaded, directModeStore.collection("bench"),
                    pooledStore.collection("bench"));
            // the arguments are made before timing starts: only Vellum and the path to the server are measured
            String[] ids = IntStream.range(0, records).mapToObj(VellumBench::id).toArray(String[]::new);
            Query[] queries = IntStream.range(0, 1000)
                    .mapToObj(c -> Query.where(Filter.eq("city", "city" + c)).limit(10)).toArray(Query[]::new);
            for (int clients : CLIENTS) {
                rows.add(measure("get by id", clients, rounds, seconds, paths.stream()
                        .map(c -> (IntConsumer) k -> c.get(ids[k % records]).orElseThrow()).toList()));
                rows.add(measure("find eq city, limit 10", clients, rounds, seconds, paths.stream()
                        .map(c -> (IntConsumer) k -> c.find(queries[k % 1000])).toList()));
            }
        } finally {
            bouncer.close();
            PostgresServer.shared().close();
        }
        print(rows, records, rounds, seconds);
    }

    private static VellumConfig.Builder config(String url) {
        return VellumConfig.builder().isolated().url(url).poolMax(32);
    }

    /** One operation at one client count on every path; each round starts with a different path. */
    private static Row measure(String operation, int clients, int rounds, double seconds, List<IntConsumer> paths)
            throws InterruptedException {
        System.err.printf("pgbouncer: %s, %d client(s), %d rounds...%n", operation, clients, rounds);
        List<List<Burst>> runs = new ArrayList<>();
        for (IntConsumer path : paths) {
            burst(clients, Math.min(seconds, 1), path); // warm-up: JIT, pools, caches
            runs.add(new ArrayList<>());
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < paths.size(); i++) {
                int p = (r + i) % paths.size();
                runs.get(p).add(burst(clients, seconds, paths.get(p)));
            }
        }
        return new Row(operation, clients, runs.stream().map(Summary::of).toList());
    }

    /** {@code clients} threads calling {@code call} back to back for {@code seconds}; every call timed. */
    private static Burst burst(int clients, double seconds, IntConsumer call) throws InterruptedException {
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[] window = new long[2];
        for (int t = 0; t < clients; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    call.accept(random.nextInt(Integer.MAX_VALUE));
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = System.nanoTime() - t0;
                }
                latencies[thread] = mine;
                counts[thread] = n;
            });
            worker.start();
            threads.add(worker);
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < clients; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        return new Burst(total / elapsed, all);
    }

    private record Burst(double perSecond, long[] latencies) {
    }

    /** Median and spread of the rounds' throughput; percentiles over every call of every round. */
    private record Summary(double median, double low, double high, double p50, double p99) {
        static Summary of(List<Burst> runs) {
            double[] rates = runs.stream().mapToDouble(Burst::perSecond).sorted().toArray();
            long[] all = runs.stream().flatMapToLong(b -> Arrays.stream(b.latencies())).sorted().toArray();
            double median = rates.length % 2 == 1 ? rates[rates.length / 2]
                    : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
            return new Summary(median, rates[0], rates[rates.length - 1], all[all.length / 2] / 1e6,
                    all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6);
        }

        String throughput() {
            return String.format(Locale.ROOT, "%,.0f ops/s (%,.0f–%,.0f)", median, low, high);
        }
    }

    private record Row(String operation, int clients, List<Summary> paths) {
    }

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(Locale.ROOT, "%nPgBouncer (transaction mode, %d server connections) vs direct, same database, "
                        + "same run: %,d records, Vellum pool of 32, %d rounds of %.0f s per path (%s, %d cores, "
                        + "Java %s)%n", PgBouncer.POOL_SIZE, records, rounds, seconds, System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("Throughput: median over the rounds (lowest–highest); ratio: through PgBouncer ÷ direct; "
                + "latency p50 / p99 over every call.");
        StringBuilder header = new StringBuilder("| operation | clients |");
        StringBuilder line = new StringBuilder("|---|---|");
        for (String path : PATHS) {
            header.append(' ').append(path).append(" |");
            line.append("---|");
        }
        System.out.println(header + " ratio |");
        System.out.println(line + "---|");
        for (Row r : rows) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %d |", r.operation(),
                    r.clients()));
            for (Summary path : r.paths()) {
                row.append(' ').append(path.throughput()).append(String.format(Locale.ROOT,
                        "; %.3f / %.3f ms |", path.p50(), path.p99()));
            }
            row.append(String.format(Locale.ROOT, " %.2f |",
                    r.paths().get(2).median() / r.paths().get(0).median()));
            System.out.println(row);
        }
    }
}
