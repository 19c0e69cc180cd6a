package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.testkit.StoreTest;
import java.net.http.HttpResponse;

/** Field operators over HTTP: PATCH with application/json and POST …/update, with their errors, on every backend. */
class FieldOperatorsHttpTest {
    private static final String POSTS = "/v1/collections/posts";

    @StoreTest
    void patchAndUpdateTakeOperators(RecordStore store) {
        try (Http http = Http.start(store)) {
            http.post(POSTS + "/records", "{\"id\":\"p1\",\"fields\":{\"views\":1,\"tags\":[\"a\"]}}");
            http.post(POSTS + "/records", "{\"id\":\"p2\",\"fields\":{\"views\":5}}");

            HttpResponse<String> patched = http.send(
                    "PATCH",
                    POSTS + "/records/p1",
                    "{\"$inc\":{\"views\":2},\"$addToSet\":{\"tags\":{\"$each\":[\"a\",\"b\"]}},\"$set\":{\"by.name\":\"Ada\"}}",
                    "Content-Type",
                    "application/json",
                    "If-Match",
                    "\"1\"");
            assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
            assertThat(patched.headers().firstValue("ETag")).contains("\"2\"");
            JsonNode fields = json(patched).get("fields");
            assertThat(fields.get("views").asInt()).isEqualTo(3);
            assertThat(fields.get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
            assertThat(fields.at("/by/name").asText()).isEqualTo("Ada");

            // a merge patch still works with either content type
            assertThat(http.send(
                                    "PATCH",
                                    POSTS + "/records/p2",
                                    "{\"title\":\"x\"}",
                                    "Content-Type",
                                    "application/merge-patch+json")
                            .statusCode())
                    .isEqualTo(200);

            HttpResponse<String> many = http.post(
                    POSTS + "/update", "{\"filter\":{\"views\":{\"$gte\":3}},\"update\":{\"$inc\":{\"views\":10}}}");
            assertThat(json(many).get("count").asLong()).isEqualTo(2);
            assertThat(json(http.post(POSTS + "/update", "{\"filter\":{},\"patch\":{\"$max\":{\"views\":14}}}"))
                            .get("count")
                            .asLong())
                    .isEqualTo(2);
            assertThat(json(http.get(POSTS + "/records/p1")).at("/fields/views").asInt())
                    .isEqualTo(14);
            assertThat(json(http.get(POSTS + "/records/p2")).at("/fields/views").asInt())
                    .isEqualTo(15);

            // errors: a mismatch (nothing written), a malformed update, a stale version, a body with both keys
            JsonNode mismatch = assertProblem(
                    http.send(
                            "PATCH",
                            POSTS + "/records/p1",
                            "{\"$push\":{\"views\":1}}",
                            "Content-Type",
                            "application/json"),
                    400,
                    "invalid-record");
            assertThat(mismatch.get("detail").asText())
                    .isEqualTo("Cannot apply $push to 'views' of record 'p1': "
                            + "'views' holds a number, not an array. Nothing was written.");
            assertProblem(
                    http.post(POSTS + "/update", "{\"filter\":{},\"update\":{\"$inc\":{\"tags\":1}}}"),
                    400,
                    "invalid-record");
            assertThat(json(http.get(POSTS + "/records/p2")).at("/version").asInt())
                    .isEqualTo(4);
            JsonNode unknown = assertProblem(
                    http.send(
                            "PATCH",
                            POSTS + "/records/p1",
                            "{\"$rename\":{\"a\":\"b\"}}",
                            "Content-Type",
                            "application/json"),
                    400,
                    "invalid-query");
            assertThat(unknown.get("detail").asText()).contains("Unknown update operator '$rename'");
            assertProblem(
                    http.send(
                            "PATCH",
                            POSTS + "/records/p1",
                            "{\"$inc\":{\"views\":1}}",
                            "Content-Type",
                            "application/json",
                            "If-Match",
                            "\"1\""),
                    412,
                    null);
            assertProblem(http.post(POSTS + "/update", "{\"filter\":{},\"patch\":{},\"update\":{}}"), 400, null);
            assertProblem(
                    http.send(
                            "PATCH",
                            POSTS + "/records/nope",
                            "{\"$inc\":{\"n\":1}}",
                            "Content-Type",
                            "application/json"),
                    404,
                    null);
        }
    }
}
