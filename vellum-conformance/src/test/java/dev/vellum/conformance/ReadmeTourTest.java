package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.Accumulator;
import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.ChangeSubscription;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Row;
import dev.vellum.TypedCollection;
import dev.vellum.Update;
import dev.vellum.Vellum;
import dev.vellum.Versioned;
import dev.vellum.testkit.BackendTest;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The README's Java tour, as written there, on every backend. Keep the two in step. */
class ReadmeTourTest {

    record User(String id, String name, int age, String city) {}

    @StoreTest
    void typedTourRuns(TestBackend backend) {
        try (RecordStore store = Vellum.open(backend.url())) {
            TypedCollection<User> users = store.collection("users", User.class);
            User ada = users.insert(new User(null, "Ada", 36, "London"));
            List<User> londoners = users.find(
                            Query.where(Filter.eq("city", "London")).sort("name"))
                    .records();
            Versioned<User> current = users.getVersioned(ada.id()).orElseThrow();
            users.replace(new User(ada.id(), "Ada L.", 37, "London"), current.version());

            assertThat(londoners).containsExactly(ada);
            assertThat(current.version()).isEqualTo(1);
            assertThat(users.get(ada.id())).contains(new User(ada.id(), "Ada L.", 37, "London"));
        }
    }

    @StoreTest
    void recordStoreTourRuns(TestBackend backend) {
        try (RecordStore store = Vellum.open(backend.url())) {
            var users = store.collection("users");
            Record ada = users.insert(Map.of("name", "Ada", "age", 36, "city", "NY", "tags", List.of("math")));
            users.insert("bob", Map.of("name", "Bob", "age", 29), Map.of("source", "import"));

            users.createIndex("by_age", "age");
            Page page = users.find(Query.where(Filter.gte("age", 30).and(Filter.contains("tags", "math")))
                    .sort("-age", "name")
                    .limit(50));
            String next = page.nextCursor();

            users.patch(ada.id(), Map.of("city", "London"));
            users.patch(ada.id(), Update.fields().inc("visits", 1).addToSet("tags", "logic"));

            List<Group> byCity = users.aggregate(
                    Filter.all(), List.of("city"), Map.of("n", Accumulator.count(), "avgAge", Accumulator.avg("age")));
            Filter fromJson = Filter.parse(
                    "{\"age\":{\"$gte\":30},\"$or\":[{\"city\":\"London\"},{\"$meta.source\":\"import\"}]}");
            long adults = users.count(fromJson);
            users.replace(ada.id(), Map.of("name", "Ada L.", "age", 37), 3);

            store.useTransaction(tx -> {
                tx.collection("audit").insert(Map.of("event", "tour"));
                tx.collection("users").deleteMany(Filter.lt("age", 18));
            });
            List<String> printed = new ArrayList<>();
            try (Stream<Record> all = users.stream(Query.all().sort("name"))) {
                // the README prints r.fields(); key order is the backend's (PostgreSQL's jsonb reorders keys)
                all.forEach(r -> printed.add(r.id() + " " + dev.vellum.internal.JsonValues.canonical(r.fields())));
            }

            // what the README's comments say: London 1 36, none 1 29; one adult; then the replaced Ada, and Bob
            assertThat(byCity)
                    .extracting(
                            g -> g.key("city") == null ? "none" : g.key("city").asText())
                    .containsExactly("London", "none");
            assertThat(byCity.get(0).get("n").asLong()).isEqualTo(1);
            assertThat(byCity.get(0).get("avgAge").asInt()).isEqualTo(36);
            assertThat(byCity.get(1).get("n").asLong()).isEqualTo(1);
            assertThat(byCity.get(1).get("avgAge").asInt()).isEqualTo(29);
            assertThat(page.records()).extracting(Record::id).containsExactly(ada.id());
            assertThat(next).isNull();
            assertThat(adults).isEqualTo(1);
            assertThat(printed)
                    .containsExactly(
                            ada.id() + " {\"age\":37,\"name\":\"Ada L.\"}", "bob {\"age\":29,\"name\":\"Bob\"}");
            assertThat(store.collection("audit").count()).isEqualTo(1);
        }
    }

    @StoreTest
    void changeFeedTourRuns(TestBackend backend) throws Exception {
        List<String> printed = new ArrayList<>();
        List<String> live = new java.util.concurrent.CopyOnWriteArrayList<>();
        String resumeFrom;
        try (RecordStore store = Vellum.open(backend.url())) {
            var orders = store.collection("orders");
            orders.enableChanges();
            String token = orders.changes().now();

            orders.insert("o1", Map.of("status", "open", "total", 30), null);
            orders.patch("o1", Map.of("status", "paid"));
            orders.delete("o1");

            ChangePage page = orders.changes().poll(token, 100, Duration.ofSeconds(10));
            for (Change c : page.changes()) {
                printed.add(c.op() + " " + c.id() + " " + c.version() + " " + (c.record() == null ? "null" : "record"));
            }
            token = page.next();

            try (ChangeSubscription subscription = orders.changes()
                    .filter(Filter.eq("status", "paid"))
                    .subscribe(token, change -> live.add("live: " + change.id()))) {
                orders.insert("o2", Map.of("status", "paid"), null);
                Thread.sleep(200);
                for (int i = 0; i < 100 && live.isEmpty(); i++) { // the README sleeps 200 ms; a slow CI may need more
                    Thread.sleep(50);
                }
                token = subscription.token();
            }
            resumeFrom = token;
            assertThat(orders.changes().poll(resumeFrom, 10).changes()).isEmpty();
        }
        assertThat(printed).containsExactly("INSERT o1 1 record", "UPDATE o1 2 record", "DELETE o1 3 null");
        assertThat(live).containsExactly("live: o2");
    }

    @BackendTest
    void databaseTourRuns(TestBackend backend) {
        try (Database db = Database.open(backend.url())) {
            db.execute("CREATE TABLE IF NOT EXISTS people (id " + db.dialect().autoIncrementPrimaryKey()
                    + ", name TEXT NOT NULL, joined " + db.dialect().timestampType() + ")");
            db.execute("INSERT INTO people (name, joined) VALUES (?, ?)", "Ada", Instant.now());

            Optional<Row> ada = db.fetchOne("SELECT * FROM people WHERE name = ?", "Ada");
            Instant joined = ada.orElseThrow().getInstant("joined");

            db.useTransaction(tx -> {
                tx.execute("UPDATE people SET name = ? WHERE name = ?", "Ada L.", "Ada");
                tx.useTransaction(inner -> inner.execute("DELETE FROM people WHERE name = ?", "nobody"));
            });

            try (Stream<Row> rows = db.stream("SELECT * FROM people")) {
                assertThat(rows.map(r -> r.getString("name"))).containsExactly("Ada L.");
            }
            assertThat(joined).isBefore(Instant.now().plusSeconds(1));
        }
    }
}
