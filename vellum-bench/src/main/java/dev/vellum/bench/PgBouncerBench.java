package dev.vellum.bench;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PgBouncer;
import dev.vellum.testkit.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    private PgBouncerBench() {}

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
                RecordStore directModeStore =
                        Vellum.open(config(direct).pgbouncer(true).build());
                RecordStore pooledStore =
                        Vellum.open(config(bouncer.through(database).toUrlWithCredentials())
                                .pgbouncer(true)
                                .set(PostgresSettings.MIGRATION_URL.key(), direct)
                                .build())) {
            System.err.printf("pgbouncer: loading %,d records...%n", records);
            Collection loaded = directStore.collection("bench");
            loaded.insertMany(IntStream.range(0, records)
                    .mapToObj(i -> new NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
            loaded.createIndex("by_city", "city");
            List<Collection> paths =
                    List.of(loaded, directModeStore.collection("bench"), pooledStore.collection("bench"));
            // the arguments are made before timing starts: only Vellum and the path to the server are measured
            String[] ids = IntStream.range(0, records).mapToObj(VellumBench::id).toArray(String[]::new);
            Query[] queries = IntStream.range(0, 1000)
                    .mapToObj(c -> Query.where(Filter.eq("city", "city" + c)).limit(10))
                    .toArray(Query[]::new);
            for (int clients : CLIENTS) {
                rows.add(measure(
                        "get by id",
                        clients,
                        rounds,
                        seconds,
                        paths.stream()
                                .map(c -> (IntConsumer)
                                        k -> c.get(ids[k % records]).orElseThrow())
                                .toList()));
                rows.add(measure(
                        "find eq city, limit 10",
                        clients,
                        rounds,
                        seconds,
                        paths.stream()
                                .map(c -> (IntConsumer) k -> c.find(queries[k % 1000]))
                                .toList()));
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
        return new Row(operation, clients, Load.rounds(clients, rounds, seconds, paths));
    }

    private record Row(String operation, int clients, List<Load.Summary> paths) {}

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nPgBouncer (transaction mode, %d server connections) vs direct, same database, "
                        + "same run: %,d records, Vellum pool of 32, %d rounds of %.0f s per path (%s, %d cores, "
                        + "Java %s)%n",
                PgBouncer.POOL_SIZE,
                records,
                rounds,
                seconds,
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
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
            StringBuilder row =
                    new StringBuilder(String.format(Locale.ROOT, "| %s | %d |", r.operation(), r.clients()));
            for (Load.Summary path : r.paths()) {
                row.append(' ')
                        .append(path.throughput())
                        .append(String.format(Locale.ROOT, "; %.3f / %.3f ms |", path.p50(), path.p99()));
            }
            row.append(String.format(
                    Locale.ROOT,
                    " %.2f |",
                    r.paths().get(2).median() / r.paths().get(0).median()));
            System.out.println(row);
        }
    }
}
