package dev.vellum.conformance.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.FieldPath;
import dev.vellum.JsonValues;
import dev.vellum.NewRecord;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.SortKey;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.PostgresServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential fuzzing: random records (nulls, missing keys, integers, decimals, Unicode strings, booleans, arrays,
 * nested objects) and random filters, sorts and page sizes. Every SQL backend must return exactly what the memory
 * backend (the reference) returns: same records, same order, same pages, same counts.
 */
class DifferentialFuzzTest {
    private static final JsonNodeFactory NODES = JsonValues.MAPPER.getNodeFactory();
    private static final List<String> KEYS = List.of("a", "b", "c", "d'e", "n");
    /** Paths to filter and sort on; the plain keys repeat so that they come up most often. */
    private static final List<String> PATHS = List.of("a", "b", "c", "d'e", "a", "b", "c", "d'e", "n", "n.a", "n.b",
            "$id", "$version", "$meta.m");
    private static final AtomicInteger DATASET = new AtomicInteger();

    private static RecordStore memory;
    private static RecordStore sqlite;
    private static RecordStore postgres;
    private static Path dir;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("vellum-fuzz");
        memory = Vellum.open("memory:");
        sqlite = Vellum.open(VellumConfig.builder().isolated().url("sqlite:" + dir.resolve("fuzz.db")).build());
        PostgresServer server = PostgresServer.shared();
        postgres = Vellum.open(VellumConfig.builder().isolated()
                .url(server.createDatabase().toUrlWithCredentials()).build());
    }

    @AfterContainer
    static void close() {
        memory.close();
        sqlite.close();
        postgres.close();
    }

    @Property
    void sqlBackendsReturnWhatMemoryReturns(@ForAll("datasets") List<ObjectNode> records,
                                            @ForAll("queries") List<Query> queries) {
        String name = "fuzz" + DATASET.incrementAndGet();
        List<Collection> collections = new ArrayList<>();
        for (RecordStore store : List.of(memory, sqlite, postgres)) {
            Collection c = store.collection(name);
            List<NewRecord> batch = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                ObjectNode r = records.get(i);
                batch.add(new NewRecord(String.format("r%02d", i), r.get("f"), r.get("m")));
            }
            c.insertMany(batch);
            if (store == postgres && DATASET.get() % 2 == 0) {
                c.createDocumentIndex(); // adds containment conditions: results must not change
            }
            collections.add(c);
        }
        try {
            for (Query query : queries) {
                List<List<String>> reference = walk(collections.get(0), query);
                long count = collections.get(0).count(query.filter());
                Statistics.label("query matches").collect(count == 0 ? "none" : count == records.size() ? "all" : "some");
                assertThat(reference.stream().mapToLong(List::size).sum()).isEqualTo(count);
                for (Collection c : collections.subList(1, 3)) {
                    String what = c == collections.get(1) ? "sqlite" : "postgres";
                    assertThat(walk(c, query)).as(what + " pages of " + query.toJson()).isEqualTo(reference);
                    assertThat(c.count(query.filter())).as(what + " count of " + query.filter().toJson()).isEqualTo(count);
                }
            }
        } finally {
            memory.dropCollection(name);
            sqlite.dropCollection(name);
            postgres.dropCollection(name);
        }
    }

    /** Every page of the query, each as the list of its record ids and fields. */
    private static List<List<String>> walk(Collection c, Query query) {
        List<List<String>> pages = new ArrayList<>();
        Query q = query;
        for (int guard = 0; guard < 100; guard++) {
            Page page = c.find(q);
            List<String> items = new ArrayList<>();
            for (Record r : page.records()) {
                items.add(r.id() + " " + JsonValues.canonical(r.fields()));
            }
            pages.add(items);
            if (page.nextCursor() == null) {
                return pages;
            }
            q = q.cursor(page.nextCursor());
        }
        throw new AssertionError("more than 100 pages");
    }

    // ---- generators ----

    /** Few distinct values, so that filters built from the same pool often match some records but not all. */
    private static Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.just(NODES.nullNode()),
                Arbitraries.integers().between(-2, 2).map(i -> (JsonNode) NODES.numberNode(i)),
                Arbitraries.of("2.0", "-0.5", "1.5", "0.1", "3.00", "9007199254740993", "-1e2")
                        .map(t -> (JsonNode) NODES.numberNode(new BigDecimal(t))),
                Arbitraries.of("", "a", "A", "b", "é", "É", "ß", "SS", "10", "9", "a_b", "a%b", "名", "x y", "aB",
                        "🚀", "2.0").map(t -> (JsonNode) NODES.textNode(t)),
                Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)));
    }

    private static Arbitrary<JsonNode> values() {
        Arbitrary<JsonNode> arrays = scalars().list().ofMaxSize(3).map(list -> {
            ArrayNode a = NODES.arrayNode();
            list.forEach(a::add);
            return (JsonNode) a;
        });
        Arbitrary<JsonNode> objects = Combinators.combine(scalars().injectNull(0.3), scalars().injectNull(0.3))
                .as((x, y) -> {
                    ObjectNode o = NODES.objectNode();
                    if (x != null) {
                        o.set("a", x);
                    }
                    if (y != null) {
                        o.set("b", y);
                    }
                    return (JsonNode) o;
                });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(7, scalars()), net.jqwik.api.Tuple.of(2, arrays), net.jqwik.api.Tuple.of(1, objects));
    }

    @Provide
    Arbitrary<List<ObjectNode>> datasets() {
        Arbitrary<ObjectNode> record = Combinators.combine(
                values().injectNull(0.15).list().ofSize(KEYS.size()),
                scalars().injectNull(0.5)).as((vals, meta) -> {
            ObjectNode fields = NODES.objectNode();
            for (int i = 0; i < KEYS.size(); i++) {
                if (vals.get(i) != null) {
                    fields.set(KEYS.get(i), vals.get(i));
                }
            }
            ObjectNode m = NODES.objectNode();
            if (meta != null) {
                m.set("m", meta);
            }
            ObjectNode out = NODES.objectNode();
            out.set("f", fields);
            out.set("m", m);
            return out;
        });
        return record.list().ofMinSize(6).ofMaxSize(25);
    }

    private static Arbitrary<Filter> conditions() {
        Arbitrary<String> paths = Arbitraries.of(PATHS);
        Arbitrary<Filter> scalarOps = Combinators.combine(paths,
                Arbitraries.of(Filter.Op.EQ, Filter.Op.NE, Filter.Op.GT, Filter.Op.GTE, Filter.Op.LT, Filter.Op.LTE),
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, scalars()), net.jqwik.api.Tuple.of(1, values())))
                .as((p, op, v) -> Filter.of(p, op, idValue(p, v)));
        Arbitrary<Filter> listOps = Combinators.combine(paths,
                Arbitraries.of(Filter.Op.IN, Filter.Op.NIN, Filter.Op.CONTAINS_ALL, Filter.Op.CONTAINS_ANY),
                scalars().list().ofMaxSize(4)).as((p, op, vs) -> Filter.of(p, op, vs));
        Arbitrary<Filter> between = Combinators.combine(paths, scalars(), scalars())
                .as((p, lo, hi) -> Filter.between(p, lo, hi));
        Arbitrary<Filter> exists = Combinators.combine(paths, Arbitraries.of(true, false)).as(Filter::exists);
        Arbitrary<Filter> contains = Combinators.combine(paths, values()).as(Filter::contains);
        Arbitrary<Filter> patterns = Combinators.combine(paths,
                Arbitraries.of(Filter.Op.LIKE, Filter.Op.ILIKE, Filter.Op.STARTS_WITH),
                Arbitraries.of("a%", "%b", "_", "%", "", "é", "É%", "ss", "SS", "ß", "a\\%b", "a\\_b", "1%", "%名%",
                        "r0%", "R1_")).as((p, op, pattern) -> Filter.of(p, op, pattern));
        Arbitrary<Filter> regexes = Combinators.combine(paths,
                Arbitraries.of("^a", "b$", "[0-9]+", "\\d", "^.$", "a|b", "(a|B)+", "^[^a-z]*$", "é", "\\w\\w",
                        "^r0[1-3]$", "\\s", "x{1,2}")).as(Filter::regex);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, scalarOps), net.jqwik.api.Tuple.of(2, listOps),
                net.jqwik.api.Tuple.of(1, between), net.jqwik.api.Tuple.of(2, exists),
                net.jqwik.api.Tuple.of(1, contains), net.jqwik.api.Tuple.of(2, patterns),
                net.jqwik.api.Tuple.of(1, regexes));
    }

    /** Ids are strings like r07: give $id comparisons a fair chance to match. */
    private static Object idValue(String path, JsonNode v) {
        if (path.equals("$id") && v.isTextual()) {
            return "r0" + Math.abs(v.textValue().hashCode() % 10);
        }
        return v;
    }

    private static Arbitrary<Filter> filters(int depth) {
        if (depth == 0) {
            return conditions();
        }
        Arbitrary<Filter> smaller = filters(depth - 1);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, conditions()),
                net.jqwik.api.Tuple.of(1, smaller.list().ofMaxSize(2).map(l -> (Filter) new Filter.And(l))),
                net.jqwik.api.Tuple.of(3, smaller.list().ofMaxSize(3).map(l -> (Filter) new Filter.Or(l))),
                net.jqwik.api.Tuple.of(2, smaller.map(Filter::not)));
    }

    @Provide
    Arbitrary<List<Query>> queries() {
        Arbitrary<List<SortKey>> sorts = Combinators.combine(Arbitraries.of(PATHS), Arbitraries.of(true, false))
                .as((p, d) -> new SortKey(FieldPath.parse(p), d)).list().ofMaxSize(2);
        Arbitrary<Query> query = Combinators.combine(filters(2), sorts, Arbitraries.integers().between(1, 30))
                .as((f, s, limit) -> new Query(f, s, limit, null, 0, List.of()));
        return query.list().ofSize(20);
    }
}
