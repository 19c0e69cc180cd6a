package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a page on another origin needs from the server: CORS for the origins configured, a stream token for an
 * EventSource (which cannot send Authorization), and a server address to start from. The real browser test,
 * in headless Chromium, is {@code BrowserTest}.
 */
class BrowserAccessTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";
    private static final String PAGE = "http://localhost:5173";

    private static Http server(RecordStore store, String origins) {
        return Http.start(store, Map.of("VELLUM_HTTP_CORS_ORIGINS", origins, "VELLUM_API_KEYS", KEY));
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithoutCredentials() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = server(store, PAGE + ",https://app.example.com")) {
            HttpResponse<String> preflight = http.send(http.request("/v1/collections/people/records/ada")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", PAGE)
                    .header("Access-Control-Request-Method", "PATCH")
                    .header("Access-Control-Request-Headers", "authorization, content-type, if-match"));
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(PAGE);
            assertThat(preflight
                            .headers()
                            .firstValue("Access-Control-Allow-Methods")
                            .orElse(""))
                    .contains("GET", "POST", "PUT", "PATCH", "DELETE");
            assertThat(preflight
                            .headers()
                            .firstValue("Access-Control-Allow-Headers")
                            .orElse(""))
                    .contains("Authorization", "Content-Type", "If-Match", "If-None-Match", "Last-Event-ID");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials"))
                    .isEmpty();
            assertThat(preflight.headers().allValues("Vary")).contains("Origin");

            // the answer itself: readable from that origin, with the headers a page needs exposed
            http.bearer(KEY);
            HttpResponse<String> created = http.post(
                    "/v1/collections/people/records", "{\"id\":\"ada\",\"fields\":{\"name\":\"Ada\"}}", "Origin", PAGE);
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(PAGE);
            assertThat(created.headers()
                            .firstValue("Access-Control-Expose-Headers")
                            .orElse(""))
                    .contains("ETag", "Location", "Vellum-Consistency", "X-Request-Id");
            // errors too: a page reads the problem
            HttpResponse<String> missing = http.get("/v1/collections/people/records/nobody", "Origin", PAGE);
            assertProblem(missing, 404, null);
            assertThat(missing.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(PAGE);
        }
    }

    @Test
    void otherOriginsAreNotAllowed() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = server(store, PAGE)) {
            HttpResponse<String> preflight = http.send(http.request("/v1/collections")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://evil.example")
                    .header("Access-Control-Request-Method", "GET"));
            JsonNode problem = assertProblem(preflight, 403, "origin-not-allowed");
            assertThat(problem.get("detail").asText()).contains("VELLUM_HTTP_CORS_ORIGINS");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
            HttpResponse<String> get = http.bearer(KEY).get("/v1/collections", "Origin", "https://evil.example");
            assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            // a header outside the list is refused in the preflight
            HttpResponse<String> odd = http.send(http.request("/v1/collections")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", PAGE)
                    .header("Access-Control-Request-Method", "GET")
                    .header("Access-Control-Request-Headers", "x-secret"));
            assertProblem(odd, 403, "cors-request-not-allowed");
        }
        // without origins configured, no CORS at all
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            HttpResponse<String> get = http.get("/v1/collections", "Origin", PAGE);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void aStreamTokenOpensItsOneStreamOnly() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = server(store, PAGE)) {
            http.bearer(KEY);
            http.send("PUT", "/v1/collections/orders/changes", "");
            JsonNode issued = json(http.post("/v1/stream-tokens", "{\"path\":\"/v1/collections/orders/changes\"}"));
            String token = issued.get("token").asText();
            assertThat(issued.get("path").asText()).isEqualTo("/v1/collections/orders/changes");
            assertThat(issued.get("expiresAt").asText()).isNotBlank();
            http.bearer(null);

            HttpResponse<String> read = http.get("/v1/collections/orders/changes?after=0&access_token=" + token);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            // another path, a bad token, no token: 401
            assertProblem(http.get("/v1/changes?after=0&access_token=" + token), 401, "unauthorized");
            assertProblem(http.get("/v1/collections/orders/records?access_token=" + token), 401, "unauthorized");
            assertProblem(http.get("/v1/collections/orders/changes?access_token=" + token + "x"), 401, "unauthorized");
            assertProblem(http.get("/v1/collections/orders/changes"), 401, "unauthorized");
            // tokens are only for feeds, and only with a key
            assertProblem(http.post("/v1/stream-tokens", "{\"path\":\"/v1/changes\"}"), 401, "unauthorized");
            http.bearer(KEY);
            assertProblem(http.post("/v1/stream-tokens", "{\"path\":\"/v1/collections\"}"), 400, null);
            // the token is never logged: the access log names paths only (checked by the logging test's capture)
        }
    }

    /** A token outlives a restart of the server (same keys): a browser reconnecting after it gets in. */
    @Test
    void aStreamTokenHoldsAcrossARestart() {
        try (RecordStore store = Vellum.open("memory:")) {
            String token;
            try (Http http = server(store, PAGE)) {
                token = json(http.bearer(KEY).post("/v1/stream-tokens", "{\"path\":\"/v1/changes\"}"))
                        .get("token")
                        .asText();
            }
            try (Http again = server(store, PAGE)) {
                assertThat(again.get("/v1/changes?access_token=" + token).statusCode())
                        .isEqualTo(200);
            }
            try (Http otherKeys = Http.start(store, Map.of("VELLUM_API_KEYS", "fedcba9876543210fedcba9876543210"))) {
                assertThat(otherKeys.get("/v1/changes?access_token=" + token).statusCode())
                        .isEqualTo(401);
            }
        }
    }

    @Test
    void theRootAndTheApiRootSayWhereToGo() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            for (String path : new String[] {"/", "/v1"}) {
                HttpResponse<String> answer = http.get(path);
                assertThat(answer.statusCode()).isEqualTo(200);
                JsonNode body = json(answer);
                assertThat(body.get("name").asText()).isEqualTo("Vellum");
                assertThat(body.get("version").asText())
                        .isEqualTo(Vellum.version())
                        .doesNotContain("${");
                assertThat(body.at("/links/openapi").asText()).isEqualTo("/openapi.json");
            }
        }
    }

    /** Behind API keys, / stays open (like the probes) and /v1 is the API's, keys and all. */
    @Test
    void theApiRootIsBehindTheKeys() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = server(store, PAGE)) {
            assertThat(http.get("/").statusCode()).isEqualTo(200);
            assertProblem(http.get("/v1"), 401, "unauthorized");
            assertThat(http.bearer(KEY).get("/v1").statusCode()).isEqualTo(200);
        }
    }

    /** Generators take the server from the document: the one the request reached, the version, the licence. */
    @Test
    void theOpenApiDocumentNamesThisServerItsVersionAndLicence() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store)) {
            JsonNode document = json(http.get("/openapi.json"));
            assertThat(document.at("/servers/0/url").asText())
                    .isEqualTo(http.base.toString().replaceAll("/$", ""));
            assertThat(document.at("/info/version").asText()).isEqualTo(Vellum.version());
            assertThat(document.at("/info/license/identifier").asText()).isEqualTo("Apache-2.0");
            assertThat(document.get("tags")).isNotEmpty();
            assertThat(document.at("/components/schemas").has("Record")).isFalse();
            assertThat(document.at("/components/schemas").has("Index")).isFalse();
            // a Host that is not a plain address is not reflected
            JsonNode odd = json(http.get("/openapi.json", "X-Forwarded-Host", "evil"));
            assertThat(odd.at("/servers/0/url").asText()).startsWith("http://127.0.0.1:");
        }
    }
}
