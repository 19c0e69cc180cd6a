package dev.vellum.conformance.typed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.vellum.ConcurrencyException;
import dev.vellum.DuplicateRecordException;
import dev.vellum.Filter;
import dev.vellum.Id;
import dev.vellum.InvalidRecordException;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.RecordStore;
import dev.vellum.TypedCollection;
import dev.vellum.TypedPage;
import dev.vellum.Update;
import dev.vellum.Versioned;
import dev.vellum.testkit.StoreTest;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Typed collections: every listed Java type round trips exactly, on every backend. */
class TypedCollectionTest {
    enum Tier {
        FREE,
        PRO
    }

    record Address(String city, List<String> lines) {}

    record User(
            String id,
            String name,
            int age,
            long visits,
            double score,
            BigDecimal balance,
            boolean active,
            Tier tier,
            Instant joined,
            LocalDate birthday,
            UUID ref,
            Optional<String> nickname,
            Address address,
            List<Address> previous) {}

    record Keyed(@Id UUID key, String label) {}

    record NoId(String label, int n) {}

    /** A POJO with Jackson annotations. */
    static final class Product {
        private String id;

        @JsonProperty("title")
        private String name;

        private BigDecimal price;

        @JsonIgnore
        private String scratch = "not stored";

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public BigDecimal getPrice() {
            return price;
        }

        public void setPrice(BigDecimal price) {
            this.price = price;
        }

        public String getScratch() {
            return scratch;
        }
    }

    static User ada(String id) {
        return new User(
                id,
                "Ada",
                36,
                9_007_199_254_740_993L,
                0.1,
                new BigDecimal("12345678901234567890.123456789"),
                true,
                Tier.PRO,
                Instant.parse("2026-12-06T10:15:30.123456Z"),
                LocalDate.of(1815, 12, 10),
                UUID.fromString("0192d6a0-7c2e-7f3a-9b1c-2d3e4f5a6b7c"),
                Optional.of("Countess"),
                new Address("London", List.of("12 St James's Square")),
                List.of(new Address("Paris", List.of())));
    }

    @StoreTest
    void everyListedTypeRoundTripsExactly(RecordStore store) {
        TypedCollection<User> users = store.collection("users", User.class);
        User stored = users.insert(ada(null));
        assertThat(stored.id()).isNotNull(); // generated
        assertThat(stored).isEqualTo(ada(stored.id()));
        assertThat(users.get(stored.id())).contains(ada(stored.id()));
        // the storage is the same collection: the JSON names are the components'
        assertThat(users.untyped()
                        .get(stored.id())
                        .orElseThrow()
                        .fields()
                        .get("balance")
                        .decimalValue())
                .isEqualByComparingTo("12345678901234567890.123456789");
        assertThat(users.untyped().get(stored.id()).orElseThrow().fields().has("id"))
                .isFalse();
        // missing Optional and nested values read back as empty / null
        User plain = new User(
                "bob",
                "Bob",
                29,
                0,
                0,
                BigDecimal.ONE,
                false,
                Tier.FREE,
                Instant.EPOCH,
                null,
                null,
                Optional.empty(),
                null,
                List.of());
        users.insert(plain);
        assertThat(users.get("bob")).contains(plain);
        assertThatThrownBy(() -> users.insert(plain)).isInstanceOf(DuplicateRecordException.class);
    }

    @StoreTest
    void queriesPagesStreamsAndCounts(RecordStore store) {
        TypedCollection<User> users = store.collection("users", User.class);
        assertThat(users.insertMany(IntStream.range(0, 25)
                        .mapToObj(i -> ada("u" + (100 + i)))
                        .toList()))
                .isEqualTo(25);
        TypedPage<User> page = users.find(
                Query.where(Filter.eq("address.city", "London")).sort("$id").limit(10));
        assertThat(page.records()).hasSize(10).first().extracting(User::id).isEqualTo("u100");
        TypedPage<User> next = users.find(Query.where(Filter.eq("address.city", "London"))
                .sort("$id")
                .limit(10)
                .cursor(page.nextCursor()));
        assertThat(next.records()).first().extracting(User::id).isEqualTo("u110");
        try (Stream<User> all = users.stream(Query.all().sort("-$id"))) {
            assertThat(all.map(User::id).findFirst()).contains("u124");
        }
        assertThat(users.count(Filter.gte("age", 30))).isEqualTo(25);
        assertThat(users.getMany(List.of("u101", "none", "u100")))
                .extracting(User::id)
                .containsExactly("u101", "u100");
        assertThat(users.upsertMany(List.of(ada("u100"), ada("u999")))).isEqualTo(2);
        assertThat(users.count()).isEqualTo(26);
    }

