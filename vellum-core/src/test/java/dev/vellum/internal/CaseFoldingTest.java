package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The frozen table is Java 17's simple case mapping (upper then lower) for every code point: checked on the JVM the
 * build runs on when that is 17; on a newer one, only that the table still holds what it held.
 */
class CaseFoldingTest {
    @Test
    void theTableIsJava17sFolding() {
        int differ = 0;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int folded = CaseFolding.fold(cp);
            if (folded != cp) {
                differ++;
            }
            if (Runtime.version().feature() == 17) {
                assertThat(folded).as("U+%04X", cp).isEqualTo(Character.toLowerCase(Character.toUpperCase(cp)));
            }
        }
        assertThat(differ)
                .as("code points that fold to another, ASCII letters included")
                .isEqualTo(1390 + 26);
        assertThat(JsonValues.fold("FÉLIX İ ẞ Σ K")).isEqualTo("félix i ß σ k");
    }
}
