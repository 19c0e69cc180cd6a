package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Database;
import dev.vellum.Params;
import dev.vellum.QueryException;
import dev.vellum.Row;
import dev.vellum.testkit.BackendTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code :name} placeholders with {@link Params}, on every SQL backend, with the same quoting rules as {@code ?}. */
class NamedParametersTest {
    record Person(String name, long age, Instant joined) {}

    private static void people(Database db) {
        db.execute("CREATE TABLE people (name TEXT NOT NULL, age BIGINT, joined "
                + db.dialect().timestampType() + ", note TEXT)");
    }

    @BackendTest
    void namesBindFromMapsPairsAndRecords(Database db) {
        people(db);
        Instant joined = Instant.parse("2026-12-06T10:00:00.123Z");
        assertThat(db.execute(
                        "INSERT INTO people (name, age, joined) VALUES (:name, :age, :joined)",
                        Params.from(new Person("Ada", 36, joined))))
                .isEqualTo(1);
        db.execute("INSERT INTO people (name, age) VALUES (:name, :age)", Params.of(Map.of("name", "Bob", "age", 29)));
        List<Row> rows = db.fetchAll(
                "SELECT name, joined FROM people WHERE age >= :min AND age <= :max ORDER BY name",
                Params.of("min", 30, "max", 40));
        assertThat(rows).extracting(r -> r.getString("name")).containsExactly("Ada");
        assertThat(rows.get(0).getInstant("joined")).isEqualTo(joined);
        // one name twice; the same value bound to both places
        assertThat(db.fetchAll("SELECT name FROM people WHERE name = :n OR note = :n", Params.of("n", "Bob")))
                .hasSize(1);
        assertThat(db.fetchOne("SELECT count(*) AS n FROM people WHERE age > :age", Params.of("age", 0))
                        .orElseThrow()
                        .getLong("n"))
                .isEqualTo(2);
        try (var stream = db.stream("SELECT name FROM people WHERE age < :age", Params.of("age", 30))) {
            assertThat(stream.map(r -> r.getString("name"))).containsExactly("Bob");
        }
    }

    @BackendTest
    void colonsInTextCommentsAndCastsAreNotParameters(Database db) {
        people(db);
        db.execute(
                "INSERT INTO people (name, note) VALUES (:name, 'at 10:30, :not a parameter, it''s :text') "
                        + "-- :comment\n",
                Params.of("name", "Cy"));
        db.execute("/* :block */ UPDATE people SET age = :age WHERE name = :name", Params.of("name", "Cy", "age", 7));
        Row cy = db.fetchOne(
                        "SELECT name AS \"a:b\", age, note FROM people WHERE name = :name", Params.of("name", "Cy"))
                .orElseThrow();
        assertThat(cy.getString("a:b")).isEqualTo("Cy");
        assertThat(cy.getLong("age")).isEqualTo(7);
        assertThat(cy.getString("note")).isEqualTo("at 10:30, :not a parameter, it's :text");
        if (db.backendName().equals("postgres")) {
            assertThat(db.fetchOne("SELECT :v::text || $$ :x $$ AS s", Params.of("v", "a"))
                            .orElseThrow()
                            .getString("s"))
                    .isEqualTo("a :x ");
        }
    }

    @BackendTest
    void aMissingNameIsAClearErrorAndWritesNothing(Database db) {
        people(db);
        assertThatThrownBy(() -> db.execute(
                        "INSERT INTO people (name, age) VALUES (:name, :agee)", Params.of("name", "Ada", "age", 1)))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("No value for :agee")
                .hasMessageContaining("[name, age]");
        assertThat(db.fetchAll("SELECT * FROM people")).isEmpty();
        assertThatThrownBy(() -> Params.of("a", 1, "b")).isInstanceOf(IllegalArgumentException.class);
    }
}
