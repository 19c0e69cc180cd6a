package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.StorageException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** How failures become problems, where the server alone cannot produce the failure on demand. */
class ProblemTest {

    /**
     * PostgreSQL's driver catches its own OutOfMemoryError while reading a result (an export of records near the size
     * limit in a small heap did it) and throws an SQL exception carrying it: that was a 500 saying the database
     * rejected the statement. It is the server short of memory, said as such.
     */
    @Test
    void aDriverThatRanOutOfMemoryIsShortOfMemoryNotA500() {
        SQLException driver = new SQLException(
                "Ran out of memory retrieving query results.", "53200", new OutOfMemoryError("Java heap space"));
        Problem p = Problem.from(new StorageException(
                "PostgreSQL rejected the statement: Ran out of memory " + "retrieving query results. [SQLSTATE 53200]",
                driver));
        assertThat(p.status).isEqualTo(503);
        assertThat(p.type).isEqualTo("saturated");
        assertThat(p.retryAfter).isPositive();
        assertThat(p.body(null).get("detail").asText())
                .contains("short of memory")
                .doesNotContain("SQLSTATE", "rejected");
        assertThat(Problem.from(new StorageException("PostgreSQL rejected the statement: syntax error")).status)
                .isEqualTo(500);
    }
}
