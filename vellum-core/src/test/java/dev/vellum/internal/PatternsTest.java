package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.QueryException;
import dev.vellum.spi.RegexPattern;
import org.junit.jupiter.api.Test;

/** The portable regex subset and like patterns, as each engine is given them. */
class PatternsTest {

    @Test
    void classShorthandsBecomeExplicitAsciiClassesForEveryEngine() {
        RegexPattern regex = Patterns.regex("^\\d+\\s\\w$");
        assertThat(regex.java()).doesNotContain("\\d", "\\s", "\\w");
        assertThat(regex.withEndOfText("$")).doesNotContain("\\d", "\\s", "\\w");
        assertThat(Patterns.regexFinds("^\\d+\\s\\w$", "42 x")).isTrue();
        assertThat(Patterns.regexFinds("^\\d+$", "٤٢"))
                .as("Arabic-Indic digits are not \\d")
                .isFalse();
    }

    @Test
    void theEndAnchorIsTheEndOfTheTextInBothForms() {
        RegexPattern regex = Patterns.regex("a$");
        assertThat(regex.java()).isEqualTo("a\\z"); // Java's $ would also match before a final newline
        assertThat(regex.withEndOfText("$")).isEqualTo("a$");
        assertThat(Patterns.regexFinds("a$", "a\n")).isFalse();
    }

    @Test
    void theSubsetKeepsItsMeaning() {
        assertThat(Patterns.regexFinds("a.c", "a\nc")).as(". matches a newline").isTrue();
        assertThat(Patterns.regexFinds("^(ab|cd){2}$", "abcd")).isTrue();
        assertThat(Patterns.regexFinds("^[^x-z]+$", "abc")).isTrue();
        assertThat(Patterns.regexFinds("^[^x-z]+$", "abz")).isFalse();
        assertThat(Patterns.regexFinds("\\.", "a.b")).isTrue();
        assertThat(Patterns.regexFinds("\\.", "ab")).isFalse();
    }

    @Test
    void whatIsOutsideTheSubsetIsRefusedNeverApproximated() {
        for (String unsupported : new String[] {"(?i)abc", "a\\b", "\\p{L}", "a++", "(?<n>a)", "\\1"}) {
            assertThatThrownBy(() -> Patterns.regex(unsupported))
                    .as(unsupported)
                    .isInstanceOf(QueryException.class);
        }
        assertThatThrownBy(() -> Patterns.regex("abc\\"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("backslash");
        assertThatThrownBy(() -> Patterns.regex("(abc")).isInstanceOf(QueryException.class);
    }

    @Test
    void patternsThatWouldCostTooMuchToCompileAreRefused() {
        assertThatThrownBy(() -> Patterns.regex("(a{100}){101}")).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Patterns.regex("a".repeat(Patterns.MAX_LENGTH + 1)))
                .isInstanceOf(QueryException.class);
        assertThat(Patterns.regex("(a{100}){100}").java()).isNotEmpty();
    }

    @Test
    void likeWildcardsAndEscapes() {
        assertThat(Patterns.likeMatches("a%c", "abbbc")).isTrue();
        assertThat(Patterns.likeMatches("a_c", "abc")).isTrue();
        assertThat(Patterns.likeMatches("a_c", "abbc")).isFalse();
        assertThat(Patterns.likeMatches("100\\%", "100%")).isTrue();
        assertThat(Patterns.likeMatches("100\\%", "1000")).isFalse();
        assertThat(Patterns.likeMatches("a.c", "abc"))
                .as("regex characters are literal")
                .isFalse();
    }
}
