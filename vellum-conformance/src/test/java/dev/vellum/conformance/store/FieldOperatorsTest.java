package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.ConcurrencyException;
import dev.vellum.Filter;
import dev.vellum.InvalidRecordException;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Update;
import dev.vellum.Vellum;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.Gen;
import dev.vellum.testkit.StoreTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/** Field operators ($set, $unset, $inc, $push, $addToSet, $pull, $min, $max): the same results on every backend. */
class FieldOperatorsTest {

    private static JsonNode json(String text) {
        return JsonValues.parse(text.replace('\'', '"'));
    }

    /** Applies the update to a record holding {@code before} and checks the fields after it. */
    private static void check(Collection c, String before, String update, String after) {
        Record r = c.insert(null, json(before), null);
        Record updated = c.patch(r.id(), json(update));
        assertThat(JsonValues.equal(updated.fields(), json(after)))
                .as("%s applied to %s gave %s", update, before, updated.fields())
                .isTrue();
        assertThat(updated.version()).isEqualTo(2);
        assertThat(JsonValues.equal(c.get(r.id()).orElseThrow().fields(), json(after)))
                .isTrue();
    }

    /**
     * An index holds at most 1,600 bytes of a record's values: an update that would grow an indexed value past it
     * ($push onto an indexed array, $set of a long string, beneath an indexed object) is refused and writes nothing,
     * one record or many, on every backend.
     */
    @StoreTest
    void anUpdateThatOverfillsAnIndexIsRefusedWholly(RecordStore store) {
        Collection c = store.collection("sized");
        c.createIndex("by_tags", "tags");
        c.createIndex("by_title", "title");
        c.createIndex("by_addr", "addr");
        Record r = c.insert("r1", json("{'tags':['a'],'title':'t','addr':{'city':'x'},'n':1}"), null);
        c.insert("r2", json("{'tags':['b'],'title':'u','n':2}"), null);
        String big = "x".repeat(1_700);
        for (String update : List.of(
                "{'$push':{'tags':'" + big + "'}}",
                "{'$addToSet':{'tags':{'$each':['" + big + "']}}}",
                "{'$set':{'title':'" + big + "'}}",
                "{'$set':{'addr.street':'" + big + "'}}",
                "{'$inc':{'n':1},'$set':{'addr':{'s':'" + big + "'}}}")) {
            assertThatThrownBy(() -> c.patch("r1", json(update)))
                    .as(update)
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("1600 bytes")
                    .hasMessageContaining("nothing was written");
            assertThatThrownBy(() -> c.updateMany(Filter.all(), json(update)))
                    .as(update)
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("1600 bytes");
        }
        assertThat(c.get("r1").orElseThrow().version()).isEqualTo(r.version());
        assertThat(c.get("r1").orElseThrow().fields()).isEqualTo(r.fields());
        assertThat(c.get("r2").orElseThrow().version()).isEqualTo(1);
        // small values at the same paths still go in
        assertThat(c.patch("r1", json("{'$push':{'tags':'c'},'$set':{'addr.street':'main'}}"))
                        .version())
                .isEqualTo(2);
        assertThat(c.updateMany(Filter.all(), json("{'$push':{'tags':'d'}}"))).isEqualTo(2);
    }

