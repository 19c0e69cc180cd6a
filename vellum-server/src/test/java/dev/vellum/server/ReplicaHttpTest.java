package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresCluster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side of read replicas, on a real streaming replica whose replay is paused: a write answers a
 * {@code Vellum-Consistency} token; a read that sends it back sees the write, one without it may be served by the
 * (stale) replica; {@code /ready} and {@code /metrics} show the replica and the reads each pool served.
 */
@Tag("slow")
class ReplicaHttpTest {
    private static PostgresCluster cluster;
    private static PostgresCluster.Replica replica;

    @BeforeAll
    static void start() {
        cluster = PostgresCluster.start();
        replica = cluster.addReplica();
    }

    @AfterAll
    static void stop() throws IOException {
        cluster.close();
    }

    @Test
    void aReadWithTheWritesTokenSeesItThroughAPausedReplica() throws Exception {
        PostgresTarget db = cluster.createDatabase("http_replicated");
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .url(db.toUrlWithCredentials())
                .set(PostgresSettings.REPLICA_URLS.key(), replica.target(db).toUrlWithCredentials())
                .build();
        Vellum.open(config).close(); // the schema, made on the primary, reaches the replica first
        replica.awaitCaughtUp(Duration.ofSeconds(20));
        try (RecordStore store = Vellum.open(config);
                Http http = Http.start(store)) {
            http.send("POST", "/v1/collections/people/records", "{\"id\":\"ada\",\"fields\":{\"age\":36}}");
            replica.awaitCaughtUp(Duration.ofSeconds(10));
            awaitServing(http);
            replica.pauseReplay();
            try {
                HttpResponse<String> created =
                        http.send("POST", "/v1/collections/people/records", "{\"id\":\"bob\",\"fields\":{\"age\":29}}");
                assertThat(created.statusCode()).isEqualTo(201);
                String token =
                        created.headers().firstValue("Vellum-Consistency").orElseThrow();

                assertThat(http.get("/v1/collections/people/records/bob").statusCode())
                        .as("without the token the paused replica may serve it")
                        .isEqualTo(404);
                assertThat(http.get("/v1/collections/people/records/bob", "Vellum-Consistency", token)
                                .statusCode())
                        .isEqualTo(200);
                HttpResponse<String> count =
                        http.send("POST", "/v1/collections/people/count", "{}", "Vellum-Consistency", token);
                assertThat(count.body()).isEqualTo("{\"count\":2}");
                HttpResponse<String> bad =
                        http.get("/v1/collections/people/records/bob", "Vellum-Consistency", "zz-not-a-token");
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("Not a consistency token");
            } finally {
                replica.resumeReplay();
            }
            assertThat(http.get("/ready").body())
                    .contains("\"replicas\":[{\"name\":\"127.0.0.1:")
                    .contains("\"state\":\"up\"");
            String metrics = http.get("/metrics").body();
            assertThat(metrics)
                    .contains("vellum_reads_total{pool=\"primary\"}")
                    .containsPattern("vellum_reads_total\\{pool=\"127\\.0\\.0\\.1:\\d+/http_replicated as user "
                            + "'postgres'\"\\} [1-9]")
                    .contains("vellum_replica_serving{replica=");
        }
        // with API keys set, the open probes name no replica (host, port, database, role) to a caller without one
        String key = "0123456789abcdef0123456789abcdef";
        try (RecordStore store = Vellum.open(config);
                Http http = Http.start(store, java.util.Map.of("VELLUM_API_KEYS", key))) {
            String ready = http.get("/ready").body();
            assertThat(ready).contains("\"status\":\"ready\"").doesNotContain("replicas", "127.0.0.1", "user");
            assertThat(http.get("/metrics").body())
                    .doesNotContain("replica=", "127.0.0.1", "as user")
                    .contains("http_server_requests_seconds");
            assertThat(http.get("/ready", "Authorization", "Bearer " + key).body())
                    .contains("\"replicas\"");
            assertThat(http.get("/metrics", "Authorization", "Bearer " + key).body())
                    .contains("replica=");
        }
    }

    /**
     * A replica that stops answering (SIGSTOP: it accepts connections, answers nothing). Before, reads on it blocked
     * 50 s, past the 30 s request timeout, and answered outcome-unknown though they were reads. Now each read ends
     * within the request timeout, answered by the primary or as a timeout, and the replica is left out within
     * seconds.
     */
    @Test
    void aHungReplicaHoldsNoReadPastTheRequestTimeout() throws Exception {
        PostgresTarget db = cluster.createDatabase("http_hung_replica");
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .url(db.toUrlWithCredentials())
                .set(PostgresSettings.REPLICA_URLS.key(), replica.target(db).toUrlWithCredentials())
                .build();
        Vellum.open(config).close();
        replica.awaitCaughtUp(Duration.ofSeconds(20));
        try (RecordStore store = Vellum.open(config);
                Http http = Http.start(store, java.util.Map.of("VELLUM_HTTP_REQUEST_TIMEOUT", "4s"))) {
            http.send("POST", "/v1/collections/people/records", "{\"id\":\"ada\",\"fields\":{\"age\":36}}");
            replica.awaitCaughtUp(Duration.ofSeconds(10));
            awaitServing(http);
            replica.freeze();
            try {
                java.util.List<Integer> statuses = new java.util.ArrayList<>();
                long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
                while (System.nanoTime() < until) {
                    long started = System.nanoTime();
                    // "0": any replica within the lag bound may serve it
                    HttpResponse<String> read =
                            http.get("/v1/collections/people/records/ada", "Vellum-Consistency", "0");
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    assertThat(millis)
                            .as("a read ends within the request timeout")
                            .isLessThan(5_500);
                    assertThat(read.statusCode()).as(read.body()).isIn(200, 503);
                    if (read.statusCode() == 503) {
                        assertThat(read.body())
                                .contains("\"type\":\"https://vellum.dev/problems/timeout\"")
                                .doesNotContain("outcome-unknown");
                    }
                    statuses.add(read.statusCode());
                }
                assertThat(statuses.subList(statuses.size() - 3, statuses.size()))
                        .as("the primary serves, %s", statuses)
                        .containsOnly(200);
                assertThat(http.get("/ready").body()).contains("\"state\":\"down\"");
            } finally {
                replica.thaw();
            }
        }
    }

    private static void awaitServing(Http http) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!http.get("/ready").body().contains("\"state\":\"up\"")) {
            assertThat(System.nanoTime()).as(http.get("/ready").body()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
