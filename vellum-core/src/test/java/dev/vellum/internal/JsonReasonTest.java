package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What malformed JSON is told: the parser's finding and where, without Jackson's types, features or tokens. */
class JsonReasonTest {

    @Test
    void textAfterTheValueIsSaidInWords() {
        assertThatThrownBy(() -> JsonValues.parseInput("{\"a\":1}{\"b\":2}"))
                .hasMessage("Text follows the JSON value (one value per document) (line 1, column 8)");
    }

    @Test
    void noJavaNamesInAnyReason() {
        for (String bad :
                new String[] {"{\"a\":1}}", "{\"a\":1,\"a\":2}", "{\"a\":", "'x'", "{\"a\":\u0001}", "[1,]"}) {
            assertThatThrownBy(() -> JsonValues.parseInput(bad))
                    .as(bad)
                    .hasMessageNotContaining("com.fasterxml")
                    .hasMessageNotContaining("Feature")
                    .hasMessageNotContaining("`")
                    .hasMessageNotContaining("START_");
        }
    }
}
