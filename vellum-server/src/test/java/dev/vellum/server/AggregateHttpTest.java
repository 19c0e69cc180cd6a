package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.RecordStore;
import dev.vellum.testkit.StoreTest;

/** POST …/aggregate and …/distinct, with their errors, on every backend. */
class AggregateHttpTest {
    private static final String USERS = "/v1/collections/users";

    @StoreTest
    void aggregateAndDistinct(RecordStore store) {
        try (Http http = Http.start(store)) {
            for (String fields : new String[] {
                "{\"city\":\"NY\",\"age\":30}",
                "{\"city\":\"NY\",\"age\":33}",
                "{\"city\":\"LA\",\"age\":40}",
                "{\"age\":20}"
            }) {
                http.post(USERS + "/records", "{\"fields\":" + fields + "}");
            }
            JsonNode groups = json(http.post(
                    USERS + "/aggregate",
                    "{\"filter\":{},\"groupBy\":[\"city\"],"
                            + "\"accumulators\":{\"n\":{\"$count\":{}},\"avgAge\":{\"$avg\":\"age\"}}}"));
            assertThat(groups.toString())
                    .isEqualTo("{\"groups\":[{\"key\":{\"city\":\"LA\"},\"n\":1,\"avgAge\":40},"
                            + "{\"key\":{\"city\":\"NY\"},\"n\":2,\"avgAge\":31.5},{\"key\":{\"city\":null},\"n\":1,"
                            + "\"avgAge\":20}]}");
            assertThat(json(http.post(
                                    USERS + "/aggregate",
                                    "{\"filter\":{\"age\":{\"$gte\":30}},"
                                            + "\"accumulators\":{\"oldest\":{\"$max\":\"age\"},\"cities\":{\"$countDistinct\":\"city\"}}}"))
                            .toString())
                    .isEqualTo("{\"groups\":[{\"key\":{},\"oldest\":40,\"cities\":2}]}");
            assertThat(json(http.post(USERS + "/distinct", "{\"path\":\"city\"}"))
                            .toString())
                    .isEqualTo("{\"values\":[\"LA\",\"NY\"]}");

            JsonNode unknown = assertProblem(
                    http.post(USERS + "/aggregate", "{\"accumulators\":{\"n\":{\"$cnt\":{}}}}"), 400, "invalid-query");
            assertThat(unknown.get("detail").asText()).contains("Unknown accumulator '$cnt'");
            assertProblem(http.post(USERS + "/aggregate", "{\"groupBy\":\"city\"}"), 400, "invalid-query");
            assertProblem(http.post(USERS + "/aggregate", "{\"groupBy\":[\"$id\"]}"), 400, "invalid-query");
            assertProblem(
                    http.post(USERS + "/aggregate", "{\"accumulators\":{\"key\":{\"$count\":{}}}}"),
                    400,
                    "invalid-query");
            assertProblem(http.post(USERS + "/aggregate", "{\"having\":{}}"), 400, null);
            assertProblem(http.post(USERS + "/distinct", "{}"), 400, null);
        }
    }
}
