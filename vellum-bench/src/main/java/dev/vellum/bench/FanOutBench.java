package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.server.ServerSettings;
import dev.vellum.server.VellumServer;
import dev.vellum.testkit.EventStreamReaders;
import dev.vellum.testkit.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Change-feed fan-out over HTTP: many SSE streams on one collection of {@code vellum serve} while records are written
 * at a steady rate, and how long each change takes from its write's call to each stream (one JVM, one clock; the
 * streams are read by plain sockets on one thread, so the client's CPU goes to reading, not to parsing). A single stream runs first as the reference. Usage: {@code scripts/bench --fanout [--streams N (1000)] [--rate N
 * writes/s (100)] [--seconds N (20)] [--backends postgres,sqlite]}.
 */
final class FanOutBench {
    /** Delivery lags are counted in 1 ms buckets up to this; later ones in the last. */
    private static final int BUCKETS = 30_000;

    private FanOutBench() {}

    private record Row(
            String backend, int streams, int rate, long delivered, long expected, double p50, double p99, double max) {}

    static void run(List<String> backends, int streams, int rate, double seconds) throws Exception {
        List<Row> rows = new ArrayList<>();
        Path dir = Load.scratchDirectory("vellum-fanout-bench");
        for (String backend : backends) {
            for (int n : new int[] {1, streams}) {
                String url = Load.storeUrl(backend, dir, "fanout-" + n + ".db");
                System.err.printf("fan-out: %s, %,d stream(s), %d writes/s for %.0f s...%n", backend, n, rate, seconds);
                rows.add(once(backend, url, n, rate, seconds));
            }
        }
        System.out.printf("%nChange-feed fan-out: SSE streams on one collection, records written at a steady rate; "
                + "delay from each write's call to each stream's event (ms)%n");
        System.out.printf(
                "%-9s %8s %8s %12s %12s %8s %8s %8s%n",
                "backend", "streams", "writes/s", "delivered", "expected", "p50", "p99", "max");
        for (Row r : rows) {
            System.out.printf(
                    "%-9s %8d %8d %,12d %,12d %8.1f %8.1f %8.1f%n",
                    r.backend, r.streams, r.rate, r.delivered, r.expected, r.p50, r.p99, r.max);
        }
        PostgresServer.shared().close();
    }

    private static Row once(String backend, String url, int streams, int rate, double seconds) throws Exception {
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .url(url)
                .poolMax(32)
                .set("VELLUM_HTTP_PORT", "0")
                .set("VELLUM_HTTP_MAX_CONCURRENT", Integer.toString(streams + 64))
                .set("VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT", "0")
                .build();
        try (RecordStore store = Vellum.open(config);
                VellumServer server = VellumServer.configure()
                        .store(store)
                        .settings(ServerSettings.from(config))
                        .start()) {
            Collection c = store.collection("fan");
            c.enableChanges();
            String start = c.changes().now();
            Map<String, Long> started = new ConcurrentHashMap<>();
            AtomicLongArray lags = new AtomicLongArray(BUCKETS + 1);
            AtomicLong delivered = new AtomicLong();
            AtomicLong maxLag = new AtomicLong();
            AtomicBoolean measuring = new AtomicBoolean();
            String path = "/v1/collections/fan/changes?after=" + start;
            EventStreamReaders readers = new EventStreamReaders(server.port(), path, streams, (stream, id) -> {
                long now = System.nanoTime();
                Long written = started.get(id);
                if (written == null || !measuring.get()) {
                    return;
                }
                long millis = Math.max(0, (now - written) / 1_000_000);
                lags.incrementAndGet((int) Math.min(millis, BUCKETS));
                maxLag.accumulateAndGet(now - written, Math::max);
                delivered.incrementAndGet();
            });
            readers.awaitOpen(Duration.ofSeconds(60));
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
            AtomicLong sequence = new AtomicLong();
            AtomicLong measured = new AtomicLong();
            writer.scheduleAtFixedRate(
                    () -> {
                        String id = "w" + sequence.incrementAndGet();
                        boolean counted = measuring.get();
                        started.put(id, System.nanoTime()); // before the write: its event cannot come sooner
                        c.insert(id, Map.of("n", 1), null);
                        if (counted) {
                            measured.incrementAndGet();
                        }
                    },
                    0,
                    1_000_000 / rate,
                    TimeUnit.MICROSECONDS);
            Thread.sleep(3_000); // warm-up
            measuring.set(true);
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            writer.shutdown();
            writer.awaitTermination(10, TimeUnit.SECONDS);
            Thread.sleep(2_000); // the last deliveries
            readers.close();
            return new Row(
                    backend,
                    streams,
                    rate,
                    delivered.get(),
                    measured.get() * streams,
                    percentile(lags, 0.50),
                    percentile(lags, 0.99),
                    maxLag.get() / 1e6);
        }
    }

    private static double percentile(AtomicLongArray buckets, double p) {
        long total = 0;
        for (int i = 0; i < buckets.length(); i++) {
            total += buckets.get(i);
        }
        long seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= Math.ceil(total * p)) {
                return i;
            }
        }
        return Double.NaN;
    }
}
