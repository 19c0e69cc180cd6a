package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.ConfigurationException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Auth, streaming at scale, graceful shutdown, an unreachable database and timeouts, on the SQL backends. */
class ServerBehaviourTest {
    private static final String KEY = "test-key-0123456789abcdef";

    @Test
    void apiKeysGuardEveryV1Request() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store, Map.of("VELLUM_API_KEYS", "another-key-0123456789," + KEY))) {
            HttpResponse<String> missing = http.get("/v1/collections");
            assertProblem(missing, 401, "unauthorized");
            assertThat(missing.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> v.startsWith("Bearer"));
            assertProblem(http.bearer("wrong-key-0123456789abc").get("/v1/collections"), 401, "unauthorized");
            assertThat(http.bearer(KEY).get("/v1/collections").statusCode()).isEqualTo(200);
            assertThat(http.bearer(KEY)
                            .post("/v1/collections/c/records", "{\"fields\":{}}")
                            .statusCode())
                    .isEqualTo(201);
            // liveness and metrics stay open for probes and scrapers
            assertThat(http.bearer(null).get("/health").statusCode()).isEqualTo(200);
            assertThat(http.get("/ready").statusCode()).isEqualTo(200);
        }
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            assertThat(http.get("/v1/collections").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutKeys() {
        try (RecordStore store = Vellum.open("memory:")) {
            ServerSettings open = ServerSettings.from(VellumConfig.builder()
                    .isolated()
                    .url("memory:")
                    .set("VELLUM_HTTP_HOST", "0.0.0.0")
                    .set("VELLUM_HTTP_PORT", "0")
                    .build());
            assertThatThrownBy(() ->
                            VellumServer.configure().store(store).settings(open).start())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("VELLUM_API_KEYS");
            assertThatThrownBy(() -> VellumConfig.builder()
                            .isolated()
                            .set("VELLUM_API_KEYS", "short")
                            .build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("at least 16");
            assertThat(VellumConfig.builder()
                            .isolated()
                            .set("VELLUM_API_KEYS", KEY)
                            .build()
                            .toString())
                    .doesNotContain(KEY);
        }
    }

    /**
     * Issue 26: a 17 MB JSON body (VELLUM_HTTP_MAX_BODY 10 MB) was answered 413 before it was read and the connection
     * closed on the client still sending it: most clients saw a broken pipe, not the problem. Now the body is read and
     * dropped (up to 64 MB) and the client gets its 413 on a connection that stays usable; nothing is written.
     */
    @Test
    void aBodyPastTheLimitGetsIts413() throws IOException {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            byte[] big = ("{\"fields\":{\"text\":\"" + "x".repeat(17 << 20) + "\"}}").getBytes(StandardCharsets.UTF_8);
            for (String method : List.of("POST /v1/collections/c/records", "PUT /v1/collections/c/records/a")) {
                // as Python's urllib does: the whole body first, then the answer
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", http.server.port())) {
                    socket.setSoTimeout(30_000);
                    socket.getOutputStream()
                            .write((method + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                            + "Content-Type: application/json\r\nContent-Length: " + big.length
                                            + "\r\n\r\n")
                                    .getBytes(StandardCharsets.UTF_8));
                    socket.getOutputStream().write(big);
                    String answer = new String(socket.getInputStream().readNBytes(2048), StandardCharsets.UTF_8);
                    assertThat(answer).startsWith("HTTP/1.1 413").contains("body-too-large", "VELLUM_HTTP_MAX_BODY");
                }
            }
            assertProblem(
                    http.post("/v1/collections/c/records", new String(big, StandardCharsets.UTF_8)),
                    413,
                    "body-too-large");
            assertThat(json(http.get("/v1/collections/c/records")).get("records"))
                    .isEmpty();
            assertThat(http.post("/v1/collections/c/records", "{\"fields\":{}}").statusCode())
                    .isEqualTo(201);
        }
    }

    /** 200,000 records in as streamed NDJSON, out as streamed NDJSON, every field value byte for byte. */
    @BackendTest
    void ndjsonImportAndExportRoundTrip200k(TestBackend backend) throws Exception {
        int n = 200_000;
        RecordStore store = backend.openStore();
        try (Http http = Http.start(store)) {
            InputStream body = lines(n, i -> "{\"id\":\"" + id(i) + "\",\"fields\":" + fields(i) + "}\n");
            HttpResponse<Stream<String>> imported = Http.CLIENT.send(
                    http.request("/v1/collections/big/records:batch")
                            .header("Content-Type", Api.NDJSON)
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body))
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(imported.statusCode()).isEqualTo(200);
            AtomicLong ids = new AtomicLong();
            String[] last = new String[1];
            try (Stream<String> answer = imported.body()) {
                answer.forEach(line -> {
                    last[0] = line;
                    ids.incrementAndGet();
                });
            }
            assertThat(ids.get()).isEqualTo(n + 1);
            assertThat(VellumJson.parse(last[0]).get("count").asLong()).isEqualTo(n);

            HttpResponse<Stream<String>> exported = Http.CLIENT.send(
                    http.request("/v1/collections/big/export").GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(exported.statusCode()).isEqualTo(200);
            long[] seen = {0};
            try (Stream<String> lines = exported.body()) {
                lines.forEach(line -> {
                    JsonNode record = VellumJson.parse(line);
                    String expectedId = id((int) seen[0]);
                    String expectedFields = fields((int) seen[0]);
                    if (!record.get("id").asText().equals(expectedId)
                            || !VellumJson.write(record.get("fields")).equals(expectedFields)) {
                        assertThat(line).as("line " + seen[0]).contains(expectedId, expectedFields);
                    }
                    seen[0]++;
                });
            }
            assertThat(seen[0]).isEqualTo(n);
        }
    }

    /** Stopping lets every request in flight finish; none fails, and what they wrote is there. */
    @BackendTest
    void gracefulShutdownFinishesRequestsInFlight(TestBackend backend) throws Exception {
        RecordStore store = backend.openStore();
        Http http = Http.start(store, Map.of("VELLUM_HTTP_SHUTDOWN_GRACE", "20s"));
        int clients = 8;
        int perClient = 20;
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            // a slow upload: the request is still arriving when the stop begins
            InputStream slow = slowLines(perClient, 160, i -> "{\"id\":\"c" + client + "-" + i + "\",\"fields\":{}}\n");
            inFlight.add(Http.CLIENT.sendAsync(
                    http.request("/v1/collections/slow/records:batch")
                            .header("Content-Type", Api.NDJSON)
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> slow))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        assertThat(inFlight).noneMatch(CompletableFuture::isDone);
        http.close();
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> response = f.get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).endsWith("{\"count\":" + perClient + "}\n");
        }
        assertThat(store.collection("slow").count()).isEqualTo((long) clients * perClient);
        assertThatThrownBy(() -> http.get("/health")).hasCauseInstanceOf(java.net.ConnectException.class);
    }

    /** Database down: 503 with Retry-After on requests and on /ready, and service resumes when it is back. */
    @BackendTest("postgres")
    void unreachableDatabaseIs503(TestBackend backend) throws Exception {
        RecordStore store =
                backend.openStore(b -> b.set("VELLUM_CONNECT_TIMEOUT", "500ms").set("VELLUM_POSTGRES_POOL_MIN", "0"));
        try (Http http = Http.start(store);
                Connection admin = admin(backend)) {
            assertThat(http.post("/v1/collections/c/records", "{\"id\":\"a\",\"fields\":{}}")
                            .statusCode())
                    .isEqualTo(201);
            String db = backend.postgres().database();
            try (Statement s = admin.createStatement()) {
                s.execute("ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false");
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
            }
            try {
                HttpResponse<String> down = http.get("/v1/collections/c/records/a");
                assertProblem(down, 503, "unavailable");
                assertThat(down.headers().firstValue("Retry-After")).isPresent();
                assertProblem(http.get("/ready"), 503, "unavailable");
                assertThat(http.get("/health").statusCode()).isEqualTo(200);
            } finally {
                try (Statement s = admin.createStatement()) {
                    s.execute("ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS true");
                }
            }
            assertThat(http.get("/v1/collections/c/records/a").statusCode()).isEqualTo(200);
            assertThat(http.get("/ready").statusCode()).isEqualTo(200);
        }
    }

    /** A request stuck behind a lock gets 503 at the request timeout instead of hanging. */
    @BackendTest("postgres")
    void requestTimeoutIs503(TestBackend backend) throws Exception {
        RecordStore store = backend.openStore();
        try (Http http = Http.start(store, Map.of("VELLUM_HTTP_REQUEST_TIMEOUT", "700ms"));
                Connection locker = DriverManager.getConnection(
                        backend.postgres().jdbcUrl(),
                        backend.postgres().user(),
                        backend.postgres().password())) {
            http.post("/v1/collections/c/records", "{\"id\":\"a\",\"fields\":{}}");
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE \"vc_c\" IN ACCESS EXCLUSIVE MODE");
                JsonNode problem = assertProblem(http.get("/v1/collections/c/records/a"), 503, "timeout");
                assertThat(problem.get("detail").asText()).contains("VELLUM_HTTP_REQUEST_TIMEOUT");
            } finally {
                locker.rollback();
            }
            assertThat(http.get("/v1/collections/c/records/a").statusCode()).isEqualTo(200);
        }
    }

    // ---- helpers ----

    private static Connection admin(TestBackend backend) throws Exception {
        return DriverManager.getConnection(
                backend.postgres().withDatabase("postgres").jdbcUrl(),
                backend.postgres().user(),
                backend.postgres().password());
    }

    static String id(int i) {
        return String.format("r%07d", i);
    }

    /**
     * Mixed shapes: Unicode, escapes, decimals, nested objects and arrays, nulls. Keys are in the order PostgreSQL's
     * JSONB keeps them (shorter first, then by bytes), so the text can be compared byte for byte on both backends.
     */
    static String fields(int i) {
        return "{\"a\":" + i + ",\"b\":\"name " + i + " 名前 \\\"q\\\" é\",\"c\":" + (i % 7 == 0 ? "null" : "true")
                + ",\"d\":" + (i % 100) + ".25,\"e\":[" + (i % 3) + ",\"x\",{\"k\":false}],\"f\":{\"g\":{\"h\":\"t" + i
                + "\"}}}";
    }

    interface Line {
        String at(int i);
    }

    /** n generated lines as a stream, produced as they are read: the body never exists in memory at once. */
    static InputStream lines(int n, Line line) {
        return new InputStream() {
            private final java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream(1 << 16);
            private byte[] buffer = new byte[0];
            private int position;
            private int next;

            private boolean fill() {
                if (position < buffer.length) {
                    return true;
                }
                if (next >= n) {
                    return false;
                }
                chunk.reset();
                while (next < n && chunk.size() < (1 << 16)) {
                    chunk.writeBytes(line.at(next++).getBytes(StandardCharsets.UTF_8));
                }
                buffer = chunk.toByteArray();
                position = 0;
                return true;
            }

            @Override
            public int read() {
                return fill() ? buffer[position++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (!fill()) {
                    return -1;
                }
                int count = Math.min(len, buffer.length - position);
                System.arraycopy(buffer, position, b, off, count);
                position += count;
                return count;
            }
        };
    }

    private static InputStream slowLines(int n, long pauseMillis, Line line) {
        InputStream lines = lines(n, line);
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return lines.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int read = lines.read(b, off, Math.min(len, 16));
                try {
                    Thread.sleep(pauseMillis / 4);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return read;
            }
        };
    }
}
