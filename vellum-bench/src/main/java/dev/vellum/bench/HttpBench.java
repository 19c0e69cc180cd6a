package dev.vellum.bench;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import dev.vellum.server.ServerSettings;
import dev.vellum.server.VellumServer;
import dev.vellum.testkit.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code vellum serve}'s endpoints beside {@link MinimalHandler} (plain Javalin routes doing the same JDBC and Jackson
 * work on the same table shape), both loaded by wrk from another process: create, get by id, a 10-record query on an
 * indexed field and a count, at 1, 32 and 256 connections. Each round runs every pair back to back, the side that goes
 * first alternating, so the machine's drift falls on both alike; medians and spread of the rounds. Usage: {@code
 * scripts/bench --http [--records N (100000)] [--rounds N (3)] [--seconds N (5)] [--backends sqlite,postgres]
 * [--connections 1,32,256]}. Needs wrk ({@code apt-get install -y wrk}).
 */
final class HttpBench {
    private static final String COLLECTION = "people";
    private static final List<String> OPERATIONS = List.of("get", "query", "count", "create");
    /** Seconds of load per operation and side before anything is measured. */
    private static final int WARM_UP = 15;

    private HttpBench() {}

    /** One wrk run: requests per second, latency percentiles in ms, and the answers that were not 2xx. */
    record Run(double perSecond, double p50, double p99, long errors) {}

    private record Row(String backend, String operation, int connections, List<Run> vellum, List<Run> minimal) {}

    static void run(List<String> backends, int records, int rounds, double seconds, List<Integer> connections)
            throws Exception {
        if (!wrkInstalled()) {
            System.err.println("http: skipped, wrk is not installed (apt-get install -y wrk)");
            System.exit(3);
        }
        Path dir = Load.scratchDirectory("vellum-http-bench");
        Path scripts = writeScripts(dir, records);
        List<Row> rows = new ArrayList<>();
        for (String backend : backends) {
            String url = Load.storeUrl(backend, dir, "vellum.db");
            String rawUrl = backend.equals("postgres") ? url : Load.storeUrl(backend, dir, "minimal.db");
            int pool = backend.equals("postgres") ? 10 : 8;
            VellumConfig config = VellumConfig.builder()
                    .isolated()
                    .url(url)
                    .set("VELLUM_HTTP_PORT", "0")
                    .build();
            System.err.printf("http: %s, loading %,d records on each side...%n", backend, records);
            try (RecordStore store = Vellum.open(config)) {
                load(store, backend, rawUrl, records);
                try (VellumServer server = VellumServer.configure()
                                .store(store)
                                .settings(ServerSettings.from(config))
                                .start();
                        MinimalHandler minimal = new MinimalHandler(backend, rawUrl, pool)) {
                    int[] ports = {server.port(), minimal.port()};
                    // both JVM sides reach their compiled steady state only after tens of seconds of load
                    System.err.printf("http: %s, warming up (%d s per operation and side)...%n", backend, WARM_UP);
                    for (String operation : OPERATIONS) {
                        for (int port : ports) {
                            wrk(port, scripts.resolve(operation + ".lua"), 32, WARM_UP);
                        }
                    }
                    for (int c : connections) {
                        for (String operation : OPERATIONS) {
                            System.err.printf("http: %s, %s, %d connection(s)...%n", backend, operation, c);
                            Path script = scripts.resolve(operation + ".lua");
                            List<List<Run>> runs = List.of(new ArrayList<>(), new ArrayList<>());
                            for (int side = 0; side < 2; side++) {
                                wrk(ports[side], script, c, Math.min(seconds, 2)); // warm-up
                            }
                            for (int r = 0; r < rounds; r++) {
                                for (int i = 0; i < 2; i++) {
                                    int side = (r + i) % 2;
                                    runs.get(side).add(wrk(ports[side], script, c, seconds));
                                }
                            }
                            rows.add(new Row(backend, operation, c, runs.get(0), runs.get(1)));
                        }
                    }
                }
            }
        }
        print(rows, records, rounds, seconds);
        PostgresServer.shared().close();
    }

    /** The same records on both sides, each with its natural index on {@code city}. */
    private static void load(RecordStore store, String backend, String rawUrl, int records) throws Exception {
        dev.vellum.Collection people = store.collection(COLLECTION);
        people.createIndex("city", "city");
        people.insertMany(java.util.stream.IntStream.range(0, records)
                .mapToObj(i -> new dev.vellum.NewRecord(VellumBench.id(i), VellumBench.document(i), null)));
        try (RawJdbc raw = RawJdbc.open(backend, rawUrl)) {
            raw.bulkInsert("raw_records", records);
            raw.createIndexes();
            raw.analyze();
        }
    }

