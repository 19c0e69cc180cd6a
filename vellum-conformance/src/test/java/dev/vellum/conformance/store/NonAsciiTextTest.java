package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Text outside ASCII gives the same answers on every backend and, on PostgreSQL, in databases of every collation
 * (the build adds {@code postgres@C.UTF-8} and {@code postgres@icu}): ilike folds by Unicode simple case mapping,
 * never by the database's lower; strings order and range by code point; like, startsWith and regex count code
 * points, not bytes or UTF-16 units. Found on PostgreSQL 15 in a C-locale database: {@code %élix} missed FÉLIX.
 */
class NonAsciiTextTest {

    private static final Map<String, String> NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry("n01", "FÉLIX"),
            Map.entry("n02", "félix"),
            Map.entry("n03", "straße"),
            Map.entry("n04", "STRASSE"),
            Map.entry("n05", "ẞig"),
            Map.entry("n06", "İstanbul"),
            Map.entry("n07", "ISTANBUL"),
            Map.entry("n08", "ıstanbul"),
            Map.entry("n09", "ΌΣΟΣ"),
            Map.entry("n10", "όσος"),
            Map.entry("n11", "\u212Aelvin"),
            Map.entry("n12", "Kelvin"),
            Map.entry("n13", "ǅemal"),
            Map.entry("n14", "ǄEMAL"),
            Map.entry("n15", "\u2126mega"),
            Map.entry("n16", "ΩMEGA"),
            Map.entry("n17", "😀 smile"),
            Map.entry("n18", "Ⓐbc")));

    /** Code-point order: Z < a < z < ä < é < 日本 < Ａ (U+FF21) < 😀 (U+1F600); UTF-16 order would put 😀 before Ａ. */
    private static final Map<String, String> WORDS = new TreeMap<>(
            Map.of("w1", "é", "w2", "a", "w3", "😀", "w4", "日本", "w5", "Ａ", "w6", "z", "w7", "ä", "w8", "Z"));

    private static Collection load(RecordStore store, String name, String field, Map<String, String> values) {
        Collection c = store.collection(name);
        values.forEach((id, v) -> c.insert(id, JsonValues.NODES.objectNode().put(field, v), null));
        return c;
    }

    private static void expect(Collection c, String filter, String... ids) {
        List<String> found = c.find(Query.where(Filter.parse(filter)).limit(100)).records().stream()
                .map(Record::id)
                .toList();
        assertThat(found).as(filter).containsExactly(ids);
        assertThat(c.count(Filter.parse(filter))).as("count " + filter).isEqualTo(ids.length);
    }

    private static String ilike(String pattern) {
        return "{\"name\":{\"$ilike\":\"" + pattern + "\"}}";
    }

    @StoreTest
    void ilikeFoldsBySimpleCaseMappingNotByTheDatabasesLower(RecordStore store) {
        Collection c = load(store, "names", "name", NAMES);
        expect(c, ilike("%élix"), "n01", "n02");
        expect(c, ilike("FÉLIX"), "n01", "n02");
        // ß has no single-code-point upper case: STRASSE is not straße; capital ẞ folds to ß
        expect(c, ilike("%STRASSE"), "n04");
        expect(c, ilike("%ß%"), "n03", "n05");
        // dotted capital İ and dotless ı both fold to i, whatever the locale's Turkish rules
        expect(c, ilike("istanbul"), "n06", "n07", "n08");
        // final sigma folds to σ
        expect(c, ilike("όσοσ"), "n09", "n10");
        // the Kelvin and Ohm signs fold to k and ω; titlecase ǅ to ǆ
        expect(c, ilike("kelvin"), "n11", "n12");
        expect(c, ilike("ωmega"), "n15", "n16");
        expect(c, ilike("ǆemal"), "n13", "n14");
        // circled letters have case too
        expect(c, ilike("ⓐBC"), "n18");
    }

    @StoreTest
    void patternsCountCodePoints(RecordStore store) {
        Collection c = load(store, "names", "name", NAMES);
        expect(c, "{\"name\":{\"$like\":\"_ smile\"}}", "n17");
        expect(c, "{\"name\":{\"$like\":\"F_LIX\"}}", "n01");
        expect(c, "{\"name\":{\"$like\":\"%ß_\"}}", "n03");
        expect(c, "{\"name\":{\"$startsWith\":\"ẞ\"}}", "n05");
        expect(c, "{\"name\":{\"$regex\":\"^.{7}$\"}}", "n04", "n17"); // 😀 is one character
        expect(c, "{\"name\":{\"$regex\":\"^[À-ÿ]\"}}");
        expect(c, "{\"name\":{\"$regex\":\"[À-ÿ]\"}}", "n01", "n02", "n03");
        expect(c, "{\"name\":{\"$regex\":\"^[ΌΑ-Ωά-ώ]+$\"}}", "n09", "n10");
        // \\w is ASCII only on every backend
        expect(c, "{\"name\":{\"$regex\":\"^\\\\w+$\"}}", "n04", "n07", "n12");
    }

    @StoreTest
    void stringsOrderAndRangeByCodePoint(RecordStore store) {
        Collection c = load(store, "words", "w", WORDS);
        assertThat(c.find(Query.all().sort("w")).records().stream().map(Record::id))
                .containsExactly("w8", "w2", "w6", "w7", "w1", "w4", "w5", "w3");
        assertThat(c.find(Query.all().sort("-w")).records().stream().map(Record::id))
                .containsExactly("w3", "w5", "w4", "w1", "w7", "w6", "w2", "w8");
        expect(c, "{\"w\":{\"$gt\":\"z\"}}", "w1", "w3", "w4", "w5", "w7");
        expect(c, "{\"w\":{\"$gte\":\"é\",\"$lt\":\"😀\"}}", "w1", "w4", "w5");
        expect(c, "{\"w\":{\"$between\":[\"Z\",\"ä\"]}}", "w2", "w6", "w7", "w8");
        // the same answers when an index serves the range and the order
        c.createIndex("by_w", "w");
        expect(c, "{\"w\":{\"$gt\":\"z\"}}", "w1", "w3", "w4", "w5", "w7");
        assertThat(c.find(Query.where(Filter.parse("{\"w\":{\"$gte\":\"a\"}}")).sort("w")).records().stream()
                        .map(Record::id))
                .containsExactly("w2", "w6", "w7", "w1", "w4", "w5", "w3");
    }
}
