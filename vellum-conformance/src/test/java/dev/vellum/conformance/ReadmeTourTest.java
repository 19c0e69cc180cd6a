package dev.vellum.conformance;

import dev.vellum.Database;
import dev.vellum.Row;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's Java tour, as written there, on every backend. Keep the two in step. */
class ReadmeTourTest {

    @BackendTest
    void databaseTourRuns(TestBackend backend) {
        try (Database db = Database.open(backend.url())) {
            db.execute("CREATE TABLE IF NOT EXISTS people (id " + db.dialect().autoIncrementPrimaryKey()
                    + ", name TEXT NOT NULL, joined " + db.dialect().timestampType() + ")");
            db.execute("INSERT INTO people (name, joined) VALUES (?, ?)", "Ada", Instant.now());

            Optional<Row> ada = db.fetchOne("SELECT * FROM people WHERE name = ?", "Ada");
            Instant joined = ada.orElseThrow().getInstant("joined");

            db.useTransaction(tx -> {
                tx.execute("UPDATE people SET name = ? WHERE name = ?", "Ada L.", "Ada");
                tx.useTransaction(inner -> inner.execute("DELETE FROM people WHERE name = ?", "nobody"));
            });

            try (Stream<Row> rows = db.stream("SELECT * FROM people")) {
                assertThat(rows.map(r -> r.getString("name"))).containsExactly("Ada L.");
            }
            assertThat(joined).isBefore(Instant.now().plusSeconds(1));
        }
    }
}
