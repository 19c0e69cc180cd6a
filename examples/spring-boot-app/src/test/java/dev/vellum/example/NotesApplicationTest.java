package dev.vellum.example;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample application as a user runs it: started on a free port, over HTTP, on SQLite and on PostgreSQL. */
class NotesApplicationTest {

    /** What both backends must do. */
    abstract static class Walkthrough {
        @Autowired
        Environment environment;
        @Autowired
        Notes notes;
        @Autowired
        MeterRegistry registry;

        private final HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + environment.getProperty("local.server.port") + path)).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        @Test
        void startsServesAndIsHealthy() throws Exception {
            HttpResponse<String> written = send("POST", "/notes",
                    "{\"title\":\"Vellum\",\"body\":\"one store\",\"tags\":[\"db\",\"java\"]}");
            assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
            String id = JsonValues.parse(written.body()).get("id").asText();

            HttpResponse<String> read = send("GET", "/notes/" + id, null);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(JsonValues.parse(read.body()).get("tags").toString()).isEqualTo("[\"db\",\"java\"]");
            assertThat(send("GET", "/notes/nope", null).statusCode()).isEqualTo(404);

            send("POST", "/notes/" + id + "/views", null);
            JsonNode viewed = JsonValues.parse(send("POST", "/notes/" + id + "/views", null).body());
            assertThat(viewed.get("views").asLong()).isEqualTo(2);
            assertThat(JsonValues.parse(send("GET", "/notes?tag=java", null).body())).hasSize(1);
            assertThat(JsonValues.parse(send("GET", "/notes/by-title", null).body()).get(0).get("views").asLong())
                    .isEqualTo(2);

            // @Transactional: the note and its audit entry roll back together
            long audited = notes.auditEntries();
            HttpResponse<String> blank = send("POST", "/notes", "{\"title\":\" \",\"body\":\"x\"}");
            assertThat(blank.statusCode()).isEqualTo(400);
            assertThat(notes.auditEntries()).isEqualTo(audited);
            assertThat(notes.tagged("x")).isEmpty();

            HttpResponse<String> health = send("GET", "/actuator/health", null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            JsonNode status = JsonValues.parse(health.body());
            assertThat(status.get("status").asText()).isEqualTo("UP");
            assertThat(status.at("/components/vellum/status").asText()).isEqualTo("UP");
            assertThat(registry.find("vellum.pool.max").gauge()).isNotNull();
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
    class OnSqlite extends Walkthrough {
        @DynamicPropertySource
        static void store(DynamicPropertyRegistry properties) throws IOException {
            properties.add("vellum.url", () -> {
                try {
                    return "sqlite:" + Files.createTempDirectory("vellum-notes").resolve("notes.db");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
    class OnPostgres extends Walkthrough {
        @DynamicPropertySource
        static void store(DynamicPropertyRegistry properties) {
            properties.add("vellum.url", () -> PostgresServer.shared().createDatabase().toUrlWithCredentials());
        }
    }
}
