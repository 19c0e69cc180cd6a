package dev.vellum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Collection;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.LocalPorts;
import dev.vellum.testkit.PostgresExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes, real faults: {@code vellum serve} (in a 256 MB heap) killed with SIGKILL under concurrent writes,
 * and a PostgreSQL server stopped and started under load. What was acknowledged is kept; a batch is all or nothing;
 * during an outage every answer is a prompt 503 with Retry-After.
 */
@Tag("slow")
@ExtendWith(PostgresExtension.class)
class FaultSuiteTest {
    private static final int BATCH = 20;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    /** The private server of the outage test, stopped after it whatever happens. */
    private EmbeddedPostgres pg;

    @org.junit.jupiter.api.AfterEach
    void stopPrivateServer() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void killNineKeepsEveryAcknowledgedWriteOnSqlite() throws Exception {
        Path file = dir.resolve("killed.db");
        killNineUnderWrites(Map.of("VELLUM_SQLITE_PATH", file.toString()), "sqlite:" + file);
    }

    @Test
    void killNineKeepsEveryAcknowledgedWriteOnPostgres(PostgresTarget pg) throws Exception {
        killNineUnderWrites(
                Map.of("VELLUM_DB_BACKEND", "postgres", "VELLUM_POSTGRES_URL", pg.toUrlWithCredentials()),
                pg.toUrlWithCredentials());
    }

