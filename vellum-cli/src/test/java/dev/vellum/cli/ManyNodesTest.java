package dev.vellum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PgBouncer;
import dev.vellum.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code vellum serve} processes over one PostgreSQL, directly and through a transaction-mode PgBouncer: started
 * at once on an empty database (each migration applied once), the same index created on all three at once (made
 * once), conditional writes from every node (exactly one writer holding a version wins, whichever node it uses), and
 * one node killed with {@code kill -9} under load (the others keep serving; nothing acknowledged is lost).
 */
@Tag("slow")
@ExtendWith(PostgresExtension.class)
class ManyNodesTest {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int NODES = 3;

    @TempDir
    Path dir;

    @Test
    void threeNodesOverOneServer(PostgresTarget pg) throws Exception {
        run(Map.of("VELLUM_DB_BACKEND", "postgres", "VELLUM_POSTGRES_URL", pg.toUrlWithCredentials()), pg);
    }

    @Test
    void threeNodesThroughPgBouncer(PostgresTarget pg) throws Exception {
        PgBouncer bouncer = PgBouncer.shared("transaction");
        String database = pg.database() + "_pooled";
        try (Connection c =
                DriverManager.getConnection(pg.withDatabase("postgres").jdbcUrl(), pg.user(), pg.password())) {
            c.createStatement().execute("CREATE DATABASE " + database);
        }
        PostgresTarget direct = pg.withDatabase(database);
        run(
                Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_URL",
                        bouncer.through(direct).toUrlWithCredentials(),
                        "VELLUM_POSTGRES_PGBOUNCER",
                        "true",
                        "VELLUM_MIGRATION_URL",
                        direct.toUrlWithCredentials()),
                direct);
    }

    private void run(Map<String, String> env, PostgresTarget direct) throws Exception {
        List<ServeProcess> nodes = startAtOnce(env);
        try {
            assertThat(query(
                            direct,
                            "SELECT count(*) FROM vellum_schema_history WHERE success AND version IS NOT "
                                    + "NULL GROUP BY version HAVING count(*) > 1"))
                    .as("a migration applied twice")
                    .isEmpty();
            assertThat(query(
                            direct,
                            "SELECT count(DISTINCT version) FROM vellum_schema_history WHERE version IS " + "NOT NULL"))
                    .containsExactly("9");
            sameIndexOnEveryNode(nodes, direct);
            conditionalWritesAcrossNodes(nodes);
            killOneUnderLoad(nodes, direct);
        } finally {
            for (ServeProcess node : nodes) {
                node.close();
            }
        }
    }

    private List<ServeProcess> startAtOnce(Map<String, String> env) throws Exception {
        ExecutorService starter = Executors.newFixedThreadPool(NODES);
        try {
            List<Future<ServeProcess>> started = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                Map<String, String> nodeEnv = new HashMap<>(env);
                started.add(starter.submit(() -> ServeProcess.start(dir, nodeEnv, 0)));
            }
            List<ServeProcess> nodes = new ArrayList<>();
            for (Future<ServeProcess> f : started) {
                nodes.add(f.get());
            }
            return nodes;
        } finally {
            starter.shutdown();
        }
    }

    private void sameIndexOnEveryNode(List<ServeProcess> nodes, PostgresTarget direct) throws Exception {
        assertThat(send(
                                nodes.get(0),
                                "POST",
                                "/v1/collections/accounts/records",
                                "{\"id\":\"acc\",\"fields\":{\"balance\":0,\"owner\":\"ada\"}}")
                        .statusCode())
                .isEqualTo(201);
        List<Integer> statuses = all(nodes.stream()
                .map(node -> (Callable<Integer>) () -> send(
                                node,
                                "POST",
                                "/v1/collections/accounts/indexes",
                                "{\"name\":\"by_owner\",\"paths\":[\"owner\"]}")
                        .statusCode())
                .toList());
        assertThat(statuses)
                .as("201 once, 200 (exists as asked) for the others")
                .containsOnly(200, 201)
                .containsOnlyOnce(201);
        assertThat(query(direct, "SELECT count(*) FROM vellum_indexes WHERE collection = 'accounts'"))
                .containsExactly("1");
    }

    /** Each round, two writers per node hold the same version: exactly one replace wins, the others get 412. */
    private void conditionalWritesAcrossNodes(List<ServeProcess> nodes) throws Exception {
        for (int round = 0; round < 15; round++) {
            HttpResponse<String> current =
                    send(nodes.get(round % NODES), "GET", "/v1/collections/accounts/records/acc", null);
            String etag = current.headers().firstValue("ETag").orElseThrow();
            int balance = round;
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < 2 * NODES; w++) {
                ServeProcess node = nodes.get(w % NODES);
                int writer = w;
                writers.add(() -> send(
                                node,
                                "PUT",
                                "/v1/collections/accounts/records/acc",
                                "{\"fields\":{\"balance\":" + (balance + 1) + ",\"owner\":\"ada\",\"by\":" + writer
                                        + "}}",
                                "If-Match",
                                etag)
                        .statusCode());
            }
            List<Integer> statuses = all(writers);
            assertThat(statuses).as("round " + round).containsOnly(200, 412).containsOnlyOnce(200);
        }
        assertThat(send(nodes.get(2), "GET", "/v1/collections/accounts/records/acc", null)
                        .body())
                .contains("\"version\":16", "\"balance\":15");
    }

    /** Writers on every node; node 2 is killed half-way: nodes 0 and 1 answer every request, nothing acked is lost. */
    private void killOneUnderLoad(List<ServeProcess> nodes, PostgresTarget direct) throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<String> failuresOnLiveNodes = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2 * NODES; w++) {
            int writer = w;
            ServeProcess node = nodes.get(w % NODES);
            Thread t = new Thread(() -> {
                for (int n = 0; running.get(); n++) {
                    String id = "n" + writer + "-" + n;
                    try {
                        HttpResponse<String> r = send(
                                node,
                                "POST",
                                "/v1/collections/events/records",
                                "{\"id\":\"" + id + "\",\"fields\":{\"n\":" + n + "}}");
                        if (r.statusCode() == 201) {
                            acknowledged.add(id);
                        } else if (node != nodes.get(2)) {
                            failuresOnLiveNodes.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        if (node != nodes.get(2) || !killed.get()) {
                            failuresOnLiveNodes.add(id + ": " + e);
                        }
                        if (node == nodes.get(2)) {
                            return;
                        }
                    }
                }
            });
            t.start();
            writers.add(t);
        }
        Thread.sleep(1500);
        killed.set(true);
        nodes.get(2).kill();
        Thread.sleep(1500);
        running.set(false);
        for (Thread t : writers) {
            t.join(30_000);
        }
        assertThat(failuresOnLiveNodes)
                .as("errors from the nodes still running")
                .isEmpty();
        Set<String> kept = new HashSet<>(query(direct, "SELECT id FROM vc_events"));
        assertThat(kept).containsAll(acknowledged);
        assertThat(acknowledged.stream().filter(id -> id.startsWith("n2-") || id.startsWith("n5-")))
                .as("the killed node had acknowledged writes before it died")
                .isNotEmpty();
    }

    private static <T> List<T> all(List<Callable<T>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<T> results = new ArrayList<>();
            for (Future<T> f : pool.invokeAll(calls)) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }

    private static HttpResponse<String> send(
            ServeProcess node, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.base + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> query(PostgresTarget db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                ResultSet r = c.createStatement().executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (r.next()) {
                values.add(r.getString(1));
            }
            return values;
        }
    }
}