    @StoreTest
    void everyOperatorDoesWhatTheSemanticsSay(RecordStore store) {
        Collection c = store.collection("ops");
        // $set and $unset on dotted paths; missing objects on the way are created
        check(c, "{'a':1}", "{'$set':{'b.c.d':'x','a':[1,{'k':null}]}}", "{'a':[1,{'k':null}],'b':{'c':{'d':'x'}}}");
        check(c, "{'a':{'b':1,'c':2}}", "{'$unset':{'a.b':'','x.y':1,'a.c.z':1}}", "{'a':{'c':2}}");
        check(c, "{'a':null}", "{'$set':{'a.b':true}}", "{'a':{'b':true}}");
        check(c, "{}", "{'$set':{'n':null}}", "{'n':null}");
        // $inc: exact decimals, missing and null count as 0, integers stay integers
        check(c, "{'n':0.1}", "{'$inc':{'n':0.2,'m':5,'o.p':-1.5,'z':3}}", "{'n':0.3,'m':5,'o':{'p':-1.5},'z':3}");
        check(c, "{'n':9007199254740993,'z':null}", "{'$inc':{'n':2,'z':1}}", "{'n':9007199254740995,'z':1}");
        check(c, "{'n':12345678901234567890.5}", "{'$inc':{'n':-0.5}}", "{'n':12345678901234567890}");
        // one $inc on a top-level field, alone or followed by $set and $unset (plain SQL on PostgreSQL)
        check(c, "{'n':0.1}", "{'$inc':{'n':0.2}}", "{'n':0.3}");
        check(c, "{'z':null}", "{'$inc':{'z':1}}", "{'z':1}");
        check(c, "{'a':1}", "{'$inc':{'m':-2.5}}", "{'a':1,'m':-2.5}");
        check(c, "{'n':1,'y':2}", "{'$inc':{'n':1},'$set':{'x':{'k':[1]}},'$unset':{'y':1}}", "{'n':2,'x':{'k':[1]}}");
        check(c, "{'n':2,'p':3}", "{'$set':{'n':'s','m':null},'$unset':{'q':1,'p':1}}", "{'n':'s','m':null}");
        // $push, $addToSet ($each), $pull: missing is an empty array; equality by value, key order ignored
        check(c, "{'t':[1]}", "{'$push':{'t':[2],'u':'a','v':{'$each':[1,1]}}}", "{'t':[1,[2]],'u':['a'],'v':[1,1]}");
        check(
                c,
                "{'t':[1,{'a':1,'b':2},'x',null]}",
                "{'$addToSet':{'t':{'$each':[1.0,{'b':2,'a':1},'y','y',null,[1]]},'u':'z'}}",
                "{'t':[1,{'a':1,'b':2},'x',null,'y',[1]],'u':['z']}");
        check(
                c,
                "{'t':[1,1.0,'1',{'a':[1,2]},null,2]}",
                "{'$pull':{'t':1,'u':1,'v.w':1}}",
                "{'t':['1',{'a':[1,2]},null,2]}");
        check(c, "{'t':[{'a':[1,2]},null,2]}", "{'$pull':{'t':{'a':[1,2]}}}", "{'t':[null,2]}");
        check(c, "{'t':[{'a':[1,2]},null,2]}", "{'$pull':{'t':null}}", "{'t':[{'a':[1,2]},2]}");
        // $min/$max: within one type (numbers by value, strings by code point, false < true); missing is set
        check(
                c,
                "{'n':5,'s':'z','b':true,'d':2.50}",
                "{'$min':{'n':3,'s':'é','b':false,'d':2.5,'m':'x'}}",
                "{'n':3,'s':'z','b':false,'d':2.5,'m':'x'}");
        check(
                c,
                "{'n':5,'s':'z','b':false}",
                "{'$max':{'n':3,'s':'é','b':true,'m':1}}",
                "{'n':5,'s':'é','b':true,'m':1}");
        check(c, "{'s':'😀'}", "{'$max':{'s':'\uffff'}}", "{'s':'😀'}"); // a code point past U+FFFF sorts last
        // several operators in one update
        check(
                c,
                "{'n':1,'t':['a']}",
                "{'$inc':{'n':1},'$push':{'t':'b'},'$set':{'x':1},'$unset':{'y':1}}",
                "{'n':2,'t':['a','b'],'x':1}");
    }

