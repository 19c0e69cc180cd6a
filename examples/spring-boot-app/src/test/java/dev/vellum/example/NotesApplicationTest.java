package dev.vellum.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The sample application as a user builds and runs it: on Spring Boot's own parent (Boot's dependency management,
 * Vellum's from its BOM), started on a free port, called over HTTP, on SQLite and on PostgreSQL.
 */
class NotesApplicationTest {

    /** What both backends must do. */
    abstract static class Walkthrough {
        @Autowired
        Environment environment;

        @Autowired
        Notes notes;

        @Autowired
        Orders orders;

        @Autowired
        MeterRegistry registry;

        @Autowired
        RecordStore store;

        @Autowired
        DataSource dataSource;

        @Autowired
        PlatformTransactionManager transactions;

        private final HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + path))
                    .header("Content-Type", "application/json")
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        JsonNode json(String method, String path, String body) throws IOException, InterruptedException {
            HttpResponse<String> response = send(method, path, body);
            assertThat(response.statusCode())
                    .as(method + " " + path + ": " + response.body())
                    .isLessThan(300);
            return VellumJson.parse(response.body());
        }

        @Test
        void startsServesAndIsHealthy() throws Exception {
            HttpResponse<String> written =
                    send("POST", "/notes", "{\"title\":\"Vellum\",\"body\":\"one store\",\"tags\":[\"db\",\"java\"]}");
            assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
            String id = VellumJson.parse(written.body()).get("id").asText();

            HttpResponse<String> read = send("GET", "/notes/" + id, null);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(VellumJson.parse(read.body()).get("tags").toString()).isEqualTo("[\"db\",\"java\"]");
            assertThat(send("GET", "/notes/nope", null).statusCode()).isEqualTo(404);

            send("POST", "/notes/" + id + "/views", null);
            JsonNode viewed = json("POST", "/notes/" + id + "/views", null);
            assertThat(viewed.get("views").asLong()).isEqualTo(2);
            assertThat(json("GET", "/notes?tag=java", null)).hasSize(1);
            JsonNode groups = json("GET", "/notes/by-title", null);
            assertThat(groups.get(0).at("/key/title").asText()).isEqualTo("Vellum");
            assertThat(groups.get(0).get("views").asLong()).isEqualTo(2);

            // @Transactional: the note and its audit entry roll back together
            long audited = notes.auditEntries();
            HttpResponse<String> blank = send("POST", "/notes", "{\"title\":\" \",\"body\":\"x\"}");
            assertThat(blank.statusCode()).isEqualTo(400);
            assertThat(notes.auditEntries()).isEqualTo(audited);
            assertThat(notes.tagged("x")).isEmpty();

            HttpResponse<String> health = send("GET", "/actuator/health", null);
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            JsonNode status = VellumJson.parse(health.body());
            assertThat(status.get("status").asText()).isEqualTo("UP");
            assertThat(status.at("/components/vellum/status").asText()).isEqualTo("UP");
            assertThat(registry.find("vellum.pool.connections")
                            .tag("state", "max")
                            .gauge())
                    .isNotNull();
            // the store's operations, timed as vellum serve times them
            assertThat(registry.find("vellum.store.operations")
                            .tag("operation", "insert")
                            .tag("outcome", "ok")
                            .timer())
                    .isNotNull();
        }

        /**
         * Vellum's types returned from controllers are written by Boot's Jackson 3 as their wire form (they were once
         * beans of Jackson 2's ObjectNode: {"fields":{"array":false,…}}).
         */
        @Test
        void vellumsTypesAreWrittenAsTheirJson() throws Exception {
            JsonNode placed = json("POST", "/orders", "{\"id\":\"o-json\",\"customer\":\"ada\",\"total\":12.50}");
            assertThat(placed.at("/fields/customer").asText()).isEqualTo("ada");
            assertThat(placed.at("/fields/total").decimalValue()).isEqualByComparingTo("12.5");
            assertThat(placed.get("version").asLong()).isEqualTo(1);
            assertThat(placed.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*\\.\\d{3}Z");
            assertThat(placed.toString()).doesNotContain("nodeType", "\"array\"");

            JsonNode page = json("GET", "/orders?customer=ada", null);
            assertThat(page.at("/records/0/id").asText()).isEqualTo("o-json");
            assertThat(page.has("nextCursor")).isTrue();
            JsonNode ada = null;
            for (JsonNode group : json("GET", "/orders/by-customer", null)) {
                ada = group.at("/key/customer").asText().equals("ada") ? group : ada;
            }
            assertThat(ada).isNotNull();
            assertThat(ada.get("total").decimalValue()).isEqualByComparingTo("12.5");
            JsonNode changes = json("GET", "/orders/changes?after=0", null);
            JsonNode insert = null;
            for (JsonNode change : changes.get("changes")) {
                insert = change.get("id").asText().equals("o-json") ? change : insert;
            }
            assertThat(insert).isNotNull();
            assertThat(insert.get("op").asText()).isEqualTo("insert");
            assertThat(insert.at("/record/fields/customer").asText()).isEqualTo("ada");
            assertThat(changes.get("next").asText()).isNotBlank();
        }

        /**
         * One plain @Transactional method writes an order (Vellum) and its invoice (JdbcTemplate) through the
         * application's own transaction manager: both commit, or an exception rolls both back.
         */
        @Test
        void oneTransactionSpansJdbcAndVellum() throws Exception {
            assertThat(store.database().orElseThrow().dataSource()).isSameAs(dataSource);
            assertThat(transactions.getClass().getName()).doesNotContain("Vellum");
            long invoices = orders.invoices();
            assertThat(send("POST", "/orders", "{\"id\":\"o-bad\",\"customer\":\"bob\",\"total\":0}")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(orders.invoices()).isEqualTo(invoices);
            assertThat(send("GET", "/orders/o-bad", null).statusCode()).isEqualTo(404);

            assertThat(send("POST", "/orders", "{\"id\":\"o-good\",\"customer\":\"bob\",\"total\":3}")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(orders.invoices()).isEqualTo(invoices + 1);
            assertThat(json("GET", "/orders/invoices", null).get("invoices").asLong())
                    .isEqualTo(invoices + 1);
            assertThat(send("POST", "/orders", "{\"id\":\"o-good\",\"customer\":\"bob\",\"total\":3}")
                            .statusCode())
                    .isEqualTo(409);
            assertThat(orders.invoices()).isEqualTo(invoices + 1);
        }

        /** The version a library's jar records of itself. */
        private static String mavenVersion(String group, String artifact) {
            java.util.Properties pom = new java.util.Properties();
            try (var in = NotesApplicationTest.class
                    .getClassLoader()
                    .getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
                pom.load(in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return pom.getProperty("version");
        }

        private static String flywayVersion() {
            try (var in = org.flywaydb.core.Flyway.class.getResourceAsStream("internal/version.txt")) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** The versions in this application are the ones Vellum is tested with (its parent's properties set them). */
        @Test
        void theLibrariesAreTheTestedVersions() {
            assertThat(flywayVersion()).isEqualTo("13.12.0");
            assertThat(org.sqlite.SQLiteJDBCLoader.getVersion()).isEqualTo("3.54.1.0");
            assertThat(org.postgresql.util.DriverInfo.DRIVER_VERSION).isEqualTo("42.7.14");
            assertThat(mavenVersion("com.zaxxer", "HikariCP")).isEqualTo("7.1.0");
            assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
                    .isEqualTo("2.22.4");
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
    class OnSqlite extends Walkthrough {
        @DynamicPropertySource
        static void database(DynamicPropertyRegistry properties) {
            properties.add("spring.datasource.url", () -> {
                try {
                    return "jdbc:sqlite:"
                            + Files.createTempDirectory("vellum-notes").resolve("notes.db");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    @Nested
    @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
    class OnPostgres extends Walkthrough {
        private static final PostgresTarget DATABASE = PostgresServer.shared().createDatabase();

        @DynamicPropertySource
        static void database(DynamicPropertyRegistry properties) {
            properties.add("spring.datasource.url", DATABASE::jdbcUrl);
            properties.add("spring.datasource.username", DATABASE::user);
            properties.add("spring.datasource.password", DATABASE::password);
        }
    }
}
