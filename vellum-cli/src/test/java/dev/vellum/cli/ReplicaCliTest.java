package dev.vellum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresCluster;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vellum health} and {@code vellum stats} show each read replica's state, lag and reads (a real replica). */
@Tag("slow")
class ReplicaCliTest {
    @TempDir
    Path dir;

    private String vellum(Map<String, String> env, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = VellumCli.run(
                env,
                Files.writeString(dir.resolve("empty.env"), ""),
                new ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                args);
        assertThat(exit).as(err.toString()).isZero();
        return out.toString();
    }

    @Test
    void healthAndStatsShowTheReplicas() throws Exception {
        try (PostgresCluster cluster = PostgresCluster.start()) {
            PostgresCluster.Replica replica = cluster.addReplica();
            PostgresTarget db = cluster.createDatabase("cli_replicated");
            Map<String, String> env = Map.of(
                    "VELLUM_DB_BACKEND",
                    "postgres",
                    "VELLUM_POSTGRES_URL",
                    db.toUrlWithCredentials(),
                    "VELLUM_POSTGRES_REPLICA_URLS",
                    replica.target(db).toUrlWithCredentials());
            vellum(env, "health"); // migrates on the primary
            replica.awaitCaughtUp(Duration.ofSeconds(20));
            assertThat(vellum(env, "health"))
                    .containsPattern("replica +127\\.0\\.0\\.1:" + replica.port()
                            + "/cli_replicated as user 'postgres': up, lag \\d+ ms");
            replica.stop();
            assertThat(vellum(env, "health"))
                    .contains(
                            "/cli_replicated as user 'postgres': down, lag",
                            "Cannot connect to PostgreSQL at 127.0.0.1:" + replica.port(),
                            "Check VELLUM_POSTGRES_REPLICA_URLS.");
            String stats = vellum(env, "stats", "--json");
            assertThat(stats)
                    .contains(
                            "\"replicas\":[{\"name\":\"127.0.0.1:" + replica.port()
                                    + "/cli_replicated as user 'postgres'\",\"state\":\"down\"",
                            "\"primaryReads\":");
        }
    }
}