    @StoreTest
    void theJavaBuilderWritesTheSameDocument(RecordStore store) {
        Collection c = store.collection("posts");
        Record r = c.insert(null, Map.of("views", 1, "tags", List.of("a")), null);
        Record updated = c.patch(
                r.id(),
                Update.fields()
                        .inc("views", 2)
                        .addToSet("tags", "a")
                        .addEachToSet("tags", List.of("b", "c"))
                        .set("author.name", "Ada")
                        .unset("gone")
                        .pushEach("log", List.of(1, 2))
                        .pull("never", 1)
                        .min("low", 3)
                        .max("high", 4));
        assertThat(JsonValues.equal(
                        updated.fields(),
                        json("{'views':3,'tags':['a','b','c'],'author':{'name':'Ada'},"
                                + "'log':[1,2],'low':3,'high':4}")))
                .as("%s", updated.fields())
                .isTrue();
        assertThat(Update.fields().inc("n", 1).push("t", "x").toString())
                .isEqualTo("{\"$inc\":{\"n\":1},\"$push\":{\"t\":\"x\"}}");
    }

    @StoreTest
    void aTypeMismatchFailsTheWholeWriteAndSaysWhere(RecordStore store) {
        Collection c = store.collection("mismatch");
        c.insert("k1", Map.of("n", "seven", "a", 1, "t", 5, "s", "x"), null);
        assertMismatch(
                c,
                "{'$inc':{'n':1}}",
                "Cannot apply $inc to 'n' of record 'k1': 'n' holds a string, not a " + "number. Nothing was written.");
        assertMismatch(
                c,
                "{'$set':{'a.b':1}}",
                "Cannot apply $set to 'a.b' of record 'k1': 'a' holds a number, not "
                        + "an object. Nothing was written.");
        assertMismatch(
                c,
                "{'$push':{'t':1}}",
                "Cannot apply $push to 't' of record 'k1': 't' holds a number, not an "
                        + "array. Nothing was written.");
        assertMismatch(
                c,
                "{'$pull':{'s':1}}",
                "Cannot apply $pull to 's' of record 'k1': 's' holds a string, not an "
                        + "array. Nothing was written.");
        assertMismatch(
                c,
                "{'$max':{'s':1}}",
                "Cannot apply $max to 's' of record 'k1': 's' holds a string, which "
                        + "$max does not compare with a number. Nothing was written.");
        assertMismatch(
                c,
                "{'$inc':{'a':1e308,'b':1}}",
                "Cannot apply $inc to 'a' of record 'k1': 'a' would then "
                        + "hold a number Vellum cannot store (at most 100 significant digits, a magnitude from 4.9e-324 to "
                        + "1.7976931348623157e308). Nothing was written.");
        assertMismatch(
                c,
                "{'$inc':{'a':1e308}}",
                "Cannot apply $inc to 'a' of record 'k1': 'a' would then "
                        + "hold a number Vellum cannot store (at most 100 significant digits, a magnitude from 4.9e-324 to "
                        + "1.7976931348623157e308). Nothing was written.");
        assertMismatch(
                c,
                "{'$inc':{'n':1},'$set':{'b':1}}",
                "Cannot apply $inc to 'n' of record 'k1': 'n' holds a string, not a number. Nothing was written.");
        // the other operators of a failed update were not applied either
        assertThat(c.get("k1").orElseThrow().version()).isEqualTo(1);
        assertThat(c.get("k1").orElseThrow().fields().has("b")).isFalse();

        // updateMany: one record that does not fit fails the statement and nothing changes
        c.insert("k0", Map.of("n", 1), null);
        c.insert("k2", Map.of("n", 2), null);
        assertThatThrownBy(() -> c.updateMany(Filter.all(), json("{'$inc':{'n':1}}")))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("of record 'k1'");
        assertThat(c.get("k0").orElseThrow().fields().get("n").intValue()).isEqualTo(1);
        assertThat(c.get("k2").orElseThrow().version()).isEqualTo(1);
        assertThat(c.updateMany(Filter.ne("$id", "k1"), json("{'$inc':{'n':10}}")))
                .isEqualTo(2);
        assertThat(c.get("k2").orElseThrow().fields().get("n").intValue()).isEqualTo(12);
    }

