package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a web page whose site name is rebound to 127.0.0.1 sends its requests to a keyless loopback server
 * with that name as Host. Without keys only this machine's names are served; with keys, the key decides.
 */
class HostHeaderTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @Test
    void withoutKeysOnlyThisMachinesNamesAreServed() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store, Map.of("VELLUM_HTTP_ALLOWED_HOSTS", "devbox.local"))) {
            http.post("/v1/collections/notes/records", "{\"id\":\"n1\",\"fields\":{}}");
            int port = http.server.port();
            for (String host : new String[] {
                "localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST", "devbox.local:" + port
            }) {
                assertThat(RawHttp.send(http.base, "GET", "/v1/collections", null, null, "Host", host)
                                .status())
                        .as(host)
                        .isEqualTo(200);
            }
            for (String host : new String[] {
                "attacker.example:" + port, "attacker.example", "127.0.0.1.evil.test", "localhost.evil.test:" + port
            }) {
                RawHttp.Answer refused =
                        RawHttp.send(http.base, "DELETE", "/v1/collections/notes", null, null, "Host", host);
                assertThat(refused.status()).as(host).isEqualTo(421);
                assertThat(refused.body()).contains("host-not-allowed", "VELLUM_HTTP_ALLOWED_HOSTS");
            }
            assertThat(store.collection("notes").get("n1")).isPresent();
        }
    }

    @Test
    void withKeysAnyHostWithTheKeyIsServed() {
        try (RecordStore store = Vellum.open("memory:");
                Http http = Http.start(store, Map.of("VELLUM_API_KEYS", KEY))) {
            assertThat(RawHttp.send(
                                    http.base,
                                    "GET",
                                    "/v1/collections",
                                    null,
                                    null,
                                    "Host",
                                    "vellum.internal",
                                    "Authorization",
                                    "Bearer " + KEY)
                            .status())
                    .isEqualTo(200);
            assertThat(RawHttp.send(http.base, "GET", "/v1/collections", null, null, "Host", "vellum.internal")
                            .status())
                    .isEqualTo(401);
        }
    }
}
