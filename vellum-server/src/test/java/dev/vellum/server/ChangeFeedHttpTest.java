package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The change feed over HTTP: enabling, long-polls, Server-Sent Events, and their errors, on every backend. */
class ChangeFeedHttpTest {
    private static final String ORDERS = "/v1/collections/orders";

    private static List<String> ops(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("changes")
                .forEach(c -> out.add(c.get("op").asText() + " " + c.get("id").asText() + " "
                        + c.get("version").asLong()));
        return out;
    }

    @StoreTest
    void enableReadAndDisable(RecordStore store) {
        try (Http http = Http.start(store)) {
            JsonNode off = assertProblem(http.get(ORDERS + "/changes?after=0"), 404, "changes-not-enabled");
            assertThat(off.get("detail").asText()).contains("PUT /v1/collections/orders/changes");
            HttpResponse<String> enabled = http.send("PUT", ORDERS + "/changes", "");
            assertThat(enabled.statusCode()).isEqualTo(201);
            assertThat(json(enabled).get("enabled").asBoolean()).isTrue();
            assertThat(http.send("PUT", ORDERS + "/changes", "").statusCode()).isEqualTo(200);

            http.post(ORDERS + "/records", "{\"id\":\"o1\",\"fields\":{\"status\":\"open\",\"total\":5}}");
            http.send(
                    "PATCH",
                    ORDERS + "/records/o1",
                    "{\"status\":\"paid\"}",
                    "Content-Type",
                    "application/merge-patch+json");
            http.post(ORDERS + "/records", "{\"id\":\"o2\",\"fields\":{\"status\":\"open\"}}");
            http.delete(ORDERS + "/records/o1");

            HttpResponse<String> all = http.get(ORDERS + "/changes?after=0");
            assertThat(all.statusCode()).isEqualTo(200);
            JsonNode page = json(all);
            assertThat(ops(page)).containsExactly("insert o1 1", "update o1 2", "insert o2 1", "delete o1 3");
            JsonNode first = page.get("changes").get(0);
            assertThat(first.get("collection").asText()).isEqualTo("orders");
            assertThat(first.get("token").asText()).isNotBlank();
            assertThat(first.get("at").asText()).endsWith("Z");
            assertThat(first.at("/record/fields/total").asInt()).isEqualTo(5);
            assertThat(page.get("changes").get(3).has("record")).isFalse();
            String next = page.get("next").asText();
            assertThat(next).isEqualTo(page.get("changes").get(3).get("token").asText());

            // paging, resuming, "from now", filters and the store-wide feed
            JsonNode two = json(http.get(ORDERS + "/changes?after=0&limit=2"));
            assertThat(ops(two)).containsExactly("insert o1 1", "update o1 2");
            assertThat(ops(json(http.get(
                            ORDERS + "/changes?after=" + two.get("next").asText()))))
                    .containsExactly("insert o2 1", "delete o1 3");
            JsonNode now = json(http.get(ORDERS + "/changes"));
            assertThat(ops(now)).isEmpty();
            assertThat(now.get("next").asText()).isEqualTo(next);
            assertThat(ops(json(http.get(ORDERS + "/changes?after=0&filter=%7B%22status%22:%22paid%22%7D"))))
                    .containsExactly("update o1 2", "delete o1 3");
            assertThat(ops(json(http.get("/v1/changes?after=0")))).hasSize(4);

            assertProblem(http.get(ORDERS + "/changes?after=banana"), 400, "invalid-query");
            assertProblem(http.get(ORDERS + "/changes?after=0&limit=0"), 400, "invalid-query");
            assertProblem(http.get(ORDERS + "/changes?after=0&wait=forever"), 400, "invalid-query");
            assertProblem(http.get(ORDERS + "/changes?after=0&filter=%7B"), 400, "invalid-query");
            assertProblem(http.get(ORDERS + "/changes?since=0"), 400, "invalid-query");

            assertThat(http.delete(ORDERS + "/changes").statusCode()).isEqualTo(204);
            assertProblem(http.delete(ORDERS + "/changes"), 404, "not-found");
            assertProblem(http.get(ORDERS + "/changes?after=0"), 404, "changes-not-enabled");
        }
    }

