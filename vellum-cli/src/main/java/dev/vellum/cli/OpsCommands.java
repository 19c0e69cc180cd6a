package dev.vellum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import dev.vellum.ops.Maintenance;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vellum stats} and {@code vellum maintain}. */
final class OpsCommands {
    private OpsCommands() {}

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            description = "Pool, server and per-collection statistics, from the database's own statistics views.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand
        VellumCli cli;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "One JSON object instead of text")
        boolean json;

        @Option(
                names = "--slow",
                paramLabel = "SECONDS",
                defaultValue = "5",
                description = "List queries running longer than this (PostgreSQL; default 5)")
        double slowSeconds;

        @Override
        public Integer call() {
            try (RecordStore store = Vellum.open(cli.configure().build())) {
                ObjectNode stats = Maintenance.stats(store, Duration.ofMillis((long) (slowSeconds * 1000)));
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    out.println(VellumJson.write(stats));
                } else {
                    List<String[]> pairs = new ArrayList<>();
                    pairs.add(new String[] {"backend", stats.get("backend").asText()});
                    if (stats.has("pool")) {
                        JsonNode p = stats.get("pool");
                        pairs.add(new String[] {
                            "pool",
                            p.get("active") + " active, " + p.get("idle") + " idle, " + p.get("waiting")
                                    + " waiting, max " + p.get("max")
                        });
                    }
                    flatten("server", stats.path("server"), pairs);
                    Table.keyValues(out, pairs.toArray(new String[0][]));
                    List<List<String>> rows = new ArrayList<>();
                    for (Map.Entry<String, JsonNode> c :
                            stats.path("collections").properties()) {
                        JsonNode v = c.getValue();
                        rows.add(List.of(
                                c.getKey(),
                                String.valueOf(v.path("records").asLong()),
                                bytes(v.path("tableBytes")),
                                bytes(v.path("indexBytes")),
                                v.has("indexScans") ? v.get("indexScans").asText() : "n/a"));
                    }
                    out.println();
                    Table.text(out, List.of("collection", "records", "table", "indexes", "index scans"), rows);
                }
                out.flush();
                return 0;
            }
        }

        private static void flatten(String prefix, JsonNode node, List<String[]> pairs) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isObject()) {
                    flatten(prefix + " " + e.getKey(), v, pairs);
                } else if (v.isArray()) {
                    pairs.add(new String[] {prefix + " " + e.getKey(), v.isEmpty() ? "none" : v.toString()});
                } else {
                    boolean isBytes = e.getKey().endsWith("Bytes");
                    pairs.add(new String[] {prefix + " " + e.getKey(), isBytes ? bytes(v) : v.asText()});
                }
            }
        }

        private static String bytes(JsonNode n) {
            return n.isMissingNode() || n.asLong() < 0 ? "n/a" : Maintenance.bytes(n.asLong());
        }
    }

    @Command(
            name = "maintain",
            mixinStandardHelpOptions = true,
            description = "PostgreSQL: VACUUM (ANALYZE). SQLite: PRAGMA optimize, WAL checkpoint, and VACUUM with "
                    + "--vacuum. Prints what it did and what it reclaimed.")
    static final class Maintain implements Callable<Integer> {
        @ParentCommand
        VellumCli cli;

        @Spec
        CommandSpec spec;

        @Option(names = "--vacuum", description = "SQLite: also VACUUM (rewrites the file; blocks writers meanwhile)")
        boolean vacuum;

        @Override
        public Integer call() {
            try (RecordStore store = Vellum.open(cli.configure().build())) {
                for (String line : Maintenance.maintain(store, vacuum)) {
                    spec.commandLine().getOut().println(VellumCli.inCommandTerms(line));
                }
                spec.commandLine().getOut().flush();
                return 0;
            }
        }
    }
}
