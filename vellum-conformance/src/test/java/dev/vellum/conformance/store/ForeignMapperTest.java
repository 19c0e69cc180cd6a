package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vellum.Accumulator;
import dev.vellum.Change;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.Json;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Row;
import dev.vellum.Versioned;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Vellum's result types handed to a mapper it does not control: Jackson 3 as Spring Boot 4 configures it (which does
 * not know Jackson 2's tree nodes, and once wrote them as beans: {@code {"fields":{"array":false,…}}}) and Jackson 2
 * as Spring Boot 3 configures it. Both must write each type's wire form, on every backend.
 */
class ForeignMapperTest {
    /** Spring Boot 4's defaults for this purpose: a plain Jackson 3 mapper (it has java.time built in). */
    private static final tools.jackson.databind.json.JsonMapper JACKSON_3 =
            tools.jackson.databind.json.JsonMapper.builder().build();
    /** Spring Boot 3's: java.time registered, dates as text. */
    private static final ObjectMapper JACKSON_2 = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    record Note(String id, String title, BigDecimal price, List<String> tags, Instant at) {}

    /** What each mapper writes, compared as JSON values (so {@code 1.5E+3} and 1500 are the same number). */
    private static void bothWrite(Object value, JsonNode expected) throws Exception {
        for (String written : List.of(JACKSON_3.writeValueAsString(value), JACKSON_2.writeValueAsString(value))) {
            assertThat(JsonValues.equal(JsonValues.parse(written), expected))
                    .as(written + " is " + expected)
                    .isTrue();
        }
    }

    private static JsonNode json(String text) {
        return JsonValues.parse(text.replace('\'', '"'));
    }

    @StoreTest
    void recordsPagesGroupsAndChangesAreWrittenAsTheirWireForm(RecordStore store) throws Exception {
        Collection notes = store.collection("notes");
        notes.enableChanges();
        String start = notes.changes().now();
        Record ada = notes.insert(
                "ada",
                Map.of(
                        "name",
                        "Ada",
                        "price",
                        new BigDecimal("1500"),
                        "small",
                        new BigDecimal("0.000001"),
                        "big",
                        new BigDecimal("123456789012345678901234567890.5"),
                        "nested",
                        Map.of("a", List.of(1, true, "x")),
                        "none",
                        Map.of()),
                Map.of("source", "test"));
        notes.insert("bob", Map.of("name", "Bob", "price", 2), null);

        bothWrite(ada, ada.toJson());
        Page page = notes.find(Query.all().sort("$id").limit(1));
        bothWrite(
                page,
                JsonValues.parse("{\"records\":[" + page.records().get(0) + "],\"nextCursor\":"
                        + JsonValues.NODES.textNode(page.nextCursor()) + "}"));
        assertThat(JsonValues.parse(JACKSON_3.writeValueAsString(ada))
                        .at("/fields/nested/a/1")
                        .asBoolean())
                .isTrue();

        List<Group> groups = notes.aggregate(
                Filter.all(), List.of("name"), Map.of("n", Accumulator.count(), "total", Accumulator.sum("price")));
        bothWrite(groups.get(0), json("{'key':{'name':'Ada'},'n':1,'total':1500}"));

        List<Change> changes = notes.changes().poll(start, 10).changes();
        assertThat(changes).hasSize(2);
        bothWrite(changes.get(0), changes.get(0).toJson());
        bothWrite(
                notes.changes().poll(start, 10),
                JsonValues.parse("{\"changes\":[" + changes.get(0).toJson() + ","
                        + changes.get(1).toJson() + "],\"next\":\""
                        + notes.changes().poll(start, 10).next() + "\"}"));
    }

    @StoreTest
    void typedValuesKeepTheirMetadataAsJson(RecordStore store) throws Exception {
        var typed = store.collection("typed", Note.class);
        Versioned<Note> written = typed.insertVersioned(
                new Note(null, "T", new BigDecimal("9.99"), List.of("a"), Instant.parse("2026-01-02T03:04:05.678Z")));
        JsonNode tree = JsonValues.parse(JACKSON_3.writeValueAsString(written));
        assertThat(tree.get("metadata")).isEqualTo(json("{}"));
        assertThat(tree.at("/value/price").decimalValue()).isEqualByComparingTo("9.99");
        assertThat(tree.get("version").asLong()).isEqualTo(1);
        assertThat(JsonValues.parse(JACKSON_2.writeValueAsString(written)).get("metadata"))
                .isEqualTo(json("{}"));
    }

    @StoreTest
    void rowsAndJsonParametersAreWrittenAsTheirValues(RecordStore store) throws Exception {
        bothWrite(Json.of("{\"a\":[1,2.50,null]}"), json("{'a':[1,2.50,null]}"));
        if (store.database().isEmpty()) {
            return; // the memory backend has no SQL
        }
        Row row = store.database().get().fetchOne("SELECT 1 AS n, 'x' AS s").orElseThrow();
        bothWrite(row, json("{'n':1,'s':'x'}"));
    }
}