    @StoreTest
    void aLongPollAnswersAsSoonAsAChangeCommits(RecordStore store) throws Exception {
        try (Http http = Http.start(store)) {
            http.send("PUT", ORDERS + "/changes", "");
            String now = json(http.get(ORDERS + "/changes")).get("next").asText();
            long started = System.nanoTime();
            assertThat(ops(json(http.get(ORDERS + "/changes?after=" + now + "&wait=500ms"))))
                    .isEmpty();
            assertThat(System.nanoTime() - started).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(400));

            CompletableFuture<HttpResponse<String>> poll =
                    CompletableFuture.supplyAsync(() -> http.get(ORDERS + "/changes?after=" + now + "&wait=10s"));
            Thread.sleep(300);
            started = System.nanoTime();
            http.post(ORDERS + "/records", "{\"id\":\"late\",\"fields\":{}}");
            JsonNode page = json(poll.get(20, TimeUnit.SECONDS));
            assertThat(ops(page)).containsExactly("insert late 1");
            assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(5));
        }
    }

    @StoreTest
    void anExpiredTokenIs410(TestBackend backend) throws Exception {
        RecordStore store = backend.openStore(b -> b.set("VELLUM_CHANGES_RETENTION", "1s"));
        store.collection("orders").enableChanges();
        store.collection("orders").insert("a", Map.of(), null);
        String token = store.collection("orders").changes().poll("0", 1).next();
        store.collection("orders").insert("b", Map.of(), null);
        Thread.sleep(1500);
        store.collection("orders").insert("c", Map.of(), null); // retention always keeps the newest change
        RecordStore reader =
                store.database().isEmpty() ? store : backend.openStore(b -> b.set("VELLUM_CHANGES_RETENTION", "1s"));
        try (Http http = Http.start(reader)) {
            JsonNode gone = assertProblem(http.get(ORDERS + "/changes?after=" + token), 410, "token-expired");
            assertThat(gone.get("detail").asText()).contains("resync");
        }
    }

    @StoreTest
    void serverSentEventsStreamAndResumeWithLastEventId(RecordStore store) throws Exception {
        try (Http http = Http.start(store, Map.of("VELLUM_HTTP_IDLE_TIMEOUT", "2s"))) {
            http.send("PUT", ORDERS + "/changes", "");
            http.post(ORDERS + "/records", "{\"id\":\"a\",\"fields\":{\"n\":1}}");
            String lastId;
            try (EventStream events = new EventStream(http, ORDERS + "/changes?after=0")) {
                HttpResponse<Stream<String>> response = events.response.get(20, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("Content-Type").orElse(""))
                        .startsWith("text/event-stream");
                List<String> first = events.nextEvent();
                assertThat(first.get(0)).startsWith("id: ");
                assertThat(first).contains("event: insert");
                JsonNode data = VellumJson.parse(first.get(2).substring("data: ".length()));
                assertThat(data.get("id").asText()).isEqualTo("a");
                assertThat(data.get("token").asText()).isEqualTo(first.get(0).substring(4));
                // live changes arrive as they commit; the stream stays open past the idle timeout on heartbeats
                Thread.sleep(2500);
                http.post(ORDERS + "/records", "{\"id\":\"b\",\"fields\":{}}");
                List<String> second = events.nextEvent();
                assertThat(second).contains("event: insert");
                assertThat(second.get(2)).contains("\"id\":\"b\"");
                lastId = second.get(0).substring(4);
                assertThat(events.comments).anyMatch(l -> l.startsWith(": heartbeat"));
            }
            http.delete(ORDERS + "/records/a");
            try (EventStream again = new EventStream(http, ORDERS + "/changes", "Last-Event-ID", lastId)) {
                List<String> resumed = again.nextEvent();
                assertThat(resumed).contains("event: delete");
                assertThat(resumed.get(2)).contains("\"id\":\"a\"").doesNotContain("\"record\"");
            }
            // errors before the stream starts are plain problems
            HttpResponse<String> bad = http.send(http.request(ORDERS + "/changes?after=nope")
                    .header("Accept", "text/event-stream")
                    .GET());
            assertThat(bad.statusCode()).isEqualTo(400);
        }
    }

    /**
     * A browser's EventSource reconnects to the URL it was given, after=0 included, and sends Last-Event-ID: the
     * header wins, so nothing comes twice. The opening comment names where the stream starts.
     */
    @StoreTest
    void aReconnectWithTheSameUrlResumesFromLastEventId(RecordStore store) throws Exception {
        try (Http http = Http.start(store)) {
            http.send("PUT", ORDERS + "/changes", "");
            http.post(ORDERS + "/records", "{\"id\":\"a\",\"fields\":{}}");
            http.post(ORDERS + "/records", "{\"id\":\"b\",\"fields\":{}}");
            String firstId;
            try (EventStream events = new EventStream(http, ORDERS + "/changes?after=0")) {
                firstId = events.nextEvent().get(0).substring(4);
                assertThat(events.comments).contains(": vellum change feed after 0");
            }
            try (EventStream again = new EventStream(http, ORDERS + "/changes?after=0", "Last-Event-ID", firstId)) {
                List<String> resumed = again.nextEvent();
                assertThat(resumed.get(2)).contains("\"id\":\"b\"");
                assertThat(again.comments).contains(": vellum change feed after " + firstId);
            }
        }
    }

    /** A client that leaves a quiet stream frees its reader within seconds, not at the idle timeout. */
    @StoreTest
    void aDepartedClientIsReleasedWithinSeconds(RecordStore store) throws Exception {
        try (Http http =
                Http.start(store, Map.of("VELLUM_HTTP_MAX_CONCURRENT", "1", "VELLUM_HTTP_IDLE_TIMEOUT", "60s"))) {
            http.send("PUT", ORDERS + "/changes", "");
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", http.server.port())) {
                socket.getOutputStream()
                        .write(("GET " + ORDERS + "/changes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        + "Accept: text/event-stream\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                assertThat(new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("HTTP/1.1 200");
            }
            // the one reader permit comes back once the server notices: a second stream is served, not refused 503
            long left = System.nanoTime();
            assertThat(awaitReader(http, null))
                    .as("a reader within 2.5 s of the client leaving")
                    .isEqualTo(200);
            assertThat(System.nanoTime() - left).isLessThan(TimeUnit.MILLISECONDS.toNanos(2_500));
        }
    }

    /**
     * Issue 26: 140 connect-and-close cycles in a moment held all 128 reader slots until each stream's heartbeat, and
     * a few a second kept the feed unavailable to everyone. Now one client holds at most its share (429 past it),
     * another client is served at once, and the departed streams are let go within seconds.
     */
    @StoreTest
    void clientsThatConnectAndLeaveStarveNoOne(RecordStore store) throws Exception {
        String churner = "churner-key-0123456789abcdef";
        String other = "other-key-0123456789abcdef00";
        try (Http http = Http.start(
                store,
                Map.of(
                        "VELLUM_API_KEYS",
                        churner + "," + other,
                        "VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT",
                        "4",
                        "VELLUM_HTTP_MAX_CONCURRENT",
                        "8"))) {
            http.send(http.request(ORDERS + "/changes")
                    .header("Authorization", "Bearer " + churner)
                    .PUT(java.net.http.HttpRequest.BodyPublishers.noBody()));
            int refused = 0;
            for (int i = 0; i < 140; i++) {
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", http.server.port())) {
                    socket.getOutputStream()
                            .write(("GET " + ORDERS + "/changes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                            + "Authorization: Bearer " + churner
                                            + "\r\nAccept: text/event-stream\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    socket.getOutputStream().flush();
                    String status =
                            new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.UTF_8);
                    assertThat(status).isIn("HTTP/1.1 200", "HTTP/1.1 429");
                    refused += status.endsWith("429") ? 1 : 0;
                }
            }
            assertThat(refused)
                    .as("past its share, the churning client is refused")
                    .isPositive();
            HttpResponse<String> tooMany = http.send(http.request(ORDERS + "/changes?wait=0")
                    .header("Authorization", "Bearer " + churner)
                    .GET());
            if (tooMany.statusCode() == 429) {
                assertThat(tooMany.body()).contains("too-many-readers", "VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT");
                assertThat(tooMany.headers().firstValue("Retry-After")).isPresent();
            }
            // another client is served at once; the churner again within seconds
            assertThat(http.send(http.request(ORDERS + "/changes?wait=0")
                                    .header("Authorization", "Bearer " + other)
                                    .GET())
                            .statusCode())
                    .isEqualTo(200);
            long started = System.nanoTime();
            assertThat(awaitReader(http, churner)).isEqualTo(200);
            assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(2_500));
        }
    }

    /**
     * A stream whose client stops reading falls behind the others without holding them back; once it reads again it
     * gets every change it missed, once and in order (it left its feed's dispatcher, read on alone, and rejoined).
     */
    @StoreTest
    void aClientThatFallsBehindCatchesUpWithoutHoldingOthersBack(RecordStore store) throws Exception {
        try (Http http = Http.start(store);
                java.net.Socket slow = new java.net.Socket()) {
            http.send("PUT", ORDERS + "/changes", "");
            slow.setReceiveBufferSize(4096);
            slow.setSoTimeout(20_000);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", http.server.port()));
            slow.getOutputStream()
                    .write(("GET " + ORDERS + "/changes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Accept: text/event-stream\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.io.InputStream in = new java.io.BufferedInputStream(slow.getInputStream());
            assertThat(new String(in.readNBytes(12), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("HTTP/1.1 200");
            try (EventStream fast = new EventStream(http, ORDERS + "/changes")) {
                assertThat(fast.response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                Thread.sleep(300); // both caught up and following
                int records = 200;
                String pad = "x".repeat(50_000); // 10 MB in all: past what the sockets and the stream hold
                for (int i = 0; i < records; i++) {
                    store.collection("orders").insert("r" + i, Map.of("n", i, "pad", pad), null);
                }
                for (int i = 0; i < records; i++) {
                    assertThat(fast.nextEvent().get(2)).contains("\"id\":\"r" + i + "\"");
                }
                List<String> ids = new ArrayList<>();
                for (String line : chunkedLines(in, "\"id\":\"r" + (records - 1) + "\"")) {
                    if (line.startsWith("data: ")) {
                        ids.add(VellumJson.parse(line.substring(6)).get("id").asText());
                    }
                }
                assertThat(ids)
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, records)
                                .mapToObj(i -> "r" + i)
                                .toList());
            }
        }
    }

    /** The lines of a chunked HTTP/1.1 body (after the status line), up to the one containing {@code last}. */
    private static List<String> chunkedLines(java.io.InputStream in, String last) throws java.io.IOException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        String header;
        do {
            header = readLine(in);
        } while (!header.isEmpty());
        List<String> lines = new ArrayList<>();
        StringBuilder partial = new StringBuilder();
        while (true) {
            int size = Integer.parseInt(readLine(in).trim(), 16);
            String chunk = new String(in.readNBytes(size), java.nio.charset.StandardCharsets.UTF_8);
            readLine(in);
            partial.append(chunk);
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, end);
                partial.delete(0, end + 1);
                lines.add(line);
                if (line.contains(last)) {
                    return lines;
                }
            }
            assertThat(size).as("the stream ended before %s", last).isPositive();
        }
    }

    private static String readLine(java.io.InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            assertThat(b).as("the connection closed").isNotNegative();
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** Polls the feed until it answers 200 (at most 8 s); the last status. */
    private static int awaitReader(Http http, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        int status = 0;
        while (System.nanoTime() < deadline) {
            java.net.http.HttpRequest.Builder request = http.request(ORDERS + "/changes?wait=0");
            if (key != null) {
                request.header("Authorization", "Bearer " + key);
            }
            status = http.send(request.GET()).statusCode();
            if (status == 200) {
                break;
            }
            Thread.sleep(100);
        }
        return status;
    }

    @StoreTest
    void aStoppingServerEndsItsStreamsCleanly(RecordStore store) throws Exception {
        Http http = Http.start(store);
        http.send("PUT", ORDERS + "/changes", "");
        EventStream events = new EventStream(http, "/v1/changes");
        assertThat(events.response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        long started = System.nanoTime();
        http.server.close();
        events.ended.get(20, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }
}