    private void killNineUnderWrites(Map<String, String> env, String url) throws Exception {
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> batches = new ConcurrentLinkedQueue<>();
        Set<String> acknowledgedBatches = ConcurrentHashMap.newKeySet();
        for (int cycle = 0; cycle < 3; cycle++) {
            ServeProcess serve = ServeProcess.start(dir, env, 0);
            AtomicBoolean killed = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(6);
            List<Future<?>> running = new ArrayList<>();
            int c = cycle;
            for (int w = 0; w < 6; w++) {
                int writer = w;
                running.add(writers.submit(() -> {
                    for (int k = 0; !killed.get() && k < 100_000; k++) {
                        try {
                            if (writer < 4) {
                                String id = "s" + c + "-" + writer + "-" + k;
                                HttpResponse<String> r = post(
                                        serve.base,
                                        "/v1/collections/k9/records",
                                        "{\"id\":\"" + id + "\",\"fields\":{\"n\":" + k + "}}");
                                if (r.statusCode() == 201) {
                                    acknowledged.put(id, k);
                                } else {
                                    assertThat(r.statusCode()).as(r.body()).isLessThan(500);
                                }
                            } else {
                                String batch = "b" + c + "-" + writer + "-" + k;
                                batches.add(batch);
                                StringBuilder body = new StringBuilder("[");
                                for (int j = 0; j < BATCH; j++) {
                                    body.append(j == 0 ? "" : ",")
                                            .append("{\"id\":\"")
                                            .append(batch)
                                            .append('.')
                                            .append(j)
                                            .append("\",\"fields\":{\"j\":")
                                            .append(j)
                                            .append("}}");
                                }
                                HttpResponse<String> r = post(
                                        serve.base,
                                        "/v1/collections/k9/records:batch",
                                        body.append(']').toString());
                                if (r.statusCode() == 200) {
                                    acknowledgedBatches.add(batch);
                                }
                            }
                        } catch (IOException e) {
                            return null; // the server died under us: the answer never came
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(1500);
            killed.set(true);
            serve.kill();
            for (Future<?> f : running) {
                f.get(30, TimeUnit.SECONDS);
            }
            writers.shutdown();
        }
        System.out.println("kill -9 under writes (" + url.substring(0, url.indexOf(':')) + "): " + acknowledged.size()
                + " single writes and " + acknowledgedBatches.size() + " of " + batches.size()
                + " batches acknowledged over 3 kills");
        assertThat(acknowledged).isNotEmpty();
        assertThat(acknowledgedBatches).isNotEmpty();
        try (RecordStore store = Vellum.open(url)) {
            Collection k9 = store.collection("k9");
            acknowledged.forEach((id, n) -> assertThat(k9.get(id))
                    .as(id)
                    .hasValueSatisfying(
                            r -> assertThat(r.fields().get("n").asInt()).isEqualTo(n)));
            for (String batch : batches) {
                List<String> ids = new ArrayList<>();
                for (int j = 0; j < BATCH; j++) {
                    ids.add(batch + "." + j);
                }
                int present = k9.getMany(ids).size();
                assertThat(present).as("batch " + batch + " is all or nothing").isIn(0, BATCH);
                if (acknowledgedBatches.contains(batch)) {
                    assertThat(present).as("acknowledged batch " + batch).isEqualTo(BATCH);
                }
            }
        }
    }

    /**
     * A private PostgreSQL server is stopped under load and started again: meanwhile every request is answered
     * (503 with Retry-After, never 500, never a hang past the request timeout), /ready answers 503 within a second,
     * and writes succeed again within 2 s of the server's return. Nothing acknowledged is lost.
     */
    @Test
    void postgresStoppedAndStartedUnderLoad() throws Exception {
        int port = LocalPorts.free();
        Path data = dir.resolve("pgdata");
        pg = startPostgres(data, port);
        String url = "postgres://postgres@127.0.0.1:" + port + "/postgres";
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServeProcess serve = ServeProcess.start(
                dir,
                Map.of(
                        "VELLUM_DB_BACKEND",
                        "postgres",
                        "VELLUM_POSTGRES_URL",
                        url,
                        "VELLUM_HTTP_REQUEST_TIMEOUT",
                        "3s"),
                0)) {
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService load = Executors.newFixedThreadPool(4);
            List<Future<?>> clients = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                clients.add(load.submit(() -> {
                    for (int k = 0; !done.get(); k++) {
                        String id = "p" + writer + "-" + k;
                        long start = System.nanoTime();
                        try {
                            HttpResponse<String> r = post(
                                    serve.base,
                                    "/v1/collections/load/records",
                                    "{\"id\":\"" + id + "\",\"fields\":{}}");
                            long millis = (System.nanoTime() - start) / 1_000_000;
                            if (r.statusCode() == 201) {
                                acknowledged.put(id, id);
                            } else if (r.statusCode() != 503
                                    || r.headers().firstValue("Retry-After").isEmpty()) {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                            if (millis > 3_000 + 2_000) {
                                failures.add("a request took " + millis + " ms");
                            }
                        } catch (IOException e) {
                            failures.add("no answer: " + e);
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(1000);
            pg.close(); // stopped: fast shutdown, every connection dropped
            long outage = System.nanoTime();
            while (System.nanoTime() - outage < 4_000_000_000L) {
                long start = System.nanoTime();
                HttpResponse<String> ready = get(serve.base, "/ready");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                assertThat(ready.headers().firstValue("Retry-After")).isPresent();
                assertThat(millis).as("/ready answered in ms").isLessThan(1_500);
                Thread.sleep(200);
            }
            // once the outage is known, a read and a write are told at once that the database is unavailable
            // (before: each waited the full request timeout and answered "timeout ... narrow the filter")
            for (int i = 0; i < 3; i++) {
                for (boolean write : new boolean[] {false, true}) {
                    long start = System.nanoTime();
                    HttpResponse<String> r = write
                            ? post(serve.base, "/v1/collections/load/records", "{\"fields\":{}}")
                            : get(serve.base, "/v1/collections/load/records/p0-0");
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                    assertThat(r.body()).contains("problems/unavailable");
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    assertThat(millis)
                            .as("%s answered in ms", write ? "a write" : "a read")
                            .isLessThan(1_000);
                }
            }
            pg = startPostgres(data, port);
            long back = System.nanoTime();
            int status = 0;
            while (status != 201 && System.nanoTime() - back < 10_000_000_000L) {
                status = post(serve.base, "/v1/collections/load/records", "{\"fields\":{}}")
                        .statusCode();
            }
            long recovery = (System.nanoTime() - back) / 1_000_000;
            System.out.println("PostgreSQL restart: first 201 " + recovery + " ms after the server was back");
            assertThat(status).isEqualTo(201);
            assertThat(recovery).as("ms from PostgreSQL's return to a 201").isLessThan(2_000);
            Thread.sleep(500);
            done.set(true);
            for (Future<?> f : clients) {
                f.get(30, TimeUnit.SECONDS);
            }
            load.shutdown();
            assertThat(failures).as(serve.log()).isEmpty();
        }
        try (RecordStore store = Vellum.open(url)) {
            Collection c = store.collection("load");
            acknowledged.keySet().forEach(id -> assertThat(c.get(id)).as(id).isPresent());
        }
    }

    /**
     * 300 sockets trickling their headers and 300 trickling a body (a byte every 3 s), then a flood of 500
     * concurrent requests, against {@code vellum serve} in a 256 MB heap: normal requests keep being answered
     * meanwhile (2xx, or 503 with Retry-After while saturated), nothing hangs, and the server serves normally after.
     */
    @Test
    void slowClientsAndAFloodDoNotStopNormalRequests() throws Exception {
        Path file = dir.resolve("slow.db");
        List<java.net.Socket> sockets = new ArrayList<>();
        try (ServeProcess serve = ServeProcess.start(dir, Map.of("VELLUM_SQLITE_PATH", file.toString()), 0)) {
            assertThat(post(serve.base, "/v1/collections/c/records", "{\"id\":\"a\",\"fields\":{}}")
                            .statusCode())
                    .isEqualTo(201);
            for (int i = 0; i < 300; i++) {
                sockets.add(trickle(serve.base, "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "));
                sockets.add(
                        trickle(
                                serve.base,
                                "POST /v1/collections/c/records HTTP/1.1\r\nHost: x\r\n"
                                        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"fields\":{\"s\":\""));
            }
            AtomicBoolean stop = new AtomicBoolean();
            java.util.concurrent.CompletableFuture<Void> trickling =
                    java.util.concurrent.CompletableFuture.runAsync(() -> {
                        while (!stop.get()) {
                            for (java.net.Socket s : sockets) {
                                try {
                                    s.getOutputStream().write('x');
                                } catch (IOException closed) {
                                    // the server cut it off: that is the point
                                }
                            }
                            sleep(3000);
                        }
                    });
            // a flood: 500 connections at once
            ExecutorService flood = Executors.newFixedThreadPool(500);
            List<Future<Integer>> floodAnswers = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                floodAnswers.add(flood.submit(() -> floodRequest(serve.base)));
            }
            // normal requests, one after another, for 10 s
            List<String> problems = new ArrayList<>();
            int answered = 0;
            long end = System.nanoTime() + 10_000_000_000L;
            for (int k = 0; System.nanoTime() < end; k++) {
                long start = System.nanoTime();
                HttpResponse<String> r =
                        post(serve.base, "/v1/collections/c/records", "{\"id\":\"n" + k + "\",\"fields\":{}}");
                long millis = (System.nanoTime() - start) / 1_000_000;
                if (r.statusCode() == 201) {
                    answered++;
                } else if (r.statusCode() != 503
                        || r.headers().firstValue("Retry-After").isEmpty()) {
                    problems.add(r.statusCode() + " " + r.body());
                }
                if (millis > 5_000) {
                    problems.add("a normal request took " + millis + " ms");
                }
            }
            for (Future<Integer> f : floodAnswers) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isIn(200, 503);
            }
            flood.shutdown();
            stop.set(true);
            trickling.get(30, TimeUnit.SECONDS);
            System.out.println("Slow clients and flood: " + answered + " normal inserts answered 201 in 10 s");
            assertThat(problems).as(serve.log()).isEmpty();
            assertThat(answered).isPositive();
            assertThat(get(serve.base, "/v1/collections/c/records/a").statusCode())
                    .isEqualTo(200);
            assertThat(serve.process.isAlive()).isTrue();
        } finally {
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    /** One request of the flood, on its own connection: the status. */
    private int floodRequest(URI base) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/collections/c/records/a"))
                        .GET())
                .statusCode();
    }

    private static java.net.Socket trickle(URI base, String start) throws IOException {
        java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort());
        socket.getOutputStream().write(start.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return socket;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("fsync", "off")
                .start();
    }

    private HttpResponse<String> post(URI base, String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> get(URI base, String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return client.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
