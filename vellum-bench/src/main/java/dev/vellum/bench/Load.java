package dev.vellum.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;

/** Client threads calling an operation back to back for a while, every call timed; medians over rounds. */
final class Load {
    private Load() {}

    /** {@code clients} threads calling {@code call} back to back for {@code seconds}; every call timed. */
    static Burst burst(int clients, double seconds, IntConsumer call) throws InterruptedException {
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

    record Burst(double perSecond, long[] latencies) {}

    /** Median and spread of the rounds' throughput; percentiles over every call of every round. */
    record Summary(double median, double low, double high, double p50, double p99) {
        static Summary of(List<Burst> runs) {
            double[] rates =
                    runs.stream().mapToDouble(Burst::perSecond).sorted().toArray();
            long[] all = runs.stream()
                    .flatMapToLong(b -> Arrays.stream(b.latencies()))
                    .sorted()
                    .toArray();
            return new Summary(
                    Load.median(rates),
                    rates[0],
                    rates[rates.length - 1],
                    all[all.length / 2] / 1e6,
                    all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6);
        }

        String throughput() {
            return String.format(Locale.ROOT, "%,.0f ops/s (%,.0f–%,.0f)", median, low, high);
        }
    }

    /**
     * Each path warmed up, then {@code rounds} rounds in which every path runs for {@code seconds}, each round
     * starting with the next path, so drift in the machine's speed falls on all alike; a summary per path.
     */
    static List<Summary> rounds(int clients, int rounds, double seconds, List<IntConsumer> paths)
            throws InterruptedException {
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
        return runs.stream().map(Summary::of).toList();
    }

    /** The median of the values (the mean of the middle two when their number is even). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** A scratch directory for a benchmark's SQLite files, deleted when the benchmark exits. */
    static java.nio.file.Path scratchDirectory(String prefix) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // a scratch file left behind in the temp directory
            }
        }));
        return dir;
    }

    /**
     * The store URL of a backend for a benchmark: memory; SQLite in a file of {@code dir}; PostgreSQL at
     * VELLUM_BENCH_POSTGRES_URL (when set and not blank), or a new database on the throwaway server.
     */
    static String storeUrl(String backend, java.nio.file.Path dir, String file) {
        switch (backend) {
            case "memory":
                return "memory:";
            case "sqlite":
                return "sqlite:" + dir.resolve(file);
            default:
                String external = System.getenv("VELLUM_BENCH_POSTGRES_URL");
                return (external == null || external.isBlank()
                                ? dev.vellum.testkit.PostgresServer.shared().createDatabase()
                                : dev.vellum.postgres.PostgresTarget.parse(external, "VELLUM_BENCH_POSTGRES_URL"))
                        .toUrlWithCredentials();
        }
    }
}
