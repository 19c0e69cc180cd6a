package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What every backend can store as it is, and the words for what it cannot. */
class ValueRulesTest {

    @Test
    void stringsWithNulOrALoneSurrogateAreRefused() {
        assertThat(ValueRules.problemInString("plain é 😀")).isNull();
        assertThat(ValueRules.problemInString("a\0b")).contains("NUL");
        assertThat(ValueRules.problemInString("a\ud800b")).contains("lone UTF-16 surrogate");
        assertThat(ValueRules.problemInString("\udc00")).contains("surrogate");
    }

    @Test
    void numbersOutsideWhatEveryBackendKeepsAreRefused() {
        assertThat(ValueRules.problemInNumber(JsonValues.parse("9223372036854775807")))
                .isNull();
        assertThat(ValueRules.problemInNumber(JsonValues.parse("1.10"))).isNull();
        assertThat(ValueRules.problemInNumber(JsonValues.parse("0.000"))).isNull();
        assertThat(ValueRules.problemInNumber(JsonValues.parse("1e309"))).contains("outside the range");
        assertThat(ValueRules.problemInNumber(JsonValues.parse("1e-400"))).contains("outside the range");
        assertThat(ValueRules.problemInNumber(JsonValues.parse("1." + "1".repeat(100))))
                .contains("significant digits");
        assertThat(ValueRules.problemInNumber(JsonValues.parse("1" + "0".repeat(150))))
                .as("trailing zeros are not significant")
                .isNull();
    }

    @Test
    void theFirstProblemAnywhereSaysWhereItIs() {
        assertThat(ValueRules.problemIn(JsonValues.parse("{\"a\":[1,{\"b\":\"x\\u0000\"}]}"), "fields"))
                .contains("fields.a[].b")
                .contains("NUL");
        assertThat(ValueRules.problemIn(JsonValues.parse("{\"ok\":[1,\"two\",{\"three\":3}]}"), "fields"))
                .isNull();
    }
}
