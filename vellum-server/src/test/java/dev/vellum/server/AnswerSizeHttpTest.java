package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * VELLUM_MAX_ANSWER_SIZE over HTTP: pages of big records and of their changes end early with a cursor or token
 * (before, {@code GET …/records?limit=100} over big records ran the server out of heap), a stream delivers every
 * change of them, and an aggregation past it is a 400.
 */
class AnswerSizeHttpTest {
    private static final String C = "/v1/collections/big";

    private static void fill(Http http) {
        http.send("PUT", C + "/changes", "");
        for (int i = 0; i < 12; i++) {
            assertThat(http.post(
                                    C + "/records",
                                    "{\"id\":\"r" + (10 + i) + "\",\"fields\":{\"n\":" + i + ",\"s\":\"" + i
                                            + "x".repeat(20_000) + "\"}}")
                            .statusCode())
                    .isEqualTo(201);
        }
    }

    @StoreTest
    void pagesOfBigRecordsAndOfTheirChangesEndEarly(TestBackend backend) {
        RecordStore store = backend.openStore(b -> b.set("VELLUM_MAX_ANSWER_SIZE", "64KB"));
        try (Http http = Http.start(store)) {
            fill(http);
            List<String> ids = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = json(http.get(C + "/records?limit=100"
                        + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))));
                assertThat(page.get("records").size()).isBetween(1, 3);
                page.get("records").forEach(r -> ids.add(r.get("id").asText()));
                cursor = page.get("nextCursor").isNull()
                        ? null
                        : page.get("nextCursor").asText();
                pages++;
            } while (cursor != null);
            assertThat(pages).isGreaterThanOrEqualTo(4);
            assertThat(ids).hasSize(12).doesNotHaveDuplicates().isSorted();

            List<String> changed = new ArrayList<>();
            String token = "0";
            for (int polls = 0; polls < 20; polls++) {
                JsonNode page = json(http.get(C + "/changes?after=" + token + "&limit=1000"));
                assertThat(page.get("changes").size()).isLessThanOrEqualTo(3);
                page.get("changes").forEach(ch -> changed.add(ch.get("id").asText()));
                token = page.get("next").asText();
            }
            assertThat(changed).containsExactlyElementsOf(ids);
        }
    }

    @StoreTest
    void aStreamDeliversEveryBigChange(TestBackend backend) throws Exception {
        RecordStore store = backend.openStore(b -> b.set("VELLUM_MAX_ANSWER_SIZE", "64KB"));
        try (Http http = Http.start(store)) {
            http.send("PUT", C + "/changes", "");
            try (EventStream events = new EventStream(http, C + "/changes?after=0")) {
                fill(http);
                for (int i = 0; i < 12; i++) {
                    List<String> event = events.nextEvent();
                    assertThat(event).contains("event: insert");
                    JsonNode data = VellumJson.parse(event.get(2).substring("data: ".length()));
                    assertThat(data.get("id").asText()).isEqualTo("r" + (10 + i));
                    assertThat(data.at("/record/fields/s").asText()).endsWith("x".repeat(20_000));
                }
            }
        }
    }

    @StoreTest
    void anAggregationPastTheAnswerSizeIs400(TestBackend backend) {
        RecordStore store = backend.openStore(b -> b.set("VELLUM_MAX_ANSWER_SIZE", "64KB"));
        try (Http http = Http.start(store)) {
            fill(http);
            JsonNode problem =
                    assertProblem(http.post(C + "/distinct", "{\"path\":\"s\",\"filter\":{}}"), 400, "invalid-query");
            assertThat(problem.get("detail").asText()).contains("VELLUM_MAX_ANSWER_SIZE");
            assertThat(json(http.post(C + "/distinct", "{\"path\":\"n\",\"filter\":{}}"))
                            .toString())
                    .contains("11");
        }
    }
}
