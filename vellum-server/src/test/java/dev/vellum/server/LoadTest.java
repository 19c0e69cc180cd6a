package dev.vellum.server;

import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;

/**
 * 32 clients on loopback for a bounded time (10 s per backend; {@code -Dvellum.load.seconds=N} for longer), mixing
 * inserts, reads, conditional patches and queries. Afterwards every acknowledged write must be there, at the version
 * the client was told, and nothing else. Prints the throughput.
 */
@Tag("slow")
class LoadTest {
    private static final int CLIENTS = 32;

    @BackendTest
    void mixedLoadLosesNothing(TestBackend backend) throws Exception {
        long seconds = Long.getLong("vellum.load.seconds", 10);
        RecordStore store = backend.openStore(b -> b.set("VELLUM_POSTGRES_POOL_MAX", "16"));
        try (Http http = Http.start(store)) {
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            AtomicLong requests = new AtomicLong();
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    Random random = new Random(client);
                    List<String> mine = new ArrayList<>();
                    Map<String, Long> versions = new HashMap<>();
                    for (int k = 0; System.nanoTime() < deadline; k++) {
                        int op = k % 10;
                        if (op < 4 || mine.isEmpty()) {
                            String id = "c" + client + "-" + k;
                            HttpResponse<String> r = http.post(
                                    "/v1/collections/load/records",
                                    "{\"id\":\"" + id + "\",\"fields\":{\"client\":" + client + ",\"n\":" + k + "}}");
                            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                            mine.add(id);
                            versions.put(id, 1L);
                        } else {
                            String id = mine.get(random.nextInt(mine.size()));
                            if (op < 7) {
                                HttpResponse<String> r = http.get("/v1/collections/load/records/" + id);
                                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                                assertThat(r.headers().firstValue("ETag")).hasValue("\"" + versions.get(id) + "\"");
                            } else if (op < 9) {
                                HttpResponse<String> r = http.send(
                                        "PATCH",
                                        "/v1/collections/load/records/" + id,
                                        "{\"touched\":" + k + "}",
                                        "Content-Type",
                                        "application/merge-patch+json",
                                        "If-Match",
                                        "\"" + versions.get(id) + "\"");
                                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                                versions.put(id, json(r).get("version").asLong());
                            } else {
                                HttpResponse<String> r = http.post(
                                        "/v1/collections/load/query",
                                        "{\"filter\":" + "{\"client\":" + client + "},\"sort\":[\"-n\"],\"limit\":5}");
                                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                                assertThat(json(r).get("records").size()).isEqualTo(Math.min(5, mine.size()));
                            }
                        }
                        requests.incrementAndGet();
                    }
                    acknowledged.putAll(versions);
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();

            Map<String, Long> stored = new HashMap<>();
            http.get("/v1/collections/load/export").body().lines().forEach(line -> {
                JsonNode r = VellumJson.parse(line);
                stored.put(r.get("id").asText(), r.get("version").asLong());
            });
            assertThat(stored).isEqualTo(acknowledged);
            System.out.printf(
                    "load test, %s: %,d requests in %d s from %d clients = %,.0f requests/s; %,d records%n",
                    backend.name(), requests.get(), seconds, CLIENTS, requests.get() / (double) seconds, stored.size());
        }
    }
}
