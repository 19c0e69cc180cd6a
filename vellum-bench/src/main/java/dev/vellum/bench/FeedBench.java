package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.NewRecord;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.PostgresServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * What the change feed costs and how fast it delivers, per backend, in one run: writes to a collection with the feed
 * on beside the same writes to one with it off (rounds alternating which goes first), bulk loads likewise, and the
 * time from a write's return (its commit) to a subscriber on a second store over the same database receiving it.
 * Usage: {@code scripts/bench --feed [--records N] [--rounds N] [--seconds N] [--backends memory,sqlite,postgres]}.
 */
final class FeedBench {
    private static final int[] CLIENTS = {1, 16};
    private static final int DELIVERIES = 400;

    private FeedBench() {}

    private record Row(String backend, String operation, String off, String on, double ratio, String target) {}

    static void run(List<String> backends, int records, int rounds, double seconds) throws Exception {
        List<Row> rows = new ArrayList<>();
        Path dir = Load.scratchDirectory("vellum-feed-bench");
        for (String backend : backends) {
            String url = Load.storeUrl(backend, dir, "feed.db");
            VellumConfig config =
                    VellumConfig.builder().isolated().url(url).poolMax(32).build();
            try (RecordStore store = Vellum.open(config)) {
                if (!backend.equals("memory")) { // the memory store would hold every record written: no load runs
                    rows.addAll(writes(backend, store, records, rounds, seconds));
                }
                System.err.printf("feed: %s, commit to delivery...%n", backend);
                rows.add(delivery(backend, store, config));
            }
        }
        print(rows, records, rounds, seconds);
        PostgresServer.shared().close();
    }

    /** Single inserts (1 and 16 clients) and bulk loads, the feed off beside on. */
    private static List<Row> writes(String backend, RecordStore store, int records, int rounds, double seconds)
            throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        Collection off = store.collection("feed_off");
        Collection on = store.collection("feed_on");
        on.enableChanges();
        AtomicLong ids = new AtomicLong();
        for (int clients : CLIENTS) {
            System.err.printf("feed: %s, single inserts, %d client(s)...%n", backend, clients);
            List<Load.Summary> sides = Load.rounds(
                    clients,
                    rounds,
                    seconds,
                    List.of(
                            k -> off.insert("s" + ids.incrementAndGet(), VellumBench.document(k % 1000), null),
                            k -> on.insert("s" + ids.incrementAndGet(), VellumBench.document(k % 1000), null)));
            rows.add(new Row(
                    backend,
                    "insert, " + clients + " client" + (clients == 1 ? "" : "s"),
                    describe(sides.get(0)),
                    describe(sides.get(1)),
                    sides.get(1).median() / sides.get(0).median(),
                    clients == 1 ? "≥ 0.70" : backend.equals("postgres") ? "≥ 0.80" : "—"));
        }
        System.err.printf("feed: %s, bulk loads of %,d records...%n", backend, records);
        rows.add(bulk(backend, store, records, rounds));
        return rows;
    }

    private static String describe(Load.Summary s) {
        return s.throughput() + String.format(Locale.ROOT, "; p50 %.3f ms", s.p50());
    }

    /** Bulk loads into fresh collections, feed off and on alternately; records per second, medians of the rounds. */
    private static Row bulk(String backend, RecordStore store, int records, int rounds) {
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        for (int r = 0; r < rounds + 1; r++) {
            for (int side = 0; side < 2; side++) {
                boolean feed = (side + r) % 2 == 1;
                Collection c = store.collection("bulk_" + r + "_" + (feed ? "on" : "off"));
                if (feed) {
                    c.enableChanges();
                }
                long t0 = System.nanoTime();
                c.insertMany(IntStream.range(0, records)
                        .mapToObj(i -> new NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
                double perSecond = records / ((System.nanoTime() - t0) / 1e9);
                if (r > 0) { // round 0 warms up
                    (feed ? on : off).add(perSecond);
                }
                store.dropCollection(c.name());
            }
        }
        double offMedian = median(off);
        double onMedian = median(on);
        return new Row(backend, "bulk insert (insertMany)", range(off), range(on), onMedian / offMedian, "≥ 0.60");
    }

    /**
     * A writer inserts a record every 5 ms through one store; a subscriber on a second store over the same database
     * (another pool, and on PostgreSQL its own LISTEN connection, as another process would have) notes when each
     * arrives. The time from calling insert() (so it includes the commit) to the callback: p50 and p99.
     */
    private static Row delivery(String backend, RecordStore writer, VellumConfig config) throws Exception {
        Collection events = writer.collection("delivery");
        events.enableChanges();
        Map<String, Long> written = new ConcurrentHashMap<>();
        List<Long> delays = java.util.Collections.synchronizedList(new ArrayList<>());
        RecordStore reader = backend.equals("memory") ? writer : Vellum.open(config);
        try (var subscription = reader.collection("delivery").changes().subscribe(null, change -> {
            Long at = written.get(change.id());
            if (at != null) {
                delays.add(System.nanoTime() - at);
            }
        })) {
            for (int i = 0; i < DELIVERIES; i++) {
                String id = "d" + i;
                written.put(id, System.nanoTime()); // before the call: a change may arrive before insert() returns
                events.insert(id, Map.of("i", i), null);
                Thread.sleep(5);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (delays.size() < DELIVERIES && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            if (reader != writer) {
                reader.close();
            }
        }
        long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
        String p = String.format(
                Locale.ROOT,
                "p50 %.2f ms, p99 %.2f ms (%d of %d delivered)",
                sorted[sorted.length / 2] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6,
                sorted.length,
                DELIVERIES);
        return new Row(
                backend,
                "commit to delivery",
                "—",
                p,
                Double.NaN,
                backend.equals("postgres") ? "p50 < 20 ms, p99 < 100 ms" : "—");
    }

    private static double median(List<Double> values) {
        return Load.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static String range(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "%,.0f rec/s (%,.0f–%,.0f)", median(values), v[0], v[v.length - 1]);
    }

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nChange feed: writes with the feed off and on, same store, same run; %d rounds "
                        + "of %.0f s per side for single inserts, %d (+1 warm-up) bulk loads of %,d records per side "
                        + "(%s, %d cores, Java %s)%n",
                rounds,
                seconds,
                rounds,
                records,
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("| backend | operation | feed off | feed on | on/off | target |");
        System.out.println("|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s |%n",
                    r.backend(),
                    r.operation(),
                    r.off(),
                    r.on(),
                    Double.isNaN(r.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f", r.ratio()),
                    r.target());
        }
    }
}
