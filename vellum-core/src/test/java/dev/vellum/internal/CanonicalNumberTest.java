package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link JsonValues#canonicalNumber} is the node that writing the canonical text and parsing it back makes. */
class CanonicalNumberTest {

    @Test
    void isWhatTheCanonicalTextReadsBackAs() {
        List<String> numbers = new ArrayList<>(List.of(
                "0",
                "-0",
                "0.000",
                "1",
                "-1",
                "1.50",
                "1E+2",
                "-1E+2",
                "0.1",
                "2147483647",
                "2147483648",
                "-2147483648",
                "-2147483649",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "12345678901234567890.12",
                "1E-20",
                "-0.000001",
                "1.0E+30",
                "123.4560",
                "100.000"));
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            BigDecimal n =
                    new BigDecimal(new java.math.BigInteger(random.nextInt(100) + 1, random), random.nextInt(40) - 20);
            numbers.add((random.nextBoolean() ? n.negate() : n).toString());
        }
        for (String text : numbers) {
            BigDecimal n = new BigDecimal(text);
            JsonNode expected = JsonValues.parse(JsonValues.plain(n));
            JsonNode actual = JsonValues.canonicalNumber(n);
            assertThat(actual).as(text).isEqualTo(expected);
            assertThat(actual.getClass()).as(text).isEqualTo(expected.getClass());
            assertThat(actual.toString()).as(text).isEqualTo(expected.toString());
        }
    }
}
