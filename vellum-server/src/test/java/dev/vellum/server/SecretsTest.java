package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresServer;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * No password or API key in anything a user or an operator sees: answers, /metrics, logs (Vellum's, Jetty's, the
 * driver's and the pool's), exception messages and configuration dumps, in normal operation and through failures.
 */
class SecretsTest {
    private static final String PASSWORD = "pw-Zq7xK2mW9vL4";
    private static final String KEY = "key-Hs8dF3jR6tY1pQ0n";

    @Test
    void secretsNeverAppearInAnswersLogsOrMessages() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String role = "vellum_secret_" + ProcessHandle.current().pid();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        List<String> seen = new ArrayList<>();
        try (Connection admin = DriverManager.getConnection(
                        server.admin().jdbcUrl(),
                        server.admin().user(),
                        server.admin().password());
                Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'");
            sql.execute("CREATE DATABASE " + role + " OWNER " + role);
            try {
                PostgresTarget target = server.admin().withDatabase(role).withUser(role, PASSWORD);
                VellumConfig config = VellumConfig.builder()
                        .isolated()
                        .url(target.toUrlWithCredentials())
                        .set("VELLUM_CONNECT_TIMEOUT", "1s")
                        .set("VELLUM_API_KEYS", KEY)
                        .build();
                seen.add(config.toString());
                seen.add(ServerSettings.from(config).toString());
                try (RecordStore store = Vellum.open(config);
                        Http http = Http.start(store, Map.of("VELLUM_API_KEYS", KEY))) {
                    http.bearer(KEY);
                    seen.add(store.database().orElseThrow().describeTarget());
                    seen.add(store.database().orElseThrow().health().toString());
                    for (HttpResponse<String> r : List.of(
                            http.post("/v1/collections/c/records", "{\"id\":\"a\",\"fields\":{}}"),
                            http.post("/v1/collections/c/records", "{\"id\":\"a\",\"fields\":{}}"),
                            http.post("/v1/collections/c/query", "{\"filter\":{\"$bad\":1}}"),
                            http.bearer(KEY + "x").get("/v1/collections"),
                            http.bearer("Bearer " + KEY).get("/v1/collections"),
                            http.bearer(null).get("/metrics"),
                            http.get("/ready"))) {
                        seen.add(r.headers().map().toString());
                        seen.add(r.body());
                    }
                    http.bearer(KEY);
                    // the database refuses the role: answers and logs go through the failure paths
                    sql.execute("ALTER ROLE " + role + " NOLOGIN");
                    sql.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
                    for (HttpResponse<String> r : List.of(
                            http.get("/v1/collections/c/records/a"),
                            http.get("/ready"),
                            http.post("/v1/collections/c/records", "{\"fields\":{}}"))) {
                        assertThat(r.statusCode()).isEqualTo(503);
                        seen.add(r.body());
                    }
                    sql.execute("ALTER ROLE " + role + " LOGIN");
                }
                // a server that cannot be reached: the message names it, not the password
                assertThatThrownBy(() -> Vellum.open(VellumConfig.builder()
                                .isolated()
                                .url("postgres://" + role + ":" + PASSWORD + "@127.0.0.1:1/" + role)
                                .set("VELLUM_CONNECT_TIMEOUT", "1s")
                                .build()))
                        .satisfies(e -> {
                            for (Throwable t = e; t != null; t = t.getCause()) {
                                seen.add(String.valueOf(t.getMessage()));
                            }
                        });
            } finally {
                sql.execute("DROP DATABASE IF EXISTS " + role + " WITH (FORCE)");
                sql.execute("DROP ROLE IF EXISTS " + role);
            }
        } finally {
            root.detachAppender(logs);
        }
        for (ILoggingEvent event : logs.list) {
            seen.add(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                seen.add(t.getMessage());
            }
        }
        assertThat(logs.list).isNotEmpty();
        for (String text : seen) {
            assertThat(text).doesNotContain(PASSWORD, KEY);
        }
    }
}
