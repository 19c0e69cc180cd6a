package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Database;
import dev.vellum.Row;
import dev.vellum.testkit.BackendTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;

/**
 * {@code stream} holds constant memory: a million rows of ~200 bytes (about 200 MB of data) stream through a JVM
 * whose heap is 64 MB (this class runs in the small-heap fork, see the module's pom).
 */
@Tag("small-heap")
class StreamMemoryTest {
    private static final int ROWS = 1_000_000;

    @BackendTest
    void millionRowsStreamThroughA64MegabyteHeap(Database db) {
        assertThat(Runtime.getRuntime().maxMemory())
                .as("heap limit of this fork")
                .isLessThan(100L * 1024 * 1024);
        db.execute("CREATE TABLE big (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)");
        // Filled by the database itself: this test is about reading, not about inserting.
        if (db.backendName().equals("postgres")) {
            db.execute("INSERT INTO big SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, ?) g", ROWS);
        } else {
            db.execute(
                    "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?) "
                            + "INSERT INTO big SELECT n, printf('%.192c', 'x') || n FROM g",
                    ROWS);
        }
        long count = 0;
        long sum = 0;
        long bytes = 0;
        try (Stream<Row> rows = db.stream("SELECT id, payload FROM big ORDER BY id")) {
            for (Row row : (Iterable<Row>) rows::iterator) {
                count++;
                sum += row.getLong("id");
                bytes += row.getString("payload").length();
            }
        }
        assertThat(count).isEqualTo(ROWS);
        assertThat(sum).isEqualTo((long) ROWS * (ROWS + 1) / 2);
        assertThat(bytes).isGreaterThan(150L * ROWS);
    }
}
