package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.vellum.Database;
import dev.vellum.NewRecord;
import dev.vellum.Params;
import dev.vellum.QueryException;
import dev.vellum.RecordStore;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.StoreTest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/** SQL rows as Java records and POJOs ({@code fetchAll(sql, Type.class)}), and insertMany answering ids. */
class MapToTest {
    record Address(String city, List<String> lines) {}

    record Person(
            long id, String fullName, BigDecimal balance, Instant joinedAt, Optional<String> note, Address address) {}

    /** Values that fit as they are: built without Jackson. */
    record Plain(int id, String fullName, BigDecimal balance, Instant joinedAt, Long missing) {}

    /** A POJO with a renamed property. */
    static final class Summary {
        @JsonProperty("n")
        public long count;

        public String fullName;
    }

    @BackendTest
    void rowsMapToRecordsAndPojos(Database db) {
        boolean postgres = db.backendName().equals("postgres");
        db.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, full_name TEXT, balance NUMERIC(30, 10), joined_at "
                + db.dialect().timestampType() + ", note TEXT, address " + (postgres ? "JSONB" : "TEXT") + ")");
        Instant joined = Instant.parse("2026-12-06T10:00:00.123Z");
        db.execute(
                "INSERT INTO people VALUES (:id, :name, :balance, :joined, NULL, "
                        + (postgres ? ":address::jsonb" : ":address") + ")",
                Params.of(
                        "id",
                        1,
                        "name",
                        "Ada",
                        "balance",
                        new BigDecimal("12.5"),
                        "joined",
                        joined,
                        "address",
                        "{\"city\":\"London\",\"lines\":[\"12 St James's Square\"]}"));
        db.execute("INSERT INTO people (id, full_name) VALUES (2, 'Bob')");

        List<Person> people = db.fetchAll("SELECT * FROM people ORDER BY id", Person.class);
        assertThat(people.get(0))
                .isEqualTo(new Person(
                        1,
                        "Ada",
                        people.get(0).balance(),
                        joined,
                        Optional.empty(),
                        new Address("London", List.of("12 St James's Square"))));
        assertThat(people.get(0).balance()).isEqualByComparingTo("12.5");
        assertThat(people.get(1).fullName()).isEqualTo("Bob");
        assertThat(people.get(1).address()).isNull();
        assertThat(db.fetchOne("SELECT id, full_name FROM people WHERE id = :id", Person.class, Params.of("id", 2)))
                .map(Person::fullName)
                .contains("Bob");
        try (var stream = db.stream("SELECT id, FULL_NAME AS FullName FROM people ORDER BY id", Person.class)) {
            assertThat(stream.map(Person::fullName)).containsExactly("Ada", "Bob");
        }
        Summary s = db.fetchOne("SELECT count(*) AS n, max(full_name) AS full_name FROM people", Summary.class)
                .orElseThrow();
        assertThat(s.count).isEqualTo(2);
        assertThat(s.fullName).isEqualTo("Bob");
        assertThat(db.fetchAll("SELECT full_name FROM people ORDER BY id")
                        .get(0)
                        .mapTo(Person.class)
                        .fullName())
                .isEqualTo("Ada");
        List<Plain> plain =
                db.fetchAll("SELECT id, full_name, balance, joined_at FROM people ORDER BY id", Plain.class);
        assertThat(plain.get(0).balance()).isEqualByComparingTo("12.5");
        assertThat(plain.get(0)).isEqualTo(new Plain(1, "Ada", plain.get(0).balance(), joined, null));
        assertThat(plain.get(1)).isEqualTo(new Plain(2, "Bob", null, null, null));
        // text into a number: Jackson's conversions take over
        assertThat(db.fetchOne("SELECT '7' AS id, 'Cy' AS full_name", Plain.class)
                        .orElseThrow()
                        .id())
                .isEqualTo(7);
        assertThatThrownBy(() -> db.fetchAll("SELECT full_name AS id FROM people", Person.class))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("cannot be read as a Person");
    }

    @StoreTest
    void insertManyAnswersTheIdsInOrder(RecordStore store) {
        var c = store.collection("ids");
        List<String> ids = c.insertManyReturningIds(IntStream.range(0, 5)
                .mapToObj(i -> i == 2 ? NewRecord.of("given", Map.of("i", i)) : NewRecord.of(Map.of("i", i)))
                .toList());
        assertThat(ids).hasSize(5).doesNotHaveDuplicates();
        assertThat(ids.get(2)).isEqualTo("given");
        for (int i = 0; i < 5; i++) {
            assertThat(c.get(ids.get(i)).orElseThrow().fields().get("i").asInt())
                    .isEqualTo(i);
        }
    }
}
