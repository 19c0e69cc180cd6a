package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The digit-by-digit format writes what the general formatter writes, in and out of its range. */
class TimestampsTest {
    @Test
    void formatsAsTheGeneralFormatterDoes() {
        for (String text : new String[] {
            "0001-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T12:34:56.789Z",
            "2026-12-07T18:00:00.001Z",
            "9999-12-31T23:59:59.999Z",
            "+10000-01-01T00:00:00Z",
            "-0001-06-01T00:00:00Z"
        }) {
            Instant instant = Instant.parse(text);
            assertThat(Timestamps.format(instant)).as(text).isEqualTo(Timestamps.ISO_MILLIS.format(instant));
        }
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochMilli(random.nextLong() % 253_402_300_799_000L);
            assertThat(Timestamps.format(instant)).isEqualTo(Timestamps.ISO_MILLIS.format(instant));
        }
    }
}
