package dev.vellum.conformance.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Accumulator;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.NewRecord;
import dev.vellum.QueryException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.internal.JsonValues;
import dev.vellum.testkit.Gen;
import dev.vellum.testkit.StoreTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** aggregate and distinct: the same groups, values and order on every backend. */
class AggregationsTest {

    private static JsonNode json(String text) {
        return JsonValues.parse(text.replace('\'', '"'));
    }

    private static void load(Collection c, String... fields) {
        List<NewRecord> records = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            records.add(new NewRecord(null, json(fields[i]), null));
        }
        c.insertMany(records);
    }

    private static String text(List<Group> groups) {
        ArrayNode out = JsonValues.NODES.arrayNode();
        groups.forEach(g -> out.add(g.toJson()));
        return out.toString();
    }

    private static String list(List<JsonNode> values) {
        return JsonValues.NODES.arrayNode().addAll(values).toString();
    }

    private static Map<String, Accumulator> accumulators(Object... nameAndAccumulator) {
        Map<String, Accumulator> out = new LinkedHashMap<>();
        for (int i = 0; i < nameAndAccumulator.length; i += 2) {
            out.put((String) nameAndAccumulator[i], (Accumulator) nameAndAccumulator[i + 1]);
        }
        return out;
    }

    @StoreTest
    void groupsByCityWithCountAndAverage(RecordStore store) {
        Collection users = store.collection("users");
        load(
                users,
                "{'city':'NY','age':30}",
                "{'city':'NY','age':33}",
                "{'city':'LA','age':40}",
                "{'age':20}",
                "{'city':null,'age':'unknown'}",
                "{'city':'Berlin','age':50,'active':false}");
        List<Group> groups = users.aggregate(
                Filter.all(),
                List.of("city"),
                accumulators("n", Accumulator.count(), "avgAge", Accumulator.avg("age")));
        assertThat(text(groups))
                .isEqualTo(("[{'key':{'city':'Berlin'},'n':1,'avgAge':50},"
                                + "{'key':{'city':'LA'},'n':1,'avgAge':40},{'key':{'city':'NY'},'n':2,'avgAge':31.5},"
                                + "{'key':{'city':null},'n':2,'avgAge':20}]")
                        .replace('\'', '"'));
        assertThat(groups.get(2).key("city").asText()).isEqualTo("NY");
        assertThat(groups.get(3).key("city")).isNull();
        assertThat(groups.get(2).get("n").asLong()).isEqualTo(2);

        // a filter, every accumulator, and no group-by paths: one group of every match
        List<Group> adults = users.aggregate(
                Filter.gte("age", 30),
                List.of(),
                accumulators(
                        "n",
                        Accumulator.count(),
                        "total",
                        Accumulator.sum("age"),
                        "avg",
                        Accumulator.avg("age"),
                        "min",
                        Accumulator.min("age"),
                        "max",
                        Accumulator.max("age"),
                        "cities",
                        Accumulator.countDistinct("city")));
        assertThat(text(adults))
                .isEqualTo(
                        "[{\"key\":{},\"n\":4,\"total\":153,\"avg\":38.25,\"min\":30,\"max\":50," + "\"cities\":3}]");
        List<Group> none = users.aggregate(
                Filter.gt("age", 1000),
                List.of(),
                accumulators(
                        "n",
                        Accumulator.count(),
                        "total",
                        Accumulator.sum("age"),
                        "avg",
                        Accumulator.avg("age"),
                        "min",
                        Accumulator.min("age")));
        assertThat(text(none)).isEqualTo("[{\"key\":{},\"n\":0,\"total\":0,\"avg\":null,\"min\":null}]");
        assertThat(users.aggregate(Filter.gt("age", 1000), List.of("city"), Map.of()))
                .isEmpty();
        assertThat(text(store.collection("nothing")
                        .aggregate(Filter.all(), List.of(), accumulators("n", Accumulator.count()))))
                .isEqualTo("[{\"key\":{},\"n\":0}]");
    }

    @StoreTest
    void valuesFollowTheSemantics(RecordStore store) {
        Collection c = store.collection("mixed");
        load(
                c,
                "{'g':1,'v':0.1}",
                "{'g':1.0,'v':0.2}",
                "{'g':'1','v':'x'}",
                "{'g':true,'v':true}",
                "{'g':{'a':1,'b':2},'v':[5]}",
                "{'g':{'b':2,'a':1.0},'v':{'k':1}}",
                "{'g':[1,2],'v':12345678901234567890.12}",
                "{'g':[2,1],'v':-3}",
                "{'v':'é'}",
                "{'g':null,'v':false}",
                "{'g':'1','v':'zz'}");
        List<Group> groups = c.aggregate(
                Filter.all(),
                List.of("g"),
                accumulators(
                        "n",
                        Accumulator.count(),
                        "sum",
                        Accumulator.sum("v"),
                        "min",
                        Accumulator.min("v"),
                        "max",
                        Accumulator.max("v"),
                        "distinct",
                        Accumulator.countDistinct("v")));
        // keys in sort order: numbers, strings, booleans, arrays (canonical text), objects; the null group last
        assertThat(text(groups))
                .isEqualTo(("["
                                + "{'key':{'g':1},'n':2,'sum':0.3,'min':0.1,'max':0.2,'distinct':2},"
                                + "{'key':{'g':'1'},'n':2,'sum':0,'min':'x','max':'zz','distinct':2},"
                                + "{'key':{'g':true},'n':1,'sum':0,'min':true,'max':true,'distinct':1},"
                                + "{'key':{'g':[1,2]},'n':1,'sum':12345678901234567890.12,'min':12345678901234567890.12,"
                                + "'max':12345678901234567890.12,'distinct':1},"
                                + "{'key':{'g':[2,1]},'n':1,'sum':-3,'min':-3,'max':-3,'distinct':1},"
                                + "{'key':{'g':{'a':1,'b':2}},'n':2,'sum':0,'min':null,'max':null,'distinct':2},"
                                + "{'key':{'g':null},'n':2,'sum':0,'min':'é','max':false,'distinct':2}]")
                        .replace('\'', '"'));

        // across types, min and max follow the sort order: numbers < strings < booleans
        load(c, "{'g':'all','v':3}");
        List<Group> all = c.aggregate(
                Filter.all(),
                List.of(),
                accumulators("min", Accumulator.min("v"), "max", Accumulator.max("v"), "avg", Accumulator.avg("v")));
        assertThat(all.get(0).get("min").asInt()).isEqualTo(-3);
        assertThat(all.get(0).get("max").asBoolean()).isTrue();
        // the mean of 0.1, 0.2, 12345678901234567890.12, -3 and 3: exact to 34 digits
        assertThat(all.get(0).get("avg").decimalValue())
                .isEqualByComparingTo(new BigDecimal("12345678901234567890.12")
                        .add(new BigDecimal("0.3"))
                        .divide(BigDecimal.valueOf(5), java.math.MathContext.DECIMAL128));
    }

    @StoreTest
    void groupsByNestedAndMetadataPaths(RecordStore store) {
        Collection c = store.collection("orders");
        c.insert("o1", Map.of("addr", Map.of("city", "NY"), "total", 10), Map.of("source", "web"));
        c.insert("o2", Map.of("addr", Map.of("city", "NY"), "total", 5), Map.of("source", "app"));
        c.insert("o3", Map.of("addr", Map.of("city", "NY"), "total", 7), Map.of("source", "web"));
        c.insert("o4", Map.of("addr", List.of("not", "an", "object"), "total", 1), null);
        List<Group> groups = c.aggregate(
                Filter.all(),
                List.of("addr.city", "$meta.source"),
                accumulators("total", Accumulator.sum("total"), "biggest", Accumulator.max("total")));
        assertThat(text(groups))
                .isEqualTo(("[{'key':{'addr.city':'NY','$meta.source':'app'},'total':5,'biggest':5},"
                                + "{'key':{'addr.city':'NY','$meta.source':'web'},'total':17,'biggest':10},"
                                + "{'key':{'addr.city':null,'$meta.source':null},'total':1,'biggest':1}]")
                        .replace('\'', '"'));
    }

    /** String keys group by their text (the fast form); decimals and overflowing integers still add exactly. */
    @StoreTest
    void sumsStayExactWithStringKeys(RecordStore store) {
        Collection c = store.collection("sums");
        load(
                c,
                "{'k':'a','v':0.1}",
                "{'k':'a','v':0.2}",
                "{'k':'b','v':1}",
                "{'k':'b','v':9007199254740993}",
                "{'k':'c','v':9223372036854775807}",
                "{'k':'c','v':1}",
                "{'k':'d','v':2}",
                "{'k':'d','v':'2'}");
        List<Group> groups = c.aggregate(
                Filter.all(), List.of("k"), accumulators("sum", Accumulator.sum("v"), "avg", Accumulator.avg("v")));
        assertThat(text(groups))
                .isEqualTo(("[{'key':{'k':'a'},'sum':0.3,'avg':0.15},"
                                + "{'key':{'k':'b'},'sum':9007199254740994,'avg':4503599627370497},"
                                + "{'key':{'k':'c'},'sum':9223372036854775808,'avg':4611686018427387904},"
                                + "{'key':{'k':'d'},'sum':2,'avg':2}]")
                        .replace('\'', '"'));
        // a key that is a number in one record and a string in another: two groups
        load(c, "{'k':1,'v':1}", "{'k':'1','v':1}", "{'k':1.0,'v':1}");
        assertThat(text(c.aggregate(Filter.in("k", 1, "1"), List.of("k"), accumulators("n", Accumulator.count()))))
                .isEqualTo("[{\"key\":{\"k\":1},\"n\":2},{\"key\":{\"k\":\"1\"},\"n\":1}]");
    }

    /**
     * Sums whose values differ in scale and together pass 64 bits of their smallest unit (SQLite adds decimals of up
     * to 18 digits as a long and carries the rest as a decimal): exact, and written as the memory backend writes them.
     */
    @StoreTest
    void sumsPastSixtyFourBitsOfTheirSmallestUnitStayExact(RecordStore store) {
        List<String> values = new ArrayList<>(java.util.Collections.nCopies(12, "999999999.999999999"));
        values.addAll(List.of(
                "99999999999999999",
                "0.5",
                "-1.125",
                "0.25",
                "1.5E+3",
                "-2E-20",
                "-0",
                "-0.0",
                "12345678901234567890.5",
                "123456789012345678",
                "'12.5'",
                "true",
                "null",
                "[1]"));
        BigDecimal expected = BigDecimal.ZERO;
        List<String> records = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            records.add("{'k':'" + i % 2 + "','v':" + v + "}");
            records.add("{'k':'all','v':" + v + "}");
            if (Character.isDigit(v.charAt(v.length() - 1))) {
                expected = expected.add(new BigDecimal(v));
            }
        }
        Collection c = store.collection("wide");
        load(c, records.toArray(String[]::new));
        Map<String, Accumulator> sum = accumulators("sum", Accumulator.sum("v"), "avg", Accumulator.avg("v"));
        List<Group> groups = c.aggregate(Filter.all(), List.of("k"), sum);
        assertThat(groups.get(2).get("sum").decimalValue()).isEqualByComparingTo(expected);
        try (RecordStore reference = Vellum.open("memory:")) {
            Collection r = reference.collection("wide");
            load(r, records.toArray(String[]::new));
            assertThat(text(groups)).isEqualTo(text(r.aggregate(Filter.all(), List.of("k"), sum)));
        }
        // integers only, one past 64 bits: no decimal for SQLite's own sum to meet, and still exact
        Collection ints = store.collection("wide_integers");
        load(ints, "{'v':123456789012345678901}", "{'v':1}", "{'v':-2}", "{'v':'3'}");
        assertThat(text(ints.aggregate(Filter.all(), List.of(), sum)))
                .isEqualTo("[{\"key\":{},\"sum\":123456789012345678900,\"avg\":41152263004115226300}]");
    }

    /**
     * Number, array and object keys, decimal and integer sums: each part of the statement may take the backend's
     * cheaper form or the exact one (and a later call remembers which), never with a different answer.
     */
    @StoreTest
    void everyKindOfKeyAndSumGivesTheSameAnswerOnEveryCall(RecordStore store) {
        Collection c = store.collection("mixed");
        load(c, "{'b':1,'s':0.1,'n':1}", "{'b':1,'s':0.2,'n':2}", "{'b':2,'s':1,'n':3}", "{'b':-3,'s':2.5,'n':4}");
        Map<String, Accumulator> both = accumulators(
                "s",
                Accumulator.sum("s"),
                "n",
                Accumulator.sum("n"),
                "avg",
                Accumulator.avg("s"),
                "max",
                Accumulator.max("s"));
        String expected = ("[{'key':{'b':-3},'s':2.5,'n':4,'avg':2.5,'max':2.5},"
                        + "{'key':{'b':1},'s':0.3,'n':3,'avg':0.15,'max':0.2},"
                        + "{'key':{'b':2},'s':1,'n':3,'avg':1,'max':1}]")
                .replace('\'', '"');
        for (int call = 0; call < 2; call++) {
            assertThat(text(c.aggregate(Filter.all(), List.of("b"), both)))
                    .as("call %d", call)
                    .isEqualTo(expected);
        }
        // equal keys written two ways (1 and 1.0, objects with their keys in another order) are one group
        load(
                c,
                "{'b':1.0,'s':0.4,'n':5}",
                "{'b':{'x':1,'y':2},'n':1}",
                "{'b':{'y':2,'x':1},'n':2}",
                "{'b':[1,'a']}",
                "{'b':[1.0,'a']}",
                "{'b':-0,'n':1}",
                "{'b':0,'n':1}");
        String all = ("[{'key':{'b':-3},'s':2.5,'n':4,'avg':2.5,'max':2.5},"
                        + "{'key':{'b':0},'s':0,'n':2,'avg':null,'max':null},"
                        + "{'key':{'b':1},'s':0.7,'n':8,'avg':0.2333333333333333333333333333333333,'max':0.4},"
                        + "{'key':{'b':2},'s':1,'n':3,'avg':1,'max':1},"
                        + "{'key':{'b':[1,'a']},'s':0,'n':0,'avg':null,'max':null},"
                        + "{'key':{'b':{'x':1,'y':2}},'s':0,'n':3,'avg':null,'max':null}]")
                .replace('\'', '"');
        for (int call = 0; call < 2; call++) {
            assertThat(text(c.aggregate(Filter.all(), List.of("b"), both)))
                    .as("call %d", call)
                    .isEqualTo(all);
        }
        // decimal sums: within the cheaper form's scale (9 fraction digits), then past it, then with an exponent
        Collection d = store.collection("decimals");
        Map<String, Accumulator> sum = accumulators("sum", Accumulator.sum("v"), "avg", Accumulator.avg("v"));
        load(
                d,
                "{'k':'a','v':-0.5}",
                "{'k':'a','v':0.000000001}",
                "{'k':'a','v':2}",
                "{'k':'b','v':-1.25}",
                "{'k':'b','v':-3}",
                "{'k':'c','v':0.1}",
                "{'k':'c','v':0.2}");
        assertThat(text(d.aggregate(Filter.all(), List.of("k"), sum)))
                .isEqualTo(("[{'key':{'k':'a'},"
                                + "'sum':1.500000001,'avg':0.5000000003333333333333333333333333},{'key':{'k':'b'},'sum':-4.25,"
                                + "'avg':-2.125},{'key':{'k':'c'},'sum':0.3,'avg':0.15}]")
                        .replace('\'', '"'));
        load(d, "{'k':'c','v':0.0000000001}", "{'k':'d','v':12345678.123456789}", "{'k':'d','v':1E-3}");
        assertThat(text(d.aggregate(Filter.all(), List.of("k"), accumulators("sum", Accumulator.sum("v")))))
                .isEqualTo(("[{'key':{'k':'a'},'sum':1.500000001},{'key':{'k':'b'},'sum':-4.25},"
                                + "{'key':{'k':'c'},'sum':0.3000000001},{'key':{'k':'d'},'sum':12345678.124456789}]")
                        .replace('\'', '"'));
        // extremes of integers (the cheaper form), then of integers past 64 bits, then across types
        Collection e = store.collection("extremes");
        Map<String, Accumulator> extremes = accumulators("min", Accumulator.min("v"), "max", Accumulator.max("v"));
        load(e, "{'v':1}", "{'v':-3}", "{'v':[99]}", "{'v':null}", "{}");
        assertThat(text(e.aggregate(Filter.all(), List.of(), extremes)))
                .isEqualTo("[{\"key\":{},\"min\":-3,\"max\":1}]");
        load(e, "{'v':123456789012345678901}", "{'v':-123456789012345678901}");
        assertThat(text(e.aggregate(Filter.all(), List.of(), extremes)))
                .isEqualTo("[{\"key\":{},\"min\":-123456789012345678901,\"max\":123456789012345678901}]");
        load(e, "{'v':'a'}", "{'v':true}", "{'v':0.5}");
        assertThat(text(e.aggregate(Filter.all(), List.of(), extremes)))
                .isEqualTo("[{\"key\":{},\"min\":-123456789012345678901,\"max\":true}]");
        // an average over numbers and JSON null: null is no number, in the cheaper form too
        Collection a = store.collection("averages");
        load(a, "{'v':1}", "{'v':null}", "{'v':3}", "{}");
        assertThat(text(a.aggregate(
                        Filter.all(), List.of(), accumulators("n", Accumulator.count(), "avg", Accumulator.avg("v")))))
                .isEqualTo("[{\"key\":{},\"n\":4,\"avg\":2}]");
    }

    /** Data the cheaper form does not suit (a string among numbers, a null) inside a transaction, which goes on. */
    @StoreTest
    void anAggregationInATransactionLeavesItWorking(RecordStore store) {
        Collection c = store.collection("tx");
        load(c, "{'k':'a','v':1}", "{'k':'a','v':'x'}", "{'k':'b','v':null}", "{'k':'b','v':2.5}");
        String groups = store.inTransaction(tx -> {
            Collection t = tx.collection("tx");
            t.insert("z", Map.of("k", "b", "v", 1), null);
            String answer = text(t.aggregate(
                    Filter.all(),
                    List.of("k"),
                    accumulators(
                            "sum",
                            Accumulator.sum("v"),
                            "avg",
                            Accumulator.avg("v"),
                            "min",
                            Accumulator.min("v"),
                            "max",
                            Accumulator.max("v"))));
            t.insert("y", Map.of("k", "c", "v", 1), null);
            return answer;
        });
        assertThat(groups)
                .isEqualTo(("[{'key':{'k':'a'},'sum':1,'avg':1,'min':1,'max':'x'},"
                                + "{'key':{'k':'b'},'sum':3.5,'avg':1.75,'min':1,'max':2.5}]")
                        .replace('\'', '"'));
        assertThat(c.count(Filter.all())).isEqualTo(6);
    }

    @StoreTest
    void distinctValuesInSortOrder(RecordStore store) {
        Collection c = store.collection("tags");
        load(
                c,
                "{'t':'b','n':1}",
                "{'t':'a','n':2}",
                "{'t':'b','n':3}",
                "{'t':2,'n':4}",
                "{'t':2.0,'n':5}",
                "{'t':null,'n':6}",
                "{'n':7}",
                "{'t':['x'],'n':8}");
        assertThat(list(c.distinct("t", Filter.all()))).isEqualTo("[2,\"a\",\"b\",[\"x\"]]");
        assertThat(list(c.distinct("t", Filter.lt("n", 3)))).isEqualTo("[\"a\",\"b\"]");
        assertThat(c.distinct("missing", Filter.all())).isEmpty();
        assertThat(store.collection("none").distinct("t", Filter.all())).isEmpty();
    }

    @StoreTest
    void malformedRequestsAreQueryErrors(RecordStore store) {
        Collection c = store.collection("bad");
        c.insert(Map.of("a", 1));
        assertThatThrownBy(() -> c.aggregate(Filter.all(), List.of("$id"), Map.of()))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("system field");
        assertThatThrownBy(() -> c.aggregate(Filter.all(), List.of("a", "a"), Map.of()))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> c.aggregate(Filter.all(), List.of(), Map.of("key", Accumulator.count())))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("must not be 'key'");
        assertThatThrownBy(() -> c.aggregate(Filter.all(), List.of("a..b"), Map.of()))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("empty key");
        assertThatThrownBy(() -> Accumulator.sum("$version")).isInstanceOf(QueryException.class);
        assertThatThrownBy(() -> Accumulator.parse(json("{'$avgg':'a'}")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("Did you mean $avg?");
        assertThatThrownBy(() -> Accumulator.parse(json("{'$sum':1}")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("takes a path");
        assertThatThrownBy(() -> c.distinct("$id", Filter.all())).isInstanceOf(QueryException.class);
    }

    /** Random records and random aggregations: every backend gives exactly what the memory backend gives. */
    @StoreTest
    void randomAggregationsGiveTheReferenceResults(RecordStore store) {
        try (RecordStore reference = Vellum.open("memory:")) {
            long base = Gen.baseSeed("vellum.fuzz.seed");
            for (int i = 0; i < 25; i++) {
                long seed = Gen.caseSeed(base, i);
                Gen gen = new Gen(seed);
                List<NewRecord> records = new ArrayList<>();
                for (int r = gen.between(0, 30); r > 0; r--) {
                    ObjectNode fields = JsonValues.NODES.objectNode();
                    for (String key : List.of("a", "b", "c")) {
                        if (gen.chance(0.85)) {
                            fields.set(key, value(gen));
                        }
                    }
                    records.add(new NewRecord(null, fields, null));
                }
                String name = "random" + i;
                reference.collection(name).insertMany(records);
                store.collection(name).insertMany(records);
                for (int q = 0; q < 4; q++) {
                    List<String> groupBy = gen.chance(0.2)
                            ? List.of()
                            : gen.chance(0.7) ? List.of(gen.of("a", "b")) : List.of("a", "b");
                    Map<String, Accumulator> accumulators = new LinkedHashMap<>();
                    for (int k = gen.between(1, 4); k > 0; k--) {
                        String path = gen.of("a", "b", "c", "c.x");
                        accumulators.put(
                                "acc" + k,
                                gen.of(
                                        Accumulator.count(),
                                        Accumulator.sum(path),
                                        Accumulator.avg(path),
                                        Accumulator.min(path),
                                        Accumulator.max(path),
                                        Accumulator.countDistinct(path)));
                    }
                    Filter filter = gen.chance(0.5) ? Filter.all() : Filter.exists("c", true);
                    String expected = text(reference.collection(name).aggregate(filter, groupBy, accumulators));
                    String actual = text(store.collection(name).aggregate(filter, groupBy, accumulators));
                    if (!expected.equals(actual)) {
                        fail("Case seed " + seed + ": group by " + groupBy + ", " + accumulators + "\n  memory:  "
                                + expected + "\n  backend: " + actual);
                    }
                }
            }
        }
    }

    private static JsonNode value(Gen gen) {
        return switch (gen.between(0, 7)) {
            case 0 -> JsonValues.NODES.numberNode(gen.between(-3, 3));
            case 1 -> JsonValues.NODES.numberNode(new BigDecimal(gen.of("1.50", "2.5", "-0.1", "1", "1e2", "0.3")));
            case 2 -> JsonValues.NODES.textNode(gen.of("a", "B", "é", "😀", "1"));
            case 3 -> JsonValues.NODES.booleanNode(gen.bool());
            case 4 -> JsonValues.NODES.nullNode();
            case 5 -> JsonValues.NODES.arrayNode().add(gen.between(0, 2)).add(gen.of("x", "y"));
            case 6 -> JsonValues.NODES.objectNode().put("x", gen.between(0, 1)).put("y", gen.of("1.0", "1"));
            default -> JsonValues.NODES.numberNode(gen.between(0, 2));
        };
    }

    /** Neither group-by paths nor accumulators: nothing to compute, the same refusal everywhere (SQLite ran SELECT  FROM). */
    @StoreTest
    void anAggregationOfNothingIsRefused(RecordStore store) {
        Collection c = store.collection("empty_agg");
        load(c, "{'a':1}");
        assertThatThrownBy(() -> c.aggregate(Filter.all(), List.of(), Map.of()))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("group-by paths, accumulators or both");
    }

    /**
     * A result is a value the API takes back: a $sum past the range every backend stores (magnitude up to
     * 1.7976931348623157e308, 100 significant digits) is refused, naming the result, not returned as a number that a
     * write of it would refuse.
     */
    @StoreTest
    void aSumPastWhatIsStoredIsRefused(RecordStore store) {
        Collection c = store.collection("big_sum");
        load(c, "{'g':'a','n':1.5e308}", "{'g':'a','n':1.5e308}", "{'g':'b','n':1}");
        assertThatThrownBy(() -> c.aggregate(Filter.all(), List.of("g"), accumulators("total", Accumulator.sum("n"))))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("'total' ($sum)")
                .hasMessageContaining("outside the range");
        assertThat(text(c.aggregate(Filter.eq("g", "b"), List.of("g"), accumulators("total", Accumulator.sum("n")))))
                .isEqualTo("[{\"key\":{\"g\":\"b\"},\"total\":1}]");
        // digits: 100 significant digits each, their sum has 101
        Collection d = store.collection("long_sum");
        String nines = "9".repeat(100);
        load(d, "{'n':" + nines + "}", "{'n':" + nines + "}");
        assertThatThrownBy(() -> d.aggregate(Filter.all(), List.of(), accumulators("total", Accumulator.sum("n"))))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("significant digits");
    }
}
