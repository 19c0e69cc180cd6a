package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.testkit.StoreTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Input a hostile or careless client sends: every case is a 4xx problem+json that names the bad part, decided
 * before any SQL runs, the same on every backend, and nothing is written.
 */
class HostileInputTest {
    private static final String C = "/v1/collections/c";

    @StoreTest
    void malformedJsonAndInvalidUtf8AreRefusedNotRewritten(RecordStore store) {
        try (Http http = Http.start(store)) {
            seed(http);
            // exactly one JSON value per body
            assertProblem(http.post(C + "/records", "{\"fields\":{\"a\":1}}}"), 400, "malformed-json");
            assertProblem(
                    http.post(C + "/records", "{\"fields\":{\"a\":1}}{\"fields\":{\"b\":2}}"), 400, "malformed-json");
            assertProblem(http.post(C + "/records:batch", "[{\"fields\":{}}] []"), 400, "malformed-json");
            // invalid UTF-8: an overlong '/', a stray byte, an encoded surrogate
            for (byte[] bad : List.of(new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xff}, new byte[] {
                (byte) 0xed, (byte) 0xa0, (byte) 0x80
            })) {
                RawHttp.Answer a = RawHttp.send(
                        http.base,
                        "POST",
                        C + "/records",
                        "application/json",
                        concat("{\"fields\":{\"a\":\"", bad, "\"}}"));
                assertRawProblem(a, 400, "invalid-utf8");
                RawHttp.Answer nd = RawHttp.send(
                        http.base,
                        "POST",
                        C + "/records:batch",
                        "application/x-ndjson",
                        concat("{\"fields\":{\"a\":\"", bad, "\"}}\n"));
                assertRawProblem(nd, 400, "invalid-utf8");
            }
            // a lone surrogate written as a JSON escape is no text either
            assertProblem(http.post(C + "/records", "{\"fields\":{\"a\":\"\\ud800\"}}"), 400, "invalid-record");
            assertProblem(http.post(C + "/records", "{\"fields\":{\"\\udc00\":1}}"), 400, "malformed-json");
            assertProblem(http.post(C + "/query", "{\"filter\":{\"a\":\"\\ud800x\"}}"), 400, "invalid-query");
            assertUnchanged(http);
        }
    }

    @StoreTest
    void numbersOutsideWhatEveryBackendStoresAreRefused(RecordStore store) {
        try (Http http = Http.start(store)) {
            seed(http);
            for (String n :
                    List.of("1e9999", "-1e9999", "1e1000", "1e-1000", "2e308", "1e-325", "1." + "1".repeat(150))) {
                JsonNode p = assertProblem(
                        http.post(C + "/records", "{\"fields\":{\"a\":" + n + "}}"), 400, "invalid-record");
                assertThat(p.get("detail").asText()).contains("number");
                assertProblem(
                        http.post(C + "/records:batch", "[{\"fields\":{\"x\":[" + n + "]}}]"), 400, "invalid-record");
                assertProblem(
                        http.send("PUT", C + "/records/a", "{\"fields\":{\"a\":" + n + "}}"), 400, "invalid-record");
                assertProblem(
                        http.send(
                                "PATCH",
                                C + "/records/a",
                                "{\"a\":" + n + "}",
                                "Content-Type",
                                "application/merge-patch+json"),
                        400,
                        "invalid-record");
                assertProblem(
                        http.post(C + "/query", "{\"filter\":{\"a\":{\"$gt\":" + n + "}}}"), 400, "invalid-query");
                assertProblem(
                        http.post(C + "/count", "{\"filter\":{\"a\":{\"$in\":[1," + n + "]}}}"), 400, "invalid-query");
            }
            // the edges of the range are stored and read back exactly
            for (String n : List.of(
                    "1.7976931348623157e308",
                    "4.9e-324",
                    "-12345678901234567890123456789",
                    "0.1",
                    "9223372036854775807")) {
                HttpResponse<String> created = http.post(C + "/records", "{\"fields\":{\"n\":" + n + "}}");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                String id = json(created).get("id").asText();
                HttpResponse<String> got = http.get(C + "/records/" + id);
                assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
                assertThat(json(got).at("/fields/n").decimalValue()).isEqualByComparingTo(new java.math.BigDecimal(n));
                assertThat(http.delete(C + "/records/" + id).statusCode()).isEqualTo(204);
            }
            assertUnchanged(http);
        }
    }

    @StoreTest
    void nulIsRefusedEverywhereWithOneRule(RecordStore store) {
        try (Http http = Http.start(store)) {
            seed(http);
            String nul = "\\u0000";
            assertProblem(http.post(C + "/records", "{\"id\":\"x" + nul + "\",\"fields\":{}}"), 400, "invalid-record");
            assertProblem(http.post(C + "/records", "{\"fields\":{\"k" + nul + "\":1}}"), 400, "invalid-record");
            assertProblem(http.post(C + "/records", "{\"fields\":{\"k\":\"v" + nul + "\"}}"), 400, "invalid-record");
            assertProblem(
                    http.post(C + "/records", "{\"fields\":{},\"metadata\":{\"m\":\"" + nul + "\"}}"),
                    400,
                    "invalid-record");
            for (String query : List.of(
                    "{\"filter\":{\"a" + nul + "\":1}}",
                    "{\"filter\":{\"a" + nul + "\":{\"$exists\":true}}}",
                    "{\"filter\":{\"a\":\"x" + nul + "\"}}",
                    "{\"filter\":{\"a\":{\"$in\":[\"" + nul + "\"]}}}",
                    "{\"filter\":{\"a\":{\"$like\":\"%" + nul + "\"}}}",
                    "{\"filter\":{\"a\":{\"$regex\":\"" + nul + "\"}}}",
                    "{\"filter\":{\"a\":{\"$startsWith\":\"" + nul + "\"}}}",
                    "{\"sort\":[\"a" + nul + "\"]}",
                    "{\"fields\":[\"a" + nul + "\"]}")) {
                assertProblem(http.post(C + "/query", query), 400, "invalid-query");
            }
            assertProblem(http.get(C + "/records?sort=a%00"), 400, "invalid-query");
            assertProblem(http.post(C + "/indexes", "{\"name\":\"i\",\"paths\":[\"a" + nul + "\"]}"), 400, null);
            assertProblem(
                    http.post(C + "/update", "{\"filter\":{},\"patch\":{\"a\":\"" + nul + "\"}}"),
                    400,
                    "invalid-record");
            assertUnchanged(http);
        }
    }

    @StoreTest
    void sizesAndCountsHaveLimits(RecordStore store) {
        try (Http http = Http.start(store)) {
            seed(http);
            String huge = "a".repeat(5_000_000);
            assertProblem(http.post(C + "/query", "{\"sort\":[\"" + huge + "\"]}"), 400, "invalid-query");
            assertProblem(
                    http.post(C + "/query", "{\"sort\":" + list(1000, i -> "\"k" + i + "\"") + "}"),
                    400,
                    "invalid-query");
            assertProblem(
                    http.post(C + "/query", "{\"fields\":" + list(10_000, i -> "\"k" + i + "\"") + "}"),
                    400,
                    "invalid-query");
            assertProblem(
                    http.post(C + "/query", "{\"filter\":{\"a\":{\"$regex\":\"" + huge + "\"}}}"),
                    400,
                    "invalid-query");
            assertProblem(
                    http.post(C + "/query", "{\"filter\":{\"a\":{\"$like\":\"" + huge + "\"}}}"), 400, "invalid-query");
            assertProblem(
                    http.post(C + "/query", "{\"filter\":{\"a\":{\"$regex\":\"((a{100}){100}){10}\"}}}"),
                    400,
                    "invalid-query");
            assertProblem(
                    http.post(C + "/query", "{\"filter\":{\"" + "k.".repeat(40) + "k\":1}}"), 400, "invalid-query");
            assertProblem(
                    http.post(C + "/records", "{\"fields\":{\"" + "k".repeat(2000) + "\":1}}"), 400, "invalid-record");
            assertProblem(
                    http.post(C + "/records", "{\"id\":\"" + "i".repeat(256) + "\",\"fields\":{}}"),
                    400,
                    "invalid-record");
            assertProblem(
                    http.post(C + "/indexes", "{\"name\":\"wide\",\"paths\":" + list(40, i -> "\"p" + i + "\"") + "}"),
                    400,
                    null);
            assertProblem(
                    http.post(C + "/count", "{\"filter\":{\"a\":{\"$in\":" + list(20_000, i -> "" + i) + "}}}"),
                    400,
                    "invalid-query");
            assertUnchanged(http);
        }
    }

    /** Patterns that make a backtracking engine run for minutes answer at once: RE2/J is linear in the text. */
    @StoreTest
    void regexCannotRunAway(RecordStore store) {
        try (Http http = Http.start(store, java.util.Map.of("VELLUM_HTTP_REQUEST_TIMEOUT", "20s"))) {
            http.post(C + "/records", "{\"id\":\"s\",\"fields\":{\"s\":\"" + "a".repeat(50) + "b\"}}");
            HttpResponse<String> found = http.post(C + "/count", "{\"filter\":{\"s\":{\"$regex\":\"(.*a){20}$\"}}}");
            assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
            assertThat(json(found).get("count").asLong()).isZero();
            HttpResponse<String> like =
                    http.post(C + "/count", "{\"filter\":{\"s\":{\"$like\":\"" + "%a".repeat(30) + "%c\"}}}");
            assertThat(like.statusCode()).as(like.body()).isEqualTo(200);
            assertThat(json(like).get("count").asLong()).isZero();
        }
    }

    @StoreTest
    void jettysOwnErrorsAreProblems(RecordStore store) {
        try (Http http = Http.start(store)) {
            assertRawProblem(RawHttp.send(http.base, "GET", C + "/records/%zz", null, null), 400, "bad-request");
            assertRawProblem(
                    RawHttp.send(http.base, "GET", C + "/records/" + "x".repeat(20_000), null, null),
                    414,
                    "uri-too-long");
            assertRawProblem(
                    RawHttp.send(http.base, "GET", C + "/records/a", null, null, "X-Big", "y".repeat(20_000)),
                    431,
                    "headers-too-large");
            // refused before their multi-MB bodies were read: still answered, not reset while the client sends
            byte[] big = ("{\"filter\":{\"s\":\"" + "x".repeat(3 << 20) + "\"}}").getBytes(StandardCharsets.UTF_8);
            assertRawProblem(
                    RawHttp.send(http.base, "PATCH", "/v1/collections/%C0%AF/delete", "application/json", big),
                    400,
                    "bad-request");
            // paths Jetty itself finds ambiguous or suspicious (a backslash, an encoded slash, '..', not UTF-8)
            for (String name : List.of("a%5Cb", "a%2Fb", "%2E%2E", "%C0%AF", "%E2%A5%B5%2BL%5C%25r7%22%20i%3D2b%2E")) {
                assertRawProblem(
                        RawHttp.send(
                                http.base,
                                "POST",
                                "/v1/collections/" + name + "/update?sort=n",
                                "application/json",
                                big,
                                "If-Match",
                                "\"0\":"),
                        400,
                        "bad-request");
            }
            assertRawProblem(
                    RawHttp.send(http.base, "PATCH", C + "/delete", "application/json", big),
                    405,
                    "method-not-allowed");
            assertRawProblem(RawHttp.send(http.base, "POST", "/v1/nowhere", "application/json", big), 404, "not-found");
            // the server is still serving
            assertThat(http.get("/health").statusCode()).isEqualTo(200);
        }
    }

    // ---- helpers ----

    /**
     * Issue 26's small findings: duplicate keys took the last value silently; malformed-JSON problems quoted Jackson's
     * class and feature names; change tokens took non-ASCII digits and a 19-digit number past 2^63 was a 500; feed
     * reads ignored a garbage consistency token; HEAD answered 200 for a missing record.
     */
    @StoreTest
    void duplicateKeysForeignDigitsAndGarbageTokensAreRefused(RecordStore store) {
        try (Http http = Http.start(store)) {
            seed(http);
            JsonNode duplicate = assertProblem(
                    http.send("PATCH", C + "/records/a", "{\"$inc\":{\"a\":1},\"$inc\":{\"a\":2}}"),
                    400,
                    "malformed-json");
            assertThat(duplicate.get("detail").asText()).contains("Duplicate key '$inc'");
            assertProblem(
                    http.post(C + "/records", "{\"id\":\"b\",\"fields\":{\"x\":1,\"x\":2}}"), 400, "malformed-json");
            assertProblem(
                    http.get(C + "/records?filter=" + EndpointsTest.encode("{\"a\":1,\"a\":2}")), 400, "invalid-query");
            for (String body : List.of("{'fields':{}}", "{\"fields\":{\"a\":NaN}}", "/* c */ {}")) {
                JsonNode p = assertProblem(http.post(C + "/records", body), 400, "malformed-json");
                assertThat(p.get("detail").asText())
                        .doesNotContain("com.fasterxml", "JsonReadFeature", "Feature", "(code ")
                        .contains("line 1, column");
            }
            http.send("PUT", C + "/changes", "");
            for (String token : List.of("\u0661\u0662", "9999999999999999999", "1e3", "-1", "\uff11")) {
                assertProblem(http.get(C + "/changes?after=" + EndpointsTest.encode(token)), 400, "invalid-query");
                assertRawProblem(
                        RawHttp.send(
                                http.base,
                                "GET",
                                C + "/changes",
                                null,
                                null,
                                "Accept",
                                "text/event-stream",
                                "Last-Event-ID",
                                "9999999999999999999"),
                        400,
                        "invalid-query");
            }
            assertProblem(http.get(C + "/changes?after=0", "Vellum-Consistency", "not-a-token"), 400, "invalid-query");
            assertProblem(http.send("PATCH", C + "/records/a", "{\"a\":2}", "If-Match", "\"+1\""), 400, null);
            assertThat(http.send(http.request(C + "/records/missing")
                                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()))
                            .statusCode())
                    .isEqualTo(404);
            assertThat(http.send(http.request(C + "/records/a")
                                    .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()))
                            .statusCode())
                    .isEqualTo(200);
            assertUnchanged(http);
        }
    }

    private static void seed(Http http) {
        assertThat(http.post(C + "/records", "{\"id\":\"a\",\"fields\":{\"a\":1}}")
                        .statusCode())
                .isEqualTo(201);
    }

    /** Only the seeded record exists, unchanged. */
    private static void assertUnchanged(Http http) {
        HttpResponse<String> all = http.get(C + "/records");
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        JsonNode records = json(all).get("records");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("id").asText()).isEqualTo("a");
        assertThat(records.get(0).get("version").asLong()).isEqualTo(1);
        assertThat(http.get(C + "/indexes").body()).isEqualTo("{\"indexes\":[]}");
    }

    static void assertRawProblem(RawHttp.Answer answer, int status, String type) {
        assertThat(answer.status()).as(answer.head() + "\n" + answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        JsonNode body = VellumJson.parse(answer.body());
        assertThat(body.get("type").asText()).endsWith("/" + type);
        assertThat(answer.body()).doesNotContain("Exception", "at org.", "at dev.", "<html");
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(middle, 0, out, a.length, middle.length);
        System.arraycopy(c, 0, out, a.length + middle.length, c.length);
        return out;
    }

    private static String list(int n, java.util.function.IntFunction<String> element) {
        return IntStream.range(0, n).mapToObj(element).collect(Collectors.joining(",", "[", "]"));
    }
}