    @StoreTest
    void optimisticWritesUseTheVersion(RecordStore store) {
        TypedCollection<User> users = store.collection("users", User.class);
        Versioned<User> v1 = users.insertVersioned(ada("ada"));
        assertThat(v1.version()).isEqualTo(1);
        Versioned<User> v2 = users.replace(
                new User(
                        "ada",
                        "Ada L.",
                        37,
                        1,
                        1,
                        BigDecimal.TEN,
                        true,
                        Tier.PRO,
                        Instant.EPOCH,
                        null,
                        null,
                        Optional.empty(),
                        null,
                        List.of()),
                v1.version());
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.value().name()).isEqualTo("Ada L.");
        assertThatThrownBy(() -> users.replace(ada("ada"), 1)).isInstanceOf(ConcurrencyException.class);
        Versioned<User> v3 = users.patch("ada", Map.of("age", 38), 2);
        assertThat(v3.value().age()).isEqualTo(38);
        assertThat(users.upsert(ada("ada")).version()).isEqualTo(4);
        assertThat(users.getVersioned("ada").orElseThrow().version()).isEqualTo(4);
        assertThatThrownBy(() -> users.delete("ada", 3)).isInstanceOf(ConcurrencyException.class);
        assertThat(users.delete("ada", 4)).isTrue();
        assertThat(users.get("ada")).isEmpty();
    }

    @StoreTest
    void idsFromAnnotationsPojosAndTypesWithout(RecordStore store) {
        TypedCollection<Keyed> keyed = store.collection("keyed", Keyed.class);
        UUID key = UUID.randomUUID();
        keyed.insert(new Keyed(key, "a"));
        assertThat(keyed.get(key.toString())).contains(new Keyed(key, "a"));

        TypedCollection<NoId> plain = store.collection("plain", NoId.class);
        Versioned<NoId> made = plain.insertVersioned(new NoId("x", 1));
        assertThat(made.id()).isNotBlank();
        assertThat(plain.get(made.id())).contains(new NoId("x", 1));
        assertThatThrownBy(() -> plain.replace(new NoId("y", 2)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("has none");

        TypedCollection<Product> products = store.collection("products", Product.class);
        Product p = new Product();
        p.setId("p1");
        p.setName("Lamp");
        p.setPrice(new BigDecimal("19.90"));
        products.insert(p);
        assertThat(products.untyped().get("p1").orElseThrow().fields().toString())
                .contains("\"title\":\"Lamp\"")
                .doesNotContain("scratch");
        Product back = products.get("p1").orElseThrow();
        assertThat(back.getName()).isEqualTo("Lamp");
        assertThat(back.getPrice()).isEqualByComparingTo("19.90");
        assertThat(products.count(Filter.eq("title", "Lamp"))).isEqualTo(1); // POJOs: paths are not checked
    }

    @StoreTest
    void mappingErrorsNameTheFieldTheValueAndTheType(RecordStore store) {
        store.collection("users").insert("bad", Map.of("name", "X", "age", "thirty"), null);
        TypedCollection<User> users = store.collection("users", User.class);
        assertThatThrownBy(() -> users.get("bad"))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("'bad'")
                .hasMessageContaining("field 'age'")
                .hasMessageContaining("\"thirty\"")
                .hasMessageContaining("int");
        assertThatThrownBy(() -> users.find(Query.where(Filter.eq("agee", 3))))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("Did you mean 'age'");
        assertThatThrownBy(() -> users.count(Filter.eq("id", "x")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("$id");
        assertThat(users.uncheckedPaths().count(Filter.eq("agee", 3))).isZero();
        assertThat(store.collection("users").count()).isEqualTo(1);
    }

    @StoreTest
    void theCallersMapperIsUsed(RecordStore store) {
        JsonMapper strict = JsonMapper.builder()
                .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .build(); // fails on unknown properties, writes Instants as numbers
        record Event(String id, Instant at) {}
        TypedCollection<Event> events = store.collection("events", Event.class, strict);
        events.insert(new Event("e1", Instant.ofEpochSecond(1)));
        assertThat(store.collection("events")
                        .get("e1")
                        .orElseThrow()
                        .fields()
                        .get("at")
                        .isNumber())
                .isTrue();
        store.collection("events").patch("e1", Map.of("extra", 1));
        assertThatThrownBy(() -> events.get("e1"))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("extra");

        // a typed patch's Java values go through the same mapper as the records' own: an Instant stays a number
        events.insert(new Event("e2", Instant.ofEpochSecond(2)));
        assertThat(events.patch("e2", Update.fields().set("at", Instant.ofEpochSecond(3)))
                        .value()
                        .at())
                .isEqualTo(Instant.ofEpochSecond(3));
        assertThat(events.patch("e2", Map.of("at", Instant.ofEpochSecond(4)))
                        .value()
                        .at())
                .isEqualTo(Instant.ofEpochSecond(4));
        assertThat(events.updateMany(Filter.eq("$id", "e2"), Update.fields().max("at", Instant.ofEpochSecond(5))))
                .isEqualTo(1);
        assertThat(events.get("e2").orElseThrow().at()).isEqualTo(Instant.ofEpochSecond(5));
        assertThat(store.collection("events")
                        .get("e2")
                        .orElseThrow()
                        .fields()
                        .get("at")
                        .isNumber())
                .isTrue();
    }

    /** Java values in an untyped collection's maps and updates are written as a typed collection's default does. */
    @StoreTest
    void untypedWritesTakeJavaTimeValuesAsTypedOnesDo(RecordStore store) {
        record Event(String id, Instant at, LocalDate day, Optional<String> note) {}
        var untyped = store.collection("events");
        untyped.insert(
                "e1",
                Map.of("at", Instant.ofEpochSecond(1, 5), "day", LocalDate.of(2026, 12, 6), "note", Optional.of("n")),
                null);
        untyped.patch("e1", Update.fields().set("at", Instant.ofEpochSecond(2)).max("day", LocalDate.of(2027, 1, 1)));
        assertThat(dev.vellum.internal.JsonValues.canonical(
                        untyped.get("e1").orElseThrow().fields()))
                .isEqualTo("{\"at\":\"1970-01-01T00:00:02Z\",\"day\":\"2027-01-01\",\"note\":\"n\"}");
        assertThat(store.collection("events", Event.class).get("e1").orElseThrow())
                .isEqualTo(new Event("e1", Instant.ofEpochSecond(2), LocalDate.of(2027, 1, 1), Optional.of("n")));
    }

    @StoreTest
    void fieldOperatorsOnTypedRecords(RecordStore store) {
        TypedCollection<User> users = store.collection("users", User.class);
        users.insert(ada("ada"));
        Versioned<User> after = users.patch(
                "ada",
                Update.fields()
                        .inc("visits", 2)
                        .inc("balance", new BigDecimal("0.000000001"))
                        .push("address.lines", "Mayfair")
                        .set("nickname", "Enchantress"));
        assertThat(after.value().visits()).isEqualTo(9_007_199_254_740_995L);
        assertThat(after.value().balance()).isEqualByComparingTo("12345678901234567890.123456790");
        assertThat(after.value().address().lines()).containsExactly("12 St James's Square", "Mayfair");
        assertThat(after.value().nickname()).contains("Enchantress");
        assertThat(users.updateMany(Filter.eq("tier", "PRO"), Update.fields().inc("age", 1)))
                .isEqualTo(1);
        assertThat(users.get("ada").orElseThrow().age()).isEqualTo(37);
        assertThatThrownBy(() -> users.patch("ada", Update.fields().inc("vists", 1)))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("Did you mean 'visits'?");
        assertThatThrownBy(() -> users.updateMany(Filter.all(), Map.of("$set", Map.of("id", "x"))))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("is the record id");
        assertThat(users.deleteMany(Filter.eq("name", "Ada"))).isEqualTo(1);
    }

    /** The change feed of a typed collection: the same changes, each value read as the type; deletes carry none. */
    @StoreTest
    void theChangeFeedReadsAsTheType(RecordStore store) {
        TypedCollection<NoId> notes = store.collection("typed_feed", NoId.class);
        notes.untyped().enableChanges();
        String start = notes.changes().now();
        notes.untyped().insert("a", Map.of("label", "first", "n", 1), null);
        notes.patch("a", Update.fields().inc("n", 1));
        notes.delete("a");
        var page = notes.changes().poll(start, 10);
        assertThat(page.changes())
                .extracting(c -> c.op() + " " + c.id() + " " + c.version() + " " + c.value())
                .containsExactly(
                        "INSERT a 1 NoId[label=first, n=1]", "UPDATE a 2 NoId[label=first, n=2]", "DELETE a 3 null");
        assertThat(page.next())
                .isEqualTo(notes.untyped().changes().poll(start, 10).next());
        assertThat(notes.changes().filter(Filter.gte("n", 2)).poll(start, 10).changes())
                .extracting(c -> c.op().name())
                .containsExactly("UPDATE", "DELETE");
        assertThatThrownBy(() -> notes.changes().filter(Filter.eq("lable", "x")))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("Did you mean 'label'?");
    }
}
