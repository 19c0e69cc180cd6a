package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.NewRecord;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * What read replicas cost and give: the same operations through a store without replicas and through one with a
 * streaming replica configured ({@code VELLUM_POSTGRES_REPLICA_URLS}), over the same primary, in the same run, rounds
 * alternating which goes first. The replica streams in both cases, so the difference is Vellum's routing and tracking.
 * Usage: {@code scripts/bench --replicas [--records N] [--rounds N] [--seconds N]}.
 */
final class ReplicaBench {
    private static final int[] CLIENTS = {1, 32};

    private ReplicaBench() {}

    private record Row(String operation, int clients, Load.Summary without, Load.Summary with) {}

    static void run(int records, int rounds, double seconds) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (PostgresCluster cluster = PostgresCluster.start()) {
            PostgresCluster.Replica replica = cluster.addReplica();
            PostgresTarget db = cluster.createDatabase("bench");
            VellumConfig.Builder plain = VellumConfig.builder()
                    .isolated()
                    .url(db.toUrlWithCredentials())
                    .poolMax(32);
            VellumConfig.Builder replicated = VellumConfig.builder()
                    .isolated()
                    .url(db.toUrlWithCredentials())
                    .poolMax(32)
                    .set(PostgresSettings.REPLICA_URLS.key(), replica.target(db).toUrlWithCredentials());
            try (RecordStore loader = Vellum.open(plain.build())) {
                System.err.printf("replicas: loading %,d records...%n", records);
                loader.collection("bench")
                        .insertMany(IntStream.range(0, records)
                                .mapToObj(i -> new NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
            }
            replica.awaitCaughtUp(Duration.ofSeconds(60));
            String[] ids = IntStream.range(0, records).mapToObj(VellumBench::id).toArray(String[]::new);
            AtomicLong fresh = new AtomicLong();
            try (RecordStore without = Vellum.open(plain.build());
                    RecordStore with = Vellum.open(replicated.build())) {
                Thread.sleep(1500); // the monitor's first samples
                Collection a = without.collection("bench");
                Collection b = with.collection("bench");
                for (int clients : CLIENTS) {
                    rows.add(measure(
                            "get by id",
                            clients,
                            rounds,
                            seconds,
                            k -> a.get(ids[k % records]).orElseThrow(),
                            k -> b.get(ids[k % records]).orElseThrow()));
                    rows.add(measure(
                            "insert",
                            clients,
                            rounds,
                            seconds,
                            k -> a.insert("a" + fresh.incrementAndGet(), VellumBench.document(k % 1000), null),
                            k -> b.insert("b" + fresh.incrementAndGet(), VellumBench.document(k % 1000), null)));
                    rows.add(measure(
                            "insert, then get it",
                            clients,
                            rounds,
                            seconds,
                            k -> readOwnWrite(a, "c" + fresh.incrementAndGet(), k),
                            k -> readOwnWrite(b, "d" + fresh.incrementAndGet(), k)));
                }
                System.err.println("replicas: reads served "
                        + with.database().orElseThrow().replicaStatus());
            }
        }
        print(rows, records, rounds, seconds);
    }

    private static void readOwnWrite(Collection c, String id, int k) {
        c.insert(id, VellumBench.document(k % 1000), null);
        c.get(id).orElseThrow();
    }

    private static Row measure(
            String operation, int clients, int rounds, double seconds, IntConsumer without, IntConsumer with)
            throws InterruptedException {
        System.err.printf("replicas: %s, %d client(s)...%n", operation, clients);
        List<Load.Summary> sides = Load.rounds(clients, rounds, seconds, List.of(without, with));
        return new Row(operation, clients, sides.get(0), sides.get(1));
    }

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nRead replicas: one primary and one streaming replica (both PostgreSQL 17, "
                        + "same machine), %,d records, Vellum pool of 32, %d rounds of %.0f s per side (%s, %d cores, "
                        + "Java %s)%n",
                records,
                rounds,
                seconds,
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("| operation | clients | without replicas | with a replica | ratio |");
        System.out.println("|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %s; p50 %.3f ms | %s; p50 %.3f ms | %.2f |%n",
                    r.operation(),
                    r.clients(),
                    r.without().throughput(),
                    r.without().p50(),
                    r.with().throughput(),
                    r.with().p50(),
                    r.with().median() / r.without().median());
        }
    }
}
