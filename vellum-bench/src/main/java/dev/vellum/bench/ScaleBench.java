package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.NewRecord;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Several stateless application nodes over one PostgreSQL: N stores, each with its own pool as N processes would
 * have, share 32 client threads running 4 gets by id to 1 insert. Every configuration (nodes × connections per node)
 * runs once per round, in turn, so drift falls on all alike; the table gives the median throughput over the rounds,
 * its spread, and latency percentiles. Usage: {@code scripts/bench --nodes [--records N] [--rounds N] [--seconds N]}.
 */
final class ScaleBench {
    private static final int CLIENTS = 32;
    private static final int[] NODES = {1, 2, 3};
    private static final int[] POOL_SIZES = {4, 16};

    private ScaleBench() {}

    private record Config(int nodes, int pool, List<RecordStore> stores, IntConsumer call) {}

    static void run(int records, int rounds, double seconds) throws Exception {
        String url = PostgresServer.shared().createDatabase().toUrlWithCredentials();
        List<Config> configs = new ArrayList<>();
        try {
            try (RecordStore loader =
                    Vellum.open(VellumConfig.builder().isolated().url(url).build())) {
                System.err.printf("nodes: loading %,d records...%n", records);
                loader.collection("bench")
                        .insertMany(IntStream.range(0, records)
                                .mapToObj(i -> new NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
            }
            String[] ids = IntStream.range(0, records).mapToObj(VellumBench::id).toArray(String[]::new);
            AtomicLong inserted = new AtomicLong();
            for (int nodes : NODES) {
                for (int pool : POOL_SIZES) {
                    List<RecordStore> stores = new ArrayList<>();
                    for (int n = 0; n < nodes; n++) {
                        stores.add(Vellum.open(VellumConfig.builder()
                                .isolated()
                                .url(url)
                                .poolMin(pool)
                                .poolMax(pool)
                                .build()));
                    }
                    List<Collection> collections =
                            stores.stream().map(s -> s.collection("bench")).toList();
                    configs.add(new Config(nodes, pool, stores, k -> {
                        Collection c = collections.get(k % nodes);
                        if (k % 5 == 0) {
                            c.insert("new" + inserted.incrementAndGet(), VellumBench.document(k % records), null);
                        } else {
                            c.get(ids[k % records]).orElseThrow();
                        }
                    }));
                }
            }
            System.err.printf("nodes: %d configurations, %d rounds...%n", configs.size(), rounds);
            List<Load.Summary> results = Load.rounds(
                    CLIENTS, rounds, seconds, configs.stream().map(Config::call).toList());
            System.out.printf(
                    Locale.ROOT,
                    "%nNodes over one PostgreSQL: %d client threads spread over the nodes, 4 gets "
                            + "by id to 1 insert, %,d records, %d rounds of %.0f s per configuration (%s, %d cores, "
                            + "Java %s)%n",
                    CLIENTS,
                    records,
                    rounds,
                    seconds,
                    System.getProperty("os.name"),
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            System.out.println("| nodes | connections per node | server connections | ops/s: median (low–high) | "
                    + "p50 / p99 |");
            System.out.println("|---|---|---|---|---|");
            for (int i = 0; i < configs.size(); i++) {
                Config c = configs.get(i);
                Load.Summary s = results.get(i);
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %d | %d | %s | %.3f / %.3f ms |%n",
                        c.nodes(),
                        c.pool(),
                        c.nodes() * c.pool(),
                        s.throughput(),
                        s.p50(),
                        s.p99());
            }
        } finally {
            for (Config c : configs) {
                c.stores().forEach(RecordStore::close);
            }
            PostgresServer.shared().close();
        }
    }
}
