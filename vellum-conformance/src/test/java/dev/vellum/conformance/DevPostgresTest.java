package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.LocalPorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code scripts/dev-postgres}: start, use with least privilege, stop, start again with the data kept, stop. */
class DevPostgresTest {
    private static final Path SCRIPT =
            Path.of("..", "scripts", "dev-postgres").toAbsolutePath().normalize();

    @Test
    void startStopRoundTripKeepsTheData() throws Exception {
        assumeTrue(onPath("psql"), "psql is not installed here");
        // as root the server runs as another user, who must be able to reach the directory: /tmp is open to all
        Path parent = Files.createTempDirectory("vellum-dev-postgres");
        Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path state = parent.resolve("state");
        int port = LocalPorts.freeRun(2); // the replica takes the next one
        Map<String, String> env =
                Map.of("VELLUM_DEV_POSTGRES_DIR", state.toString(), "VELLUM_DEV_POSTGRES_PORT", String.valueOf(port));
        try {
            Result started = run(env, "start");
            assertThat(started.exit()).as(started.err()).isZero();
            Map<String, String> exports = exports(started.out());
            assertThat(exports.get("VELLUM_POSTGRES_URL"))
                    .startsWith("postgres://vellum_app:")
                    .endsWith("@127.0.0.1:" + port + "/vellum");
            assertThat(run(env, "status").exit()).isZero();
            assertThat(exports(run(env, "url").out())).isEqualTo(exports);
            try (RecordStore store = Vellum.open(config(exports))) {
                store.collection("notes").insert("n1", Map.of("text", "kept"), null);
            }
            assertThat(run(env, "stop").exit()).isZero();
            assertThat(run(env, "status").exit()).isEqualTo(3);

            Result again = run(env, "start");
            assertThat(again.exit()).as(again.err()).isZero();
            assertThat(again.err()).doesNotContain("initialising");
            try (RecordStore store = Vellum.open(config(exports))) {
                assertThat(store.collection("notes")
                                .get("n1")
                                .orElseThrow()
                                .fields()
                                .get("text")
                                .asText())
                        .isEqualTo("kept");
            }
            Result psql = run(env, "psql", "-Atc", "SELECT current_user");
            assertThat(psql.out().trim()).isEqualTo("vellum_migrator");

            // a streaming replica beside it, as operations.md shows: reads go there, a paused one is left behind
            Result replica = run(env, "replica", "start");
            assertThat(replica.exit()).as(replica.err()).isZero();
            String replicaUrls = exports(replica.out()).get("VELLUM_POSTGRES_REPLICA_URLS");
            assertThat(replicaUrls).isEqualTo("postgres://127.0.0.1:" + (port + 1) + "/vellum");
            try (RecordStore store = Vellum.open(VellumConfig.builder()
                    .isolated()
                    .url(exports.get("VELLUM_POSTGRES_URL"))
                    .set("VELLUM_MIGRATION_URL", exports.get("VELLUM_MIGRATION_URL"))
                    .set("VELLUM_POSTGRES_REPLICA_URLS", replicaUrls)
                    .build())) {
                long deadline =
                        System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
                while (!store.database()
                        .orElseThrow()
                        .health()
                        .replicas()
                        .members()
                        .get(0)
                        .state()
                        .equals("up")) {
                    assertThat(System.nanoTime()).as("the replica serves reads").isLessThan(deadline);
                    Thread.sleep(100);
                }
                assertThat(run(env, "replica", "pause").exit()).isZero();
                store.collection("notes").insert("n2", Map.of("text", "after the pause"), null);
                assertThat(store.collection("notes").get("n2"))
                        .as("read-your-writes past a paused replica")
                        .isPresent();
                assertThat(run(env, "replica", "resume").exit()).isZero();
            }
            assertThat(run(env, "replica", "stop").exit()).isZero();
        } finally {
            run(env, "stop");
            delete(parent);
        }
    }

    private static VellumConfig config(Map<String, String> exports) {
        return VellumConfig.builder()
                .isolated()
                .url(exports.get("VELLUM_POSTGRES_URL"))
                .set("VELLUM_MIGRATION_URL", exports.get("VELLUM_MIGRATION_URL"))
                .build();
    }

    private static Map<String, String> exports(String out) {
        Map<String, String> values = new HashMap<>();
        out.lines().filter(l -> l.startsWith("export ")).forEach(l -> {
            String[] kv = l.substring("export ".length()).split("=", 2);
            values.put(kv[0], kv[1].replaceAll("^'|'$", ""));
        });
        return values;
    }

    record Result(int exit, String out, String err) {}

    private static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        String[] command = Stream.concat(Stream.of("bash", SCRIPT.toString()), Stream.of(args))
                .toArray(String[]::new);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Path err = Files.createTempFile("dev-postgres", ".err");
        builder.redirectError(err.toFile());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String errText = Files.readString(err);
        Files.delete(err);
        return new Result(p.exitValue(), out, errText);
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
