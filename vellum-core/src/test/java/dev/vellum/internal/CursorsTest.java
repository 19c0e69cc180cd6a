package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.QueryException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keyset cursors: what a page's last record says, readable only by the query that made it. */
class CursorsTest {
    private static final Query QUERY = Query.where(Filter.gte("age", 30)).sort("-age", "name");

    @Test
    void aCursorCarriesTheSortKeyAndIdBack() {
        List<JsonNode> key = List.of(JsonValues.parse("41"), JsonValues.parse("\"Cy é\""));
        String cursor = Cursors.encode(QUERY, key, "id-1");
        assertThat(cursor).matches("[A-Za-z0-9_-]+"); // URL-safe, no padding
        Cursors.Position position = Cursors.decode(QUERY.cursor(cursor), 2);
        assertThat(position.key()).isEqualTo(key);
        assertThat(position.id()).isEqualTo("id-1");
    }

    @Test
    void aMissingValueInTheKeyComesBackAsNull() {
        String cursor = Cursors.encode(QUERY, java.util.Arrays.asList(null, JsonValues.parse("1")), "x");
        assertThat(Cursors.decode(QUERY.cursor(cursor), 2).key().get(0).isNull())
                .isTrue();
    }

    @Test
    void anotherQuerysCursorIsRefusedSayingWhy() {
        String cursor = Cursors.encode(QUERY, List.of(JsonValues.parse("41"), JsonValues.parse("\"Cy\"")), "id-1");
        Query other = Query.where(Filter.gte("age", 31)).sort("-age", "name").cursor(cursor);
        assertThatThrownBy(() -> Cursors.decode(other, 2))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("another filter or sort");
    }

    @Test
    void somethingThatIsNotACursorIsRefused() {
        for (String garbage : new String[] {"not a cursor!", "e30", "eyJxIjoxfQ", "x".repeat(500)}) {
            assertThatThrownBy(() -> Cursors.decode(QUERY.cursor(garbage), 2))
                    .as(garbage)
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining("is not one this store issued")
                    .satisfies(e -> assertThat(((QueryException) e).part()).isEqualTo("cursor"));
        }
        String oneKey = Cursors.encode(QUERY, List.of(JsonValues.parse("41")), "id-1");
        assertThatThrownBy(() -> Cursors.decode(QUERY.cursor(oneKey), 2)).isInstanceOf(QueryException.class);
    }
}
