package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.NewRecord;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.RecordTooLargeException;
import dev.vellum.Update;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * VELLUM_MAX_RECORD_SIZE on every backend and every write: a record's fields (and its metadata) at most so many bytes
 * of compact JSON text, refused before the write commits, however the record grew — inserts, batches, replaces, merge
 * patches and field operators, whose result only the database computes. The limit is the same byte for byte
 * everywhere, and a refused write leaves nothing behind.
 */
class RecordSizeTest {
    private static final int LIMIT = 4096;

    private static RecordStore store(TestBackend backend) {
        return backend.openStore(b -> b.set("VELLUM_MAX_RECORD_SIZE", "4KB"));
    }

    /** {"s":"…"} of exactly {@code bytes} bytes of JSON text. */
    private static Map<String, Object> ofSize(int bytes) {
        return Map.of("s", "x".repeat(bytes - 8));
    }

    private static Record loaded(String id, Map<String, Object> fields) {
        Instant now = Instant.now();
        return new Record(id, (ObjectNode) JsonValues.toTree(fields), JsonValues.NODES.objectNode(), 1, now, now);
    }

    private static int size(Record r) {
        return JsonValues.write(r.fields()).getBytes(StandardCharsets.UTF_8).length;
    }

    @StoreTest
    void insertsUpToTheLimitAreKeptAndOneBytePastIsRefused(TestBackend backend) {
        Collection c = store(backend).collection("big");
        assertThat(size(c.insert("at", ofSize(LIMIT), null))).isEqualTo(LIMIT);
        assertThatThrownBy(() -> c.insert("past", ofSize(LIMIT + 1), null))
                .isInstanceOfSatisfying(RecordTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(LIMIT + 1);
                    assertThat(e.limit()).isEqualTo(LIMIT);
                })
                .hasMessage("Record 'past' would hold 4,097 bytes of fields (as JSON text) after this write; a record "
                        + "may hold at most 4,096 bytes of each (VELLUM_MAX_RECORD_SIZE). Nothing was written.");
        // bytes, not characters: é is two
        c.insert("accents", Map.of("s", "é".repeat((LIMIT - 8) / 2)), null);
        assertThatThrownBy(() -> c.insert("more-accents", Map.of("s", "é".repeat((LIMIT - 8) / 2 + 1)), null))
                .isInstanceOf(RecordTooLargeException.class);
        assertThatThrownBy(() -> c.insert("meta", Map.of(), ofSize(LIMIT + 1)))
                .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("of metadata");
        assertThatThrownBy(() -> c.upsert("up", ofSize(LIMIT + 1))).isInstanceOf(RecordTooLargeException.class);
        assertThat(c.count()).isEqualTo(2);
        assertThat(c.get("past")).isEmpty();
    }

    @StoreTest
    void oneLargeRecordRefusesTheWholeBatch(TestBackend backend) {
        Collection c = store(backend).collection("big");
        List<NewRecord> batch = List.of(
                NewRecord.of("a", Map.of("n", 1)),
                NewRecord.of("b", ofSize(LIMIT + 1)),
                NewRecord.of("c", Map.of("n", 3)));
        assertThatThrownBy(() -> c.insertMany(batch))
                .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("Record 'b'");
        assertThatThrownBy(() -> c.upsertMany(batch)).isInstanceOf(RecordTooLargeException.class);
        assertThatThrownBy(() -> c.load(List.of(loaded("a", Map.of("n", 1)), loaded("b", ofSize(LIMIT + 1)))))
                .isInstanceOf(RecordTooLargeException.class);
        assertThat(c.count()).isZero();
    }

    @StoreTest
    void replacesAndPatchesThatGrowPastTheLimitLeaveTheRecordAsItWas(TestBackend backend) {
        Collection c = store(backend).collection("big");
        Record small = c.insert("r", Map.of("a", List.of(1, 2, 3), "o", Map.of("p", 1)), null);
        assertThatThrownBy(() -> c.replace("r", ofSize(LIMIT + 1))).isInstanceOf(RecordTooLargeException.class);
        // {"a":[1,2,3],"o":{"p":1},"s":"…"}: the database computes the merged fields and counts them as compact JSON
        // text (PostgreSQL's own text form has a space after each ':' and ',')
        int overhead = "{\"a\":[1,2,3],\"o\":{\"p\":1},\"s\":\"\"}".length();
        assertThatThrownBy(() -> c.patch("r", Map.of("s", "x".repeat(LIMIT - overhead + 1))))
                .isInstanceOfSatisfying(RecordTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(LIMIT + 1);
                    assertThat(e.limit()).isEqualTo(LIMIT);
                })
                .hasMessageContaining("Record 'r' would hold 4,097 bytes")
                .hasMessageContaining("Nothing was written");
        assertThat(c.get("r").orElseThrow().version()).isEqualTo(small.version());
        Record atLimit = c.patch("r", Map.of("s", "x".repeat(LIMIT - overhead)));
        assertThat(size(atLimit)).isEqualTo(LIMIT);
        assertThat(c.patch("r", Map.of("s", "y".repeat(LIMIT - overhead))).version())
                .isEqualTo(atLimit.version() + 1);
    }

    @StoreTest
    void fieldOperatorsThatGrowARecordPastTheLimitAreRefusedBeforeTheyCommit(TestBackend backend) {
        Collection c = store(backend).collection("big");
        c.insert("r", Map.of("list", List.of()), null);
        String item = "z".repeat(500);
        int pushed = 0;
        while (true) {
            try {
                c.patch("r", Update.fields().push("list", item).inc("pushes", 1));
                pushed++;
            } catch (RecordTooLargeException e) {
                assertThat(e.size()).isGreaterThan(LIMIT);
                break;
            }
        }
        Record last = c.get("r").orElseThrow();
        // {"list":[…],"pushes":n}: 8 items of 502 bytes and their commas fit in 4,096 bytes, a 9th does not
        assertThat(pushed).isEqualTo(8);
        assertThat(last.version()).isEqualTo(1 + pushed);
        assertThat(last.fields().get("list")).hasSize(pushed);
        assertThat(size(last)).isLessThanOrEqualTo(LIMIT);
    }

    @StoreTest
    void manyRecordWritesAreRefusedWholeWhenOneRecordWouldGrowPastTheLimit(TestBackend backend) {
        Collection c = store(backend).collection("big");
        c.insert("small", Map.of("k", 1, "s", ""), null);
        String near = "near: 1 'x' (\uD83D\uDE00)"; // the message names it, whatever it holds
        c.insert(near, Map.of("k", 1, "s", "x".repeat(LIMIT - 100)), null);
        assertThatThrownBy(() -> c.updateMany(Filter.eq("k", 1), Update.fields().set("t", "y".repeat(200))))
                .isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("Record '" + near + "' would hold")
                .hasMessageContaining("Nothing was written");
        assertThatThrownBy(() -> c.updateMany(Filter.eq("k", 1), Map.of("t", "y".repeat(200))))
                .isInstanceOf(RecordTooLargeException.class);
        assertThat(c.find(dev.vellum.Query.all()).records()).allSatisfy(r -> {
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.fields().has("t")).isFalse();
        });
        assertThat(c.updateMany(Filter.eq("k", 1), Update.fields().set("t", "y".repeat(50))))
                .isEqualTo(2);
    }

    @StoreTest
    void theLimitIsASettingWithBounds(TestBackend backend) {
        assertThatThrownBy(() -> backend.openStore(b -> b.set("VELLUM_MAX_RECORD_SIZE", "100")))
                .isInstanceOf(dev.vellum.ConfigurationException.class)
                .hasMessageContaining("VELLUM_MAX_RECORD_SIZE must be between 1KB and 1GB");
        assertThatThrownBy(() -> backend.openStore(b -> b.set("VELLUM_MAX_RECORD_SIZE", "lots")))
                .isInstanceOf(dev.vellum.ConfigurationException.class)
                .hasMessageContaining("VELLUM_MAX_RECORD_SIZE");
        // the default keeps records of several megabytes
        Collection c = backend.openStore().collection("big");
        assertThat(c.insert(Map.of("s", "x".repeat(3 << 20))).fields().get("s").textValue())
                .hasSize(3 << 20);
    }
}