    private static void assertMismatch(Collection c, String update, String message) {
        assertThatThrownBy(() -> c.patch("k1", json(update)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessage(message);
    }

    @StoreTest
    void aMalformedUpdateIsAQueryError(RecordStore store) {
        Collection c = store.collection("bad");
        c.insert("k", Map.of("n", 1), null);
        Map<String, String> cases = Map.of(
                "{'$incr':{'n':1}}", "Unknown update operator '$incr'",
                "{'$inc':{'n':1},'name':'x'}", "mixes field operators with the plain field 'name'",
                "{'$inc':{'n':'1'}}", "$inc needs a number for 'n', got a string",
                "{'$set':{'$id':'x'}}", "Field operators change fields only",
                "{'$set':{'a':1},'$unset':{'a.b':1}}", "one inside the other",
                "{'$inc':{}}", "$inc takes an object of field paths and values",
                "{'$min':{'n':[1]}}", "$min needs a number, string or boolean",
                "{'$push':{'t':{'$each':1}}}", "$push takes a value or {\"$each\":[values]}",
                "{'$set':{'a..b':1}}", "has an empty key");
        cases.forEach((update, message) -> {
            assertThatThrownBy(() -> c.patch("k", json(update)))
                    .as(update)
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining(message);
            assertThatThrownBy(() -> c.updateMany(Filter.all(), json(update)))
                    .as(update)
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining(message);
        });
        assertThat(c.get("k").orElseThrow().version()).isEqualTo(1);
        // what an operator writes follows the rules of record values: no $ or dots in an object's keys
        assertThatThrownBy(() -> c.patch("k", json("{'$set':{'a':{'$x':1}}}")))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("keys must be non-empty, must not start with $");
        assertThatThrownBy(() -> c.patch("k", json("{'$max':{'a':'\\u0000'}}")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("NUL");
    }

    @StoreTest
    void operatorsKeepOptimisticVersionsAndTransactions(RecordStore store) {
        Collection c = store.collection("versions");
        Record r = c.insert("k", Map.of("n", 1), null);
        assertThat(c.patch("k", Update.fields().inc("n", 1), r.version()).version())
                .isEqualTo(2);
        assertThatThrownBy(() -> c.patch("k", Update.fields().inc("n", 1), r.version()))
                .isInstanceOf(ConcurrencyException.class);
        assertThatThrownBy(() -> store.inTransaction(s -> {
                    s.collection("versions").patch("k", Update.fields().inc("n", 100));
                    throw new IllegalStateException("roll back");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(c.get("k").orElseThrow().fields().get("n").intValue()).isEqualTo(2);
        assertThatThrownBy(() -> c.patch("missing", Update.fields().inc("n", 1)))
                .isInstanceOf(dev.vellum.RecordNotFoundException.class);
        assertThat(c.updateMany(Filter.eq("n", 2), Update.fields().inc("n", 1))).isEqualTo(1);
        // a failed update inside a transaction rolls back only itself
        store.inTransaction(s -> {
            Collection t = s.collection("versions");
            assertThatThrownBy(() -> t.patch("k", json("{'$push':{'n':1}}")))
                    .isInstanceOf(InvalidRecordException.class);
            return t.patch("k", Update.fields().inc("n", 5));
        });
        assertThat(c.get("k").orElseThrow().fields().get("n").intValue()).isEqualTo(8);
        assertThat(store.collection("never")
                        .updateMany(Filter.all(), Update.fields().inc("n", 1)))
                .isZero();
    }

    /** 32 threads increment one counter and push to one array: no increment and no element is lost. */
    @StoreTest
    void concurrentIncrementsAreNeverLost(RecordStore store) throws Exception {
        Collection c = store.collection("counters");
        c.insert("hits", Map.of("n", 0), null);
        int threads = 32;
        int each = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> IntStream.range(0, each)
                        .forEach(i ->
                                c.patch("hits", Update.fields().inc("n", 1).push("seen", thread * 100 + i)))));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Record hits = c.get("hits").orElseThrow();
        assertThat(hits.fields().get("n").intValue()).isEqualTo(threads * each);
        assertThat(hits.fields().get("seen")).hasSize(threads * each);
        assertThat(hits.version()).isEqualTo(1 + threads * each);
    }

    /** Random records and random updates: every backend gives what the memory backend gives, or the same error. */
    @StoreTest
    void randomUpdatesGiveTheReferenceResults(RecordStore store) {
        Collection c = store.collection("random");
        try (RecordStore reference = Vellum.open("memory:")) {
            Collection m = reference.collection("random");
            long base = Gen.baseSeed("vellum.fuzz.seed");
            for (int i = 0; i < 150; i++) {
                long seed = Gen.caseSeed(base, i);
                Gen gen = new Gen(seed);
                ObjectNode fields = JsonValues.NODES.objectNode();
                for (String key : List.of("a", "b", "c")) {
                    if (gen.chance(0.8)) {
                        fields.set(key, value(gen, 2));
                    }
                }
                ObjectNode update = JsonValues.NODES.objectNode();
                List<String> used = new ArrayList<>();
                for (int n = gen.between(1, 3); n > 0; n--) {
                    String path = gen.of("a", "b", "c", "a.x", "b.y", "c.z.w");
                    if (used.stream().anyMatch(u -> u.startsWith(path) || path.startsWith(u))) {
                        continue;
                    }
                    used.add(path);
                    String op = gen.of("$set", "$unset", "$inc", "$push", "$addToSet", "$pull", "$min", "$max");
                    JsonNode arg = switch (op) {
                        case "$inc" ->
                            JsonValues.NODES.numberNode(new java.math.BigDecimal(gen.of("1", "-2.5", "0.1", "1e3")));
                        case "$min", "$max" ->
                            gen.of(
                                    JsonValues.NODES.numberNode(gen.between(-3, 3)),
                                    JsonValues.NODES.textNode(gen.of("a", "b", "é")),
                                    JsonValues.NODES.booleanNode(gen.bool()));
                        default -> value(gen, 1);
                    };
                    (update.has(op) ? (ObjectNode) update.get(op) : update.putObject(op)).set(path, arg);
                }
                String id = "r" + i;
                String expected = outcome(m, id, fields, update);
                String actual = outcome(c, id, fields, update);
                if (!expected.equals(actual)) {
                    fail("Case seed " + seed + ": " + update + " on " + fields + "\n  memory:  " + expected
                            + "\n  backend: " + actual);
                }
            }
        }
    }

    private static String outcome(Collection c, String id, ObjectNode fields, ObjectNode update) {
        c.insert(id, fields, null);
        try {
            return "ok " + JsonValues.canonical(c.patch(id, update).fields());
        } catch (InvalidRecordException | QueryException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static JsonNode value(Gen gen, int depth) {
        return switch (gen.between(0, depth > 0 ? 7 : 5)) {
            case 0 -> JsonValues.NODES.numberNode(gen.between(-5, 5));
            case 1 -> JsonValues.NODES.numberNode(new java.math.BigDecimal(gen.of("1.50", "2.5", "-0.1", "1")));
            case 2 -> JsonValues.NODES.textNode(gen.of("a", "b", "é", "😀"));
            case 3 -> JsonValues.NODES.booleanNode(gen.bool());
            case 4 -> JsonValues.NODES.nullNode();
            case 5 -> JsonValues.NODES.numberNode(gen.between(0, 2));
            case 6 -> {
                ArrayNode a = JsonValues.NODES.arrayNode();
                gen.list(0, 3, () -> value(gen, depth - 1)).forEach(a::add);
                yield a;
            }
            default -> {
                ObjectNode o = JsonValues.NODES.objectNode();
                for (String k : List.of("x", "y", "z")) {
                    if (gen.bool()) {
                        o.set(k, value(gen, depth - 1));
                    }
                }
                yield o;
            }
        };
    }
}