    /** Lua scripts for wrk: the same requests against either server. */
    private static Path writeScripts(Path dir, int records) throws IOException {
        Path scripts = Files.createDirectories(dir.resolve("wrk"));
        String base = "/v1/collections/" + COLLECTION;
        String seed = "math.randomseed(os.time())\n";
        Files.writeString(
                scripts.resolve("get.lua"),
                seed + "request = function()\n  return wrk.format('GET', string.format('" + base
                        + "/records/u%08d', math.random(0, " + (records - 1) + ")))\nend\n");
        // {"city":"cityN"}, URL-encoded
        Files.writeString(
                scripts.resolve("query.lua"),
                seed + "request = function()\n  return wrk.format('GET', '" + base
                        + "/records?limit=10&filter=%7B%22city%22%3A%22city' .. math.random(0, 999) .. '%22%7D')\nend\n");
        Files.writeString(
                scripts.resolve("count.lua"),
                seed + "wrk.headers['Content-Type'] = 'application/json'\nrequest = function()\n"
                        + "  return wrk.format('POST', '" + base
                        + "/count', nil, '{\"filter\":{\"city\":\"city' .. math.random(0, 999) .. '\"}}')\nend\n");
        String body = "{\"fields\":" + VellumJson.write(VellumBench.document(7)) + "}";
        Files.writeString(
                scripts.resolve("create.lua"),
                "wrk.method = 'POST'\nwrk.path = '" + base + "/records'\nwrk.headers['Content-Type'] = "
                        + "'application/json'\nwrk.body = [[" + body + "]]\n",
                StandardCharsets.UTF_8);
        return scripts;
    }

    private static boolean wrkInstalled() {
        try {
            Process p = new ProcessBuilder("wrk", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("\\s(50|99)%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern TIMEOUTS = Pattern.compile("timeout (\\d+)");

    static Run wrk(int port, Path script, int connections, double seconds) throws IOException, InterruptedException {
        List<String> command = List.of(
                "wrk",
                "-t" + Math.min(2, connections),
                "-c" + connections,
                "-d" + Math.max(1, Math.round(seconds)) + "s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                script.toString(),
                "http://127.0.0.1:" + port);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor((long) seconds + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        Matcher rate = RATE.matcher(out);
        if (!rate.find()) {
            throw new IllegalStateException("wrk said: " + out);
        }
        double[] percentiles = new double[2];
        Matcher m = PERCENTILE.matcher(out);
        while (m.find()) {
            double value = Double.parseDouble(m.group(2));
            double ms = switch (m.group(3)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
            percentiles[m.group(1).equals("50") ? 0 : 1] = ms;
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher timeouts = TIMEOUTS.matcher(out);
        if (timeouts.find()) {
            errors += Long.parseLong(timeouts.group(1));
        }
        return new Run(Double.parseDouble(rate.group(1)), percentiles[0], percentiles[1], errors);
    }

    private static String throughput(List<Run> runs) {
        double[] rates = runs.stream().mapToDouble(Run::perSecond).toArray();
        return String.format(
                Locale.ROOT,
                "%,.0f (%,.0f–%,.0f)",
                Load.median(rates),
                Arrays.stream(rates).min().orElse(0),
                Arrays.stream(rates).max().orElse(0));
    }

    private static String latency(List<Run> runs) {
        return String.format(
                Locale.ROOT,
                "%.2f / %.1f",
                Load.median(runs.stream().mapToDouble(Run::p50).toArray()),
                Load.median(runs.stream().mapToDouble(Run::p99).toArray()));
    }

    private static void print(List<Row> rows, int records, int rounds, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%nHTTP: vellum serve beside a minimal Javalin handler doing the same JDBC and Jackson work; wrk, %d "
                        + "rounds of %.0f s per side, sides alternating; %,d records; requests/s median (min–max), "
                        + "latency p50 / p99 ms (medians of the rounds), answers not 2xx in all rounds (%s, %d cores, "
                        + "Java %s)%n",
                rounds,
                seconds,
                records,
                System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println("| backend | operation | conns | vellum req/s | minimal req/s | ratio | vellum p50 / p99 "
                + "| minimal p50 / p99 | not 2xx (vellum / minimal) | target |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            double ratio = Load.median(
                            r.vellum.stream().mapToDouble(Run::perSecond).toArray())
                    / Load.median(r.minimal.stream().mapToDouble(Run::perSecond).toArray());
            long vellumErrors = r.vellum.stream().mapToLong(Run::errors).sum();
            long minimalErrors = r.minimal.stream().mapToLong(Run::errors).sum();
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %d | %s | %s | %.2f | %s | %s | %,d / %,d | ≥ 0.80 %s |%n",
                    r.backend,
                    r.operation,
                    r.connections,
                    throughput(r.vellum),
                    throughput(r.minimal),
                    ratio,
                    latency(r.vellum),
                    latency(r.minimal),
                    vellumErrors,
                    minimalErrors,
                    ratio >= 0.8 && vellumErrors == 0 ? "✓" : "✗");
        }
    }
}
