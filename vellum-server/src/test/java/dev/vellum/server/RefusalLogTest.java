package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A storm of refused feed readers (503 saturated) is a line every few seconds in the log, not a line each. */
class RefusalLogTest {
    @Test
    void aStormOfRefusalsIsOneLineWithTheCount() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger server = (Logger) LoggerFactory.getLogger(VellumServer.class);
        logs.start();
        server.addAppender(logs);
        List<Socket> streams = new ArrayList<>();
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store, Map.of("VELLUM_HTTP_MAX_CONCURRENT", "1"))) {
            http.send("PUT", "/v1/collections/c/changes", "");
            Socket stream = new Socket("127.0.0.1", http.server.port());
            streams.add(stream);
            stream.getOutputStream()
                    .write(("GET /v1/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream" + "\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            assertThat(new String(stream.getInputStream().readNBytes(12), StandardCharsets.UTF_8))
                    .isEqualTo("HTTP/1.1 200");
            int refused = 0;
            for (int i = 0; i < 60; i++) {
                refused += http.get("/v1/changes").statusCode() == 503 ? 1 : 0;
            }
            assertThat(refused).isEqualTo(60);
            long lines = logs.list.stream()
                    .filter(e -> e.getFormattedMessage().contains("saturated")
                            || e.getFormattedMessage().contains("change-feed readers"))
                    .count();
            assertThat(lines).isBetween(1L, 2L);
        } finally {
            for (Socket s : streams) {
                s.close();
            }
            server.detachAppender(logs);
        }
    }
}
