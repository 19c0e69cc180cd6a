package dev.vellum.server;

import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.testkit.StoreTest;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every endpoint and every error status, on every backend, through a real server and a real HTTP client. */
class EndpointsTest {
    private static final String USERS = "/v1/collections/users";

    @StoreTest
    void recordLifecycleWithEtags(RecordStore store) {
        try (Http http = Http.start(store)) {
            HttpResponse<String> created = http.post(
                    USERS + "/records",
                    "{\"id\":\"ada\",\"fields\":{\"name\":\"Ada\",\"age\":36},\"metadata\":{\"source\":\"test\"}}");
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.headers().firstValue("Location")).hasValue(USERS + "/records/ada");
            assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");
            assertThat(created.headers().firstValue("X-Request-Id")).isPresent();
            JsonNode record = json(created);
            assertThat(record.get("fields")).isEqualTo(VellumJson.parse("{\"name\":\"Ada\",\"age\":36}"));
            assertThat(record.path("metadata").path("source").asText()).isEqualTo("test");
            assertThat(record.has("createdAt")
                            && record.has("updatedAt")
                            && record.get("version").asLong() == 1)
                    .isTrue();

            assertProblem(http.post(USERS + "/records", "{\"id\":\"ada\",\"fields\":{}}"), 409, "duplicate");

            HttpResponse<String> got = http.get(USERS + "/records/ada");
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(json(got)).isEqualTo(record);
            assertThat(http.get(USERS + "/records/ada", "If-None-Match", "\"1\"")
                            .statusCode())
                    .isEqualTo(304);
            assertThat(http.get(USERS + "/records/ada", "If-None-Match", "\"7\"")
                            .statusCode())
                    .isEqualTo(200);
            assertProblem(http.get(USERS + "/records/nobody"), 404, "not-found");

            // replace: stale If-Match is 412 with both versions; the current one wins
            JsonNode stale = assertProblem(
                    http.send("PUT", USERS + "/records/ada", "{\"fields\":{\"name\":\"A\"}}", "If-Match", "\"9\""),
                    412,
                    "stale-version");
            assertThat(stale.get("expectedVersion").asLong()).isEqualTo(9);
            assertThat(stale.get("actualVersion").asLong()).isEqualTo(1);
            HttpResponse<String> replaced =
                    http.send("PUT", USERS + "/records/ada", "{\"fields\":{\"name\":\"Ada L\"}}", "If-Match", "\"1\"");
            assertThat(replaced.statusCode()).isEqualTo(200);
            assertThat(replaced.headers().firstValue("ETag")).hasValue("\"2\"");
            assertThat(json(replaced).get("fields")).isEqualTo(VellumJson.parse("{\"name\":\"Ada L\"}"));
            assertProblem(http.send("PUT", USERS + "/records/ghost", "{\"fields\":{}}"), 404, "not-found");
            assertProblem(
                    http.send("PUT", USERS + "/records/ada", "{\"fields\":{}}", "If-Match", "3"), 400, "bad-request");

            // merge patch: its own media type; null removes a key
            HttpResponse<String> patched = http.send(
                    "PATCH",
                    USERS + "/records/ada",
                    "{\"age\":37,\"name\":null,\"address\":{\"city\":\"London\"}}",
                    "Content-Type",
                    "application/merge-patch+json",
                    "If-Match",
                    "\"2\"");
            assertThat(patched.statusCode()).isEqualTo(200);
            assertThat(json(patched).get("fields"))
                    .isEqualTo(VellumJson.parse("{\"age\":37,\"address\":{\"city\":\"London\"}}"));
            assertProblem(
                    http.send("PATCH", USERS + "/records/ada", "{}", "Content-Type", "text/plain"),
                    415,
                    "unsupported-media-type");
            assertProblem(
                    http.send(
                            "PATCH",
                            USERS + "/records/ada",
                            "{\"a\":1}",
                            "Content-Type",
                            "application/merge-patch+json",
                            "If-Match",
                            "\"2\""),
                    412,
                    "stale-version");

            // delete honours If-Match, then the record is gone
            assertProblem(http.delete(USERS + "/records/ada", "If-Match", "\"1\""), 412, "stale-version");
            assertThat(http.delete(USERS + "/records/ada", "If-Match", "\"3\"").statusCode())
                    .isEqualTo(204);
            assertProblem(http.delete(USERS + "/records/ada"), 404, "not-found");
            assertProblem(http.get(USERS + "/records/ada"), 404, "not-found");
        }
    }

    /** A problem's words are UTF-8 like every other JSON answer, whatever characters they quote. */
    @StoreTest
    void problemsKeepTheirCharacters(RecordStore store) {
        try (Http http = Http.start(store)) {
            JsonNode regex = assertProblem(
                    http.get(USERS + "/records?filter="
                            + java.net.URLEncoder.encode(
                                    "{\"a\":{\"$regex\":\"(?=i)\"}}", java.nio.charset.StandardCharsets.UTF_8)),
                    400,
                    "invalid-query");
            assertThat(regex.get("detail").asText()).contains("(?…)");
            http.post(USERS + "/records", "{\"id\":\"zoë\",\"fields\":{}}");
            JsonNode duplicate =
                    assertProblem(http.post(USERS + "/records", "{\"id\":\"zoë\",\"fields\":{}}"), 409, "duplicate");
            assertThat(duplicate.get("detail").asText()).contains("'zoë'");
        }
    }

    @StoreTest
    void badInputGetsProblemsAndWritesNothing(RecordStore store) {
        try (Http http = Http.start(
                store,
                Map.of(
                        "VELLUM_HTTP_MAX_BODY",
                        "2KB",
                        "VELLUM_HTTP_MAX_PAGE_SIZE",
                        "50",
                        "VELLUM_HTTP_DEFAULT_PAGE_SIZE",
                        "20",
                        "VELLUM_HTTP_MAX_FILTER_DEPTH",
                        "4",
                        "VELLUM_HTTP_MAX_FILTER_CONDITIONS",
                        "10"))) {
            assertThat(assertProblem(http.post(USERS + "/records", "{\"fields\":"), 400, "malformed-json")
                            .get("title")
                            .asText())
                    .isEqualTo("Malformed JSON");
            assertProblem(http.post(USERS + "/records", ""), 400, "malformed-json");
            assertProblem(http.post(USERS + "/records", "{\"fields\":[1]}"), 400, "invalid-record");
            assertProblem(http.post(USERS + "/records", "{\"fields\":{},\"extra\":1}"), 400, "invalid-record");
            assertProblem(http.post("/v1/collections/bad%20name!/records", "{\"fields\":{}}"), 400, null);
            assertProblem(
                    http.post(USERS + "/records", "{\"fields\":{}}", "Content-Type", "text/plain"),
                    415,
                    "unsupported-media-type");
            assertProblem(
                    http.post(USERS + "/records", "{\"fields\":{\"bio\":\"" + "x".repeat(3000) + "\"}}"),
                    413,
                    "body-too-large");

            JsonNode badOperator = assertProblem(
                    http.post(USERS + "/query", "{\"filter\":{\"age\":{\"$near\":1}}}"), 400, "invalid-query");
            assertThat(badOperator.get("part").asText()).isEqualTo("$near");
            JsonNode badKey = assertProblem(http.post(USERS + "/query", "{\"filtre\":{}}"), 400, "invalid-query");
            assertThat(badKey.get("part").asText()).isEqualTo("filtre");
            assertProblem(http.get(USERS + "/records?filter=" + encode("{\"age\":")), 400, "invalid-query");
            assertProblem(http.get(USERS + "/records?limit=51"), 400, "invalid-query");
            assertProblem(http.get(USERS + "/records?limit=ten"), 400, "invalid-query");
            assertProblem(http.get(USERS + "/records?colour=red"), 400, "invalid-query");
            assertProblem(http.get(USERS + "/records?sort=" + encode("$nope")), 400, "invalid-query");
            assertProblem(http.post(USERS + "/count", "{\"filter\":" + nested(6) + "}"), 400, "invalid-query");
            assertProblem(
                    http.post(USERS + "/count", "{\"filter\":{\"n\":{\"$in\":[1,2,3,4,5,6,7,8,9,10,11]}}}"),
                    400,
                    "invalid-query");
            assertProblem(http.post(USERS + "/delete", "{}"), 400, "invalid-query");
            assertProblem(http.post(USERS + "/update", "{\"filter\":{},\"patch\":3}"), 400, "bad-request");

            // a bad record in the middle of a batch: nothing of it is written
            HttpResponse<String> batch =
                    http.post(USERS + "/records:batch", "[{\"id\":\"a\",\"fields\":{}},{\"fields\":7}]");
            assertProblem(batch, 400, "invalid-record");
            HttpResponse<String> ndjson = http.post(
                    USERS + "/records:batch",
                    "{\"id\":\"a\",\"fields\":{}}\n{\"id\":\"b\",\"fields\":{}}\nnot json\n",
                    "Content-Type",
                    Api.NDJSON);
            assertThat(assertProblem(ndjson, 400, "invalid-record")
                            .get("detail")
                            .asText())
                    .contains("line 3");
            assertProblem(
                    http.post(
                            USERS + "/records:batch",
                            "[{\"id\":\"a\",\"fields\":{}},{\"id\":\"a\"," + "\"fields\":{}}]"),
                    409,
                    "duplicate");
            assertThat(json(http.post(USERS + "/count", "{}")).get("count").asLong())
                    .isZero();

            assertProblem(http.get("/v1/nowhere"), 404, "not-found");
            assertProblem(http.send("PUT", "/v1/collections", "{}"), 405, "method-not-allowed");
        }
    }

    @StoreTest
    void queriesCountsBulkWritesAndExport(RecordStore store) {
        try (Http http = Http.start(store)) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 30; i++) {
                batch.append(i == 0 ? "" : ",")
                        .append("{\"id\":\"u")
                        .append(String.format("%02d", i))
                        .append("\",\"fields\":{\"age\":")
                        .append(20 + i)
                        .append(",\"city\":\"")
                        .append(i % 3 == 0 ? "NY" : "LA")
                        .append("\"}}");
            }
            JsonNode inserted =
                    json(http.post(USERS + "/records:batch", batch.append("]").toString()));
            assertThat(inserted.get("count").asLong()).isEqualTo(30);
            assertThat(inserted.get("ids")).hasSize(30);
            JsonNode generated = json(http.post(USERS + "/records:batch", "[{\"fields\":{\"age\":99}}]"));
            assertThat(generated.get("ids").get(0).asText()).hasSize(36);

            String filter = "{\"city\":\"NY\",\"age\":{\"$gte\":30}}";
            JsonNode byGet =
                    json(http.get(USERS + "/records?filter=" + encode(filter) + "&sort=-age&limit=2" + "&fields=age"));
            JsonNode byPost = json(http.post(
                    USERS + "/query",
                    "{\"filter\":" + filter + ",\"sort\":[\"-age\"]," + "\"limit\":2,\"fields\":[\"age\"]}"));
            assertThat(byGet).isEqualTo(byPost);
            assertThat(ages(byGet)).containsExactly(47, 44);
            assertThat(byGet.get("records").get(0).get("fields").has("city")).isFalse();
            JsonNode next = json(http.post(
                    USERS + "/query",
                    "{\"filter\":" + filter + ",\"sort\":[\"-age\"]," + "\"limit\":10,\"cursor\":\""
                            + byGet.get("nextCursor").asText() + "\"}"));
            assertThat(ages(next)).containsExactly(41, 38, 35, 32);
            assertThat(next.get("nextCursor").isNull()).isTrue();

            assertThat(json(http.post(USERS + "/count", "{\"filter\":" + filter + "}"))
                            .get("count")
                            .asLong())
                    .isEqualTo(6);
            assertThat(json(http.post(USERS + "/count", "{}")).get("count").asLong())
                    .isEqualTo(31);
            assertThat(json(http.post(USERS + "/update", "{\"filter\":{\"city\":\"LA\"},\"patch\":{\"moved\":true}}"))
                            .get("count")
                            .asLong())
                    .isEqualTo(20);
            assertThat(json(http.post(USERS + "/count", "{\"filter\":{\"moved\":true}}"))
                            .get("count")
                            .asLong())
                    .isEqualTo(20);
            assertThat(json(http.post(USERS + "/delete", "{\"filter\":{\"age\":{\"$gt\":45}}}"))
                            .get("count")
                            .asLong())
                    .isEqualTo(5);

            HttpResponse<String> export = http.get(USERS + "/export");
            assertThat(export.headers().firstValue("Content-Type").orElse("")).startsWith(Api.NDJSON);
            List<String> lines = export.body().lines().toList();
            assertThat(lines).hasSize(26);
            assertThat(VellumJson.parse(lines.get(0)).get("id").asText()).isEqualTo("u00");

            JsonNode collections = json(http.get("/v1/collections"));
            assertThat(collections.get("collections")).hasSize(1);
            assertThat(collections.get("collections").get(0).get("name").asText())
                    .isEqualTo("users");
            assertThat(collections.get("collections").get(0).get("count").asLong())
                    .isEqualTo(26);
        }
    }

    @StoreTest
    void indexesAndCollections(RecordStore store) {
        try (Http http = Http.start(store)) {
            http.post(USERS + "/records", "{\"id\":\"a\",\"fields\":{\"email\":\"a@x\"}}");
            String index = "{\"name\":\"by_email\",\"paths\":[\"email\"],\"unique\":true}";
            assertThat(http.post(USERS + "/indexes", index).statusCode()).isEqualTo(201);
            assertThat(http.post(USERS + "/indexes", index).statusCode()).isEqualTo(200);
            assertProblem(
                    http.post(USERS + "/indexes", "{\"name\":\"by_email\",\"paths\":[\"name\"]}"), 409, "index-exists");
            assertProblem(http.post(USERS + "/indexes", "{\"name\":\"x\",\"paths\":[]}"), 400, "bad-request");
            assertThat(json(http.get(USERS + "/indexes")).get("indexes"))
                    .isEqualTo(VellumJson.parse("[" + index + "]"));
            assertProblem(
                    http.post(USERS + "/records", "{\"id\":\"b\",\"fields\":{\"email\":\"a@x\"}}"), 409, "duplicate");
            assertThat(http.delete(USERS + "/indexes/by_email").statusCode()).isEqualTo(204);
            assertProblem(http.delete(USERS + "/indexes/by_email"), 404, "not-found");
            assertThat(http.post(USERS + "/indexes", "{\"name\":\"by_city\",\"paths\":[\"city\"]}")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(http.send("DELETE", USERS + "/indexes", "{\"name\":\"by_city\"}")
                            .statusCode())
                    .isEqualTo(204);
            assertThat(json(http.get(USERS + "/indexes")).get("indexes")).isEmpty();

            assertThat(http.delete(USERS).statusCode()).isEqualTo(204);
            assertProblem(http.delete(USERS), 404, "not-found");
            assertThat(json(http.get("/v1/collections")).get("collections")).isEmpty();
        }
    }

    @StoreTest
    void paginationThroughAFilterSeesEachRecordOnce(RecordStore store) {
        try (Http http = Http.start(store, Map.of("VELLUM_HTTP_DEFAULT_PAGE_SIZE", "7"))) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 250; i++) {
                lines.append("{\"id\":\"r")
                        .append(i)
                        .append("\",\"fields\":{\"n\":")
                        .append(i % 17)
                        .append(",\"keep\":")
                        .append(i % 4 != 0)
                        .append("}}\n");
            }
            http.post(USERS + "/records:batch", lines.toString(), "Content-Type", Api.NDJSON);
            Set<String> seen = new HashSet<>();
            List<Integer> order = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                HttpResponse<String> page = http.get(USERS + "/records?filter=" + encode("{\"keep\":true}") + "&sort=n"
                        + (cursor == null ? "" : "&cursor=" + encode(cursor)));
                assertThat(page.statusCode()).isEqualTo(200);
                JsonNode body = json(page);
                assertThat(body.get("records").size()).isLessThanOrEqualTo(7);
                body.get("records").forEach(r -> {
                    assertThat(seen.add(r.get("id").asText())).isTrue();
                    order.add(r.get("fields").get("n").asInt());
                });
                cursor = body.get("nextCursor").isNull()
                        ? null
                        : body.get("nextCursor").asText();
                pages++;
            } while (cursor != null);
            assertThat(seen).hasSize(187);
            assertThat(order).isSorted();
            assertThat(pages).isEqualTo(27);
        }
    }

    @StoreTest
    void operationalEndpoints(RecordStore store) {
        try (Http http = Http.start(store)) {
            assertThat(json(http.get("/health")).get("status").asText()).isEqualTo("up");
            HttpResponse<String> ready = http.get("/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready).get("backend").asText()).isEqualTo(store.backendName());
            http.post(USERS + "/records", "{\"fields\":{}}");
            http.get(USERS + "/records/missing");
            String metrics = http.get("/metrics").body();
            assertThat(metrics)
                    .contains("http_server_requests_seconds_count{method=\"POST\","
                            + "route=\"/v1/collections/{c}/records\",status=\"201\"}");
            assertThat(metrics).contains("route=\"/v1/collections/{c}/records/{id}\",status=\"404\"");
            assertThat(metrics).contains("vellum_store_operations_seconds_count{operation=\"insert\"");
            if (store.database().isPresent()) {
                assertThat(metrics).contains("vellum_pool_connections{state=\"max\"}");
            }
            JsonNode openapi = json(http.get("/openapi.json"));
            assertThat(openapi.get("openapi").asText()).isEqualTo("3.1.0");
        }
    }

    /** The OpenAPI document lists exactly the routes the server registers, method by method. */
    @Test
    void openApiDescribesEveryRoute() {
        try (RecordStore store = dev.vellum.Vellum.open("memory:");
                Http http = Http.start(store)) {
            JsonNode paths = OpenApi.document().get("paths");
            Set<String> documented = new HashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> path = it.next();
                path.getValue()
                        .fieldNames()
                        .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
            }
            assertThat(documented).containsExactlyInAnyOrderElementsOf(http.server.routes());
        }
    }

    // ---- helpers ----

    /** Asserts an RFC 9457 body with this status (and type suffix), and that it leaks no SQL or stack trace. */
    static JsonNode assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = json(response);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(body.get("detail").asText()).isNotBlank();
        if (type != null) {
            assertThat(body.get("type").asText()).endsWith("/" + type);
        }
        assertThat(response.body()).doesNotContain("SELECT", "INSERT", "SQLSTATE", "at dev.vellum", "Exception");
        // no Java names in words meant for people: a class's constant (Api.JSON) or a qualified class name
        for (String words :
                List.of(body.get("title").asText(), body.get("detail").asText())) {
            assertThat(words).doesNotContainPattern("\\b[A-Z][A-Za-z]+\\.[A-Z][A-Z_]{2,}\\b");
            assertThat(words).doesNotContainPattern("\\b[a-z]+\\.[a-z]+\\.[A-Z][A-Za-z]+");
        }
        return body;
    }

    private static List<Integer> ages(JsonNode page) {
        List<Integer> ages = new ArrayList<>();
        page.get("records").forEach(r -> ages.add(r.get("fields").get("age").asInt()));
        return ages;
    }

    private static String nested(int depth) {
        String filter = "{\"a\":1}";
        for (int i = 0; i < depth; i++) {
            filter = "{\"$not\":" + filter + "}";
        }
        return filter;
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
