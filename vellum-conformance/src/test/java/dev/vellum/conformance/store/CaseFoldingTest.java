package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Database;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.TestBackend;

/**
 * The SQL backends' {@code vellum_fold} (what ilike compares) maps every code point exactly as the memory backend
 * does: on PostgreSQL it is a table in migrations V4 and V5, on SQLite a Java function, so this checks all 1,112,064 of them.
 */
class CaseFoldingTest {

    @BackendTest
    void everyCodePointFoldsAsTheReferenceDoes(TestBackend backend) {
        backend.openStore().close(); // applies the migrations
        Database db = backend.open();
        int chunk = 20_000;
        for (int start = 1; start <= Character.MAX_CODE_POINT; start += chunk) {
            StringBuilder text = new StringBuilder();
            for (int cp = start; cp < Math.min(start + chunk, Character.MAX_CODE_POINT + 1); cp++) {
                if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                    text.appendCodePoint(cp);
                }
            }
            String folded = db.fetchOne("SELECT vellum_fold(?) AS f", text.toString())
                    .orElseThrow()
                    .getString("f");
            String expected = JsonValues.fold(text.toString());
            if (!expected.equals(folded)) {
                int at = firstDifference(expected, folded);
                assertThat(Integer.toHexString(folded.codePointAt(at)))
                        .as("fold of U+%04X on %s", text.codePointAt(at), backend)
                        .isEqualTo(Integer.toHexString(expected.codePointAt(at)));
            }
        }
    }

    private static int firstDifference(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.codePointAt(i) == b.codePointAt(i)) {
            i += Character.charCount(a.codePointAt(i));
        }
        return i;
    }
}
