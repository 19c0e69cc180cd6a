package dev.vellum.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SQL fragment: values travel with their placeholders, and a mismatch is found where it is written. */
class SqlTest {

    @Test
    void valuesFollowTheirPlaceholdersThroughComposition() {
        Sql a = Sql.of("a = ?", 1);
        Sql b = Sql.of("substr(b, 1, ?) = ?", 2, "x");
        Sql both = Sql.concat("(", a, " AND ", b, ")");
        assertThat(both.text()).isEqualTo("(a = ? AND substr(b, 1, ?) = ?)");
        assertThat(both.binds()).containsExactly(1, 2, "x");
        Sql twice = Sql.concat("INSERT … WHERE ", both, "; DELETE … WHERE ", both);
        assertThat(twice.binds()).containsExactly(1, 2, "x", 1, 2, "x");
    }

    @Test
    void placeholdersAndValuesMustBeAsMany() {
        assertThatThrownBy(() -> Sql.of("a = ? AND b = ?", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 placeholders given 1 values");
        assertThatThrownBy(() -> Sql.concat("a = ?")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sql.concat(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void questionMarksInLiteralsAndIdentifiersAreNotPlaceholders() {
        assertThat(Sql.of("x = '?' AND \"we?ird\" = ? AND y = 'it''s?'", 1).binds())
                .containsExactly(1);
    }

    @Test
    void joinHasItsIdentityAndNullValuesBind() {
        assertThat(Sql.join(" OR ", List.of(), Sql.FALSE)).isEqualTo(Sql.FALSE);
        Sql one = Sql.bind(null);
        assertThat(Sql.join(" OR ", List.of(one), Sql.FALSE)).isSameAs(one);
        Sql two = Sql.join(" OR ", List.of(Sql.of("a = ?", 1), one), Sql.FALSE).parenthesized();
        assertThat(two.text()).isEqualTo("(a = ? OR ?)");
        assertThat(two.binds()).isEqualTo(Arrays.asList(1, null));
    }

    @Test
    void aFragmentPastedIntoAStringIsNotSql() {
        assertThat("WHERE " + Sql.of("a = ?", 1)).isNotEqualTo("WHERE a = ?");
    }

    @Test
    void theRankOrderRendersOnceForEveryBackend() {
        assertThat(JsonType.rankCase("t", type -> List.of(type.name().toLowerCase(java.util.Locale.ROOT))))
                .isEqualTo("(CASE t WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'boolean' THEN 3 WHEN 'array' "
                        + "THEN 4 WHEN 'object' THEN 5 ELSE 6 END)");
        assertThat(JsonType.ofRank(3)).isEqualTo(JsonType.BOOLEAN);
    }
}
