package dev.vellum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A started server and a real HTTP client (the JDK's) to call it, for tests. */
final class Http implements AutoCloseable {
    static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final VellumServer server;
    final URI base;
    private String bearer;

    private Http(VellumServer server) {
        this.server = server;
        this.base = server.uri();
    }

    /**
     * A server on a free loopback port over the store, with extra {@code VELLUM_HTTP_*} settings. It stops at once
     * unless the settings give it a shutdown grace: a graceful stop waits a second for the client's kept-alive
     * connections, which every test would pay.
     */
    static Http start(RecordStore store, Map<String, String> settings) {
        VellumConfig.Builder builder = VellumConfig.builder()
                .isolated()
                .url("memory:")
                .set("VELLUM_HTTP_PORT", "0")
                .set("VELLUM_HTTP_SHUTDOWN_GRACE", "0");
        settings.forEach(builder::set);
        return new Http(VellumServer.configure()
                .store(store)
                .settings(ServerSettings.from(builder.build()))
                .start());
    }

    static Http start(RecordStore store) {
        return start(store, Map.of());
    }

    Http bearer(String key) {
        this.bearer = key;
        return this;
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b;
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(withHeaders(request(path).GET(), headers));
    }

    HttpResponse<String> delete(String path, String... headers) {
        return send(withHeaders(request(path).DELETE(), headers));
    }

    /** A JSON body (Content-Type application/json unless the headers name another). */
    HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = request(path).method(method, HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            b.header("Content-Type", "application/json");
        }
        return send(withHeaders(b, headers));
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return send("POST", path, body, headers);
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder b, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    static JsonNode json(HttpResponse<String> response) {
        return VellumJson.parse(response.body());
    }

    /**
     * Stops the server, after checking its metrics: a 500 (or any 5xx but the 503 and 507 that name a real outage)
     * in any HTTP test is a test failure, whatever the test itself asserted.
     */
    @Override
    public void close() {
        try {
            String metrics = send(request("/metrics")
                            .header("Authorization", "Bearer " + bearer)
                            .GET())
                    .body();
            metrics.lines()
                    .filter(l -> l.startsWith("http_server_requests_seconds_count"))
                    .filter(l -> l.matches(".*status=\"5\\d\\d\".*")
                            && !l.contains("status=\"503\"")
                            && !l.contains("status=\"507\""))
                    .findFirst()
                    .ifPresent(l -> {
                        throw new AssertionError("the server answered a 5xx during the test: " + l);
                    });
        } catch (UncheckedIOException | IllegalStateException stopped) {
            // the test stopped the server itself
        } finally {
            server.close();
        }
    }
}
