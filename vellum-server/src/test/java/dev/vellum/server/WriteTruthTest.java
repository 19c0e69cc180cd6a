package dev.vellum.server;

import static dev.vellum.server.EndpointsTest.assertProblem;
import static dev.vellum.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.testkit.PostgresServer;
import dev.vellum.testkit.StoreTest;
import dev.vellum.testkit.TestBackend;
import dev.vellum.testkit.WriteBlocker;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An answer is the truth: a 2xx means committed, an error means nothing was written, whatever went wrong. */
@Tag("slow")
class WriteTruthTest {
    private static final String C = "/v1/collections/c";

    /**
     * Every write path, queued behind a writer that holds the collection, times out with 503 and is cancelled: after
     * the writer lets go, none of them has been applied (before, such writes committed minutes after their 503).
     */
    @StoreTest
    void writesThatTimedOutAreNeverApplied(RecordStore store, TestBackend backend) throws Exception {
        try (Http http = Http.start(store, Map.of("VELLUM_HTTP_REQUEST_TIMEOUT", "600ms"))) {
            assertThat(http.post(C + "/records", "{\"id\":\"a\",\"fields\":{\"n\":1}}")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(http.post(C + "/records", "{\"id\":\"b\",\"fields\":{\"n\":2}}")
                            .statusCode())
                    .isEqualTo(201);
            try (WriteBlocker blocker = WriteBlocker.hold(store, backend, "c")) {
                List<HttpResponse<String>> answers = new ArrayList<>();
                answers.add(http.post(C + "/records", "{\"id\":\"new\",\"fields\":{}}"));
                answers.add(http.post(
                        C + "/records:batch", "[{\"id\":\"n1\",\"fields\":{}},{\"id\":\"n2\",\"fields\":{}}]"));
                answers.add(http.send("PUT", C + "/records/a", "{\"fields\":{\"n\":10}}"));
                answers.add(http.send(
                        "PATCH", C + "/records/a", "{\"n\":11}", "Content-Type", "application/merge-patch+json"));
                answers.add(http.delete(C + "/records/b"));
                answers.add(http.post(C + "/update", "{\"filter\":{},\"patch\":{\"n\":12}}"));
                answers.add(http.post(C + "/delete", "{\"filter\":{}}"));
                answers.add(http.post(C + "/indexes", "{\"name\":\"by_n\",\"paths\":[\"n\"]}"));
                for (HttpResponse<String> answer : answers) {
                    assertThat(answer.body()).as(answer.request().toString()).contains("/problems/timeout\"");
                    JsonNode problem = assertProblem(answer, 503, "timeout");
                    assertThat(problem.get("detail").asText()).contains("nothing was written");
                    assertThat(answer.headers().firstValue("Retry-After")).isPresent();
                }
            }
            Thread.sleep(500); // had any of them been left to run, it would have committed by now
            JsonNode page = json(http.get(C + "/records"));
            assertThat(page.get("records")).hasSize(2);
            assertThat(page.at("/records/0/id").asText()).isEqualTo("a");
            assertThat(page.at("/records/0/version").asLong()).isEqualTo(1);
            assertThat(page.at("/records/0/fields/n").asInt()).isEqualTo(1);
            assertThat(page.at("/records/1/id").asText()).isEqualTo("b");
            assertThat(http.get(C + "/indexes").body()).isEqualTo("{\"indexes\":[]}");
            // and the server serves normally
            assertThat(http.post(C + "/records", "{\"id\":\"after\",\"fields\":{}}")
                            .statusCode())
                    .isEqualTo(201);
        }
    }

    /**
     * One-row writes that the database refuses (a duplicate id, a unique index, a stale version), more of them than
     * the pool has connections: each answers its problem, nothing is written, and every connection still serves. On
     * PostgreSQL such a write, its commit and the read of its consistency token go in one round trip; a refusal there
     * must leave no connection inside a failed transaction, and each token must cover its own write.
     */
    @StoreTest
    void refusedOneRowWritesLeaveEveryConnectionServing(RecordStore store, TestBackend backend) throws Exception {
        try (Http http = Http.start(store)) {
            assertThat(http.post(C + "/indexes", "{\"name\":\"by_email\",\"paths\":[\"email\"],\"unique\":true}")
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> first = http.post(C + "/records", "{\"id\":\"a\",\"fields\":{\"email\":\"a@x\"}}");
            assertThat(first.statusCode()).isEqualTo(201);
            String token = first.headers().firstValue("Vellum-Consistency").orElseThrow();
            for (int i = 0; i < 25; i++) {
                assertProblem(http.post(C + "/records", "{\"id\":\"a\",\"fields\":{}}"), 409, "duplicate");
                assertProblem(http.post(C + "/records", "{\"fields\":{\"email\":\"a@x\"}}"), 409, "duplicate");
                assertThat(http.send("PUT", C + "/records/a", "{\"fields\":{\"n\":" + i + "}}", "If-Match", "\"9\"")
                                .statusCode())
                        .isEqualTo(412);
            }
            for (int i = 0; i < 25; i++) {
                HttpResponse<String> created = http.post(C + "/records", "{\"fields\":{\"n\":" + i + "}}");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                String next = created.headers().firstValue("Vellum-Consistency").orElseThrow();
                if (backend.name().startsWith("postgres")) {
                    long before = dev.vellum.engine.ConsistencyTokens.parse(token);
                    long after = dev.vellum.engine.ConsistencyTokens.parse(next);
                    assertThat(after).as("a later write's token").isGreaterThan(before);
                    long now = store.database()
                            .orElseThrow()
                            .fetchOne("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint AS at")
                            .orElseThrow()
                            .getLong("at");
                    assertThat(after)
                            .as("a token is a position already reached")
                            .isLessThanOrEqualTo(now);
                }
                token = next;
            }
            JsonNode page = json(http.get(C + "/records?limit=100"));
            assertThat(page.get("records")).hasSize(26);
            assertThat(page.at("/records/0/version").asLong()).isEqualTo(1);
        }
    }

    /**
     * RFC 7240's {@code Prefer: return=minimal}: a committed write answers without the record — 201 with its Location,
     * 204 for the rest — and its ETag and consistency token still say what was written. (It is also how a write whose
     * record could not be serialized, the heap short, answers: never an error for a committed write.)
     */
    @StoreTest
    void writesAnswerWithoutTheRecordWhenAskedTo(RecordStore store) {
        try (Http http = Http.start(store)) {
            HttpResponse<String> created =
                    http.post(C + "/records", "{\"id\":\"a\",\"fields\":{\"n\":1}}", "Prefer", "return=minimal");
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).isEmpty();
            assertThat(created.headers().firstValue("Location")).hasValue(C + "/records/a");
            assertThat(created.headers().firstValue("Preference-Applied")).hasValue("return=minimal");
            HttpResponse<String> patched = http.send(
                    "PATCH", C + "/records/a", "{\"$inc\":{\"n\":1}}", "Prefer", "handling=strict, return=minimal");
            assertThat(patched.statusCode()).isEqualTo(204);
            assertThat(patched.headers().firstValue("ETag")).hasValue("\"2\"");
            assertThat(patched.headers().firstValue("Vellum-Consistency")).isPresent();
            assertThat(http.send("PUT", C + "/records/a", "{\"fields\":{\"n\":5}}", "Prefer", "return=minimal")
                            .statusCode())
                    .isEqualTo(204);
            // without the preference, the record comes back
            assertThat(json(http.send("PATCH", C + "/records/a", "{\"$inc\":{\"n\":1}}"))
                            .at("/fields/n")
                            .asInt())
                    .isEqualTo(6);
            // a refused write is a problem as ever
            assertProblem(
                    http.send("PATCH", C + "/records/a", "{\"$inc\":{\"n\":\"x\"}}", "Prefer", "return=minimal"),
                    400,
                    "invalid-query");
        }
    }

    /**
     * VELLUM_MAX_RECORD_SIZE over HTTP: a record past it is a 413 record-too-large problem with its size and the limit,
     * whichever write made it so (an insert, a batch, a replace, a merge patch, field operators, an update of many),
     * and nothing is written.
     */
    @StoreTest
    void aRecordPastTheSizeLimitIs413AndNothingIsWritten(TestBackend backend) throws Exception {
        RecordStore store = backend.openStore(b -> b.set("VELLUM_MAX_RECORD_SIZE", "1KB"));
        String big = "x".repeat(1100);
        try (Http http = Http.start(store)) {
            assertThat(http.post(C + "/records", "{\"id\":\"a\",\"fields\":{\"n\":1}}")
                            .statusCode())
                    .isEqualTo(201);
            List<HttpResponse<String>> answers = new ArrayList<>();
            answers.add(http.post(C + "/records", "{\"id\":\"b\",\"fields\":{\"s\":\"" + big + "\"}}"));
            answers.add(http.post(
                    C + "/records:batch",
                    "[{\"id\":\"n1\",\"fields\":{}},{\"id\":\"n2\",\"fields\":" + "{\"s\":\"" + big + "\"}}]"));
            answers.add(http.send("PUT", C + "/records/a", "{\"fields\":{\"s\":\"" + big + "\"}}"));
            answers.add(http.send(
                    "PATCH",
                    C + "/records/a",
                    "{\"s\":\"" + big + "\"}",
                    "Content-Type",
                    "application/merge-patch+json"));
            answers.add(http.send("PATCH", C + "/records/a", "{\"$push\":{\"s\":\"" + big + "\"}}"));
            answers.add(http.post(C + "/update", "{\"filter\":{},\"patch\":{\"s\":\"" + big + "\"}}"));
            for (HttpResponse<String> answer : answers) {
                JsonNode problem = assertProblem(answer, 413, "record-too-large");
                assertThat(problem.get("limit").asLong()).isEqualTo(1024);
                assertThat(problem.get("size").asLong()).isGreaterThan(1100);
                assertThat(problem.get("detail").asText()).contains("VELLUM_MAX_RECORD_SIZE", "Nothing was written");
            }
            JsonNode page = json(http.get(C + "/records"));
            assertThat(page.get("records")).hasSize(1);
            assertThat(page.at("/records/0/version").asLong()).isEqualTo(1);
            assertThat(page.at("/records/0/fields").toString()).isEqualTo("{\"n\":1}");
        }
    }

    /**
     * SQLite on a full disk (a small tmpfs): writes answer 507, never 2xx for what was not kept; reads keep working;
     * every acknowledged record is there afterwards, the file passes integrity_check, and writes work again once
     * space is freed.
     */
    @Test
    void sqliteOnAFullDiskNeverAcknowledgesWhatItDidNotKeep(@TempDir Path dir) throws Exception {
        Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        mountTmpfs(mount, "4m");
        try {
            String url = "sqlite:" + mount.resolve("v.db");
            DiskFull run;
            try (RecordStore store = Vellum.open(url)) {
                run = DiskFull.run(store, mount, mount.resolve("filler"));
            }
            try (RecordStore store = Vellum.open(url)) {
                Database db = store.database().orElseThrow();
                assertThat(db.fetchOne("PRAGMA integrity_check").orElseThrow().getString("integrity_check"))
                        .isEqualTo("ok");
                run.assertKept(store);
            }
        } finally {
            unmount(mount);
        }
    }

    /**
     * PostgreSQL with the database in a tablespace on a small tmpfs: the server's own 53100 (disk full) answers 507
     * and keeps nothing, reads keep working, and writes work again once space is freed.
     */
    @Test
    void postgresOnAFullDiskNeverAcknowledgesWhatItDidNotKeep(@TempDir Path dir) throws Exception {
        Path mount = dir.resolve("pgspace");
        Files.createDirectories(mount);
        mountTmpfs(mount, "24m");
        PostgresServer server = PostgresServer.shared();
        String name = "vellum_full_" + ProcessHandle.current().pid();
        try (Connection admin = DriverManager.getConnection(
                        server.admin().jdbcUrl(),
                        server.admin().user(),
                        server.admin().password());
                Statement sql = admin.createStatement()) {
            Files.createDirectories(mount.resolve("ts"));
            try {
                sql.execute("CREATE TABLESPACE " + name + " LOCATION '" + mount.resolve("ts") + "'");
            } catch (java.sql.SQLException e) {
                Assumptions.abort("the PostgreSQL disk-full test needs a superuser on a server of this machine (the "
                        + "build's own throwaway server is one; VELLUM_TEST_POSTGRES_URL names another): "
                        + e.getMessage());
            }
            sql.execute("CREATE DATABASE " + name + " TABLESPACE " + name);
            try {
                String url = server.admin().withDatabase(name).toUrlWithCredentials();
                try (RecordStore store = Vellum.open(url)) {
                    DiskFull.run(store, mount, mount.resolve("filler")).assertKept(store);
                }
            } finally {
                sql.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                sql.execute("DROP TABLESPACE IF EXISTS " + name);
            }
        } finally {
            unmount(mount);
        }
    }

    /** Writes of every kind onto a disk that fills up, then frees it; remembers what was acknowledged. */
    private record DiskFull(Map<String, Long> acknowledged, List<String> absent, List<String> indexes) {
        /** Every write path in turn: single, JSON and NDJSON batches, PUT, PATCH, update, delete, index changes. */
        static DiskFull run(RecordStore store, Path mount, Path filler) throws Exception {
            Map<String, Long> acknowledged = new LinkedHashMap<>();
            List<String> absent = new ArrayList<>();
            List<String> indexes = new ArrayList<>();
            java.util.Random random = new java.util.Random(7);
            int full = 0;
            try (Http http = Http.start(store)) {
                assertThat(http.post(C + "/records", "{\"id\":\"a\",\"fields\":{\"n\":0}}")
                                .statusCode())
                        .isEqualTo(201);
                acknowledged.put("a", 1L);
                fill(filler, Files.getFileStore(mount).getUsableSpace() - 400_000);
                for (int i = 0; i < 1000 && full < 40; i++) {
                    // random text: PostgreSQL compresses what repeats, and the disk would not fill
                    String payload = randomText(random, 3000);
                    String fields = "{\"n\":" + i + ",\"p\":\"" + payload + "\"}";
                    HttpResponse<String> r;
                    switch (i % 9) {
                        case 0, 1 -> {
                            r = http.post(C + "/records", "{\"id\":\"r" + i + "\",\"fields\":" + fields + "}");
                            track(r.statusCode() == 201, List.of("r" + i), acknowledged, absent);
                        }
                        case 2 -> {
                            r = http.post(
                                    C + "/records:batch",
                                    "[{\"id\":\"b" + i + "\",\"fields\":" + fields + "},{\"id\":\"c" + i
                                            + "\",\"fields\":" + fields + "}]");
                            track(r.statusCode() == 200, List.of("b" + i, "c" + i), acknowledged, absent);
                        }
                        case 3 -> {
                            r = http.post(
                                    C + "/records:batch",
                                    "{\"id\":\"d" + i + "\",\"fields\":" + fields + "}\n{\"id\":\"e" + i
                                            + "\",\"fields\":" + fields + "}\n",
                                    "Content-Type",
                                    Api.NDJSON);
                            track(r.statusCode() == 200, List.of("d" + i, "e" + i), acknowledged, absent);
                        }
                        case 4 ->
                            r = changed(
                                    http.send("PUT", C + "/records/a", "{\"fields\":" + fields + "}"),
                                    200,
                                    acknowledged);
                        case 5 ->
                            r = changed(
                                    http.send(
                                            "PATCH",
                                            C + "/records/a",
                                            fields,
                                            "Content-Type",
                                            "application/merge-patch+json"),
                                    200,
                                    acknowledged);
                        case 6 ->
                            r = changed(
                                    http.post(C + "/update", "{\"filter\":{\"$id\":\"a\"},\"patch\":" + fields + "}"),
                                    200,
                                    acknowledged);
                        case 7 -> {
                            String victim = acknowledged.keySet().stream()
                                    .filter(id -> id.startsWith("r"))
                                    .reduce((first, second) -> second)
                                    .orElse("none");
                            r = http.delete(C + "/records/" + victim);
                            if (r.statusCode() == 204) {
                                acknowledged.remove(victim);
                                absent.add(victim);
                            }
                        }
                        default -> {
                            String index = "ix" + i;
                            r = http.post(C + "/indexes", "{\"name\":\"" + index + "\",\"paths\":[\"n\"]}");
                            if (r.statusCode() == 201) {
                                indexes.add(index);
                            }
                            if (indexes.size() > 1) {
                                HttpResponse<String> dropped = http.delete(C + "/indexes/" + indexes.get(0));
                                if (dropped.statusCode() == 204) {
                                    indexes.remove(0);
                                } else {
                                    assertProblem(dropped, 507, "storage-full");
                                }
                            }
                        }
                    }
                    if (r.statusCode() >= 300) {
                        assertProblem(r, 507, "storage-full");
                        assertThat(r.headers().firstValue("Retry-After")).isPresent();
                        full++;
                    }
                }
                assertThat(full).as("writes refused for a full disk").isPositive();
                // reads keep working on a full disk
                assertThat(http.get(C + "/records/a").statusCode()).isEqualTo(200);
                assertThat(http.post(C + "/count", "{\"filter\":{}}").statusCode())
                        .isEqualTo(200);
                // space freed: writes work again at once
                Files.delete(filler);
                HttpResponse<String> again = http.post(C + "/records", "{\"id\":\"again\",\"fields\":{}}");
                assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
                acknowledged.put("again", 1L);
            }
            return new DiskFull(acknowledged, absent, indexes);
        }

        private static void track(
                boolean acknowledgedWrite, List<String> ids, Map<String, Long> acknowledged, List<String> absent) {
            if (acknowledgedWrite) {
                ids.forEach(id -> acknowledged.put(id, 1L));
            } else {
                absent.addAll(ids);
            }
        }

        /** A write to record a: acknowledged, its version rose by one. */
        private static HttpResponse<String> changed(HttpResponse<String> r, int ok, Map<String, Long> acknowledged) {
            if (r.statusCode() == ok) {
                acknowledged.merge("a", 1L, Long::sum);
            }
            return r;
        }

        private static String randomText(java.util.Random random, int length) {
            StringBuilder text = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            return text.toString();
        }

        /** Every acknowledged record is there at its acknowledged version; nothing refused or deleted is. */
        void assertKept(RecordStore store) {
            var c = store.collection("c");
            acknowledged.forEach((id, version) -> assertThat(c.get(id))
                    .as(id)
                    .hasValueSatisfying(r -> assertThat(r.version()).isEqualTo(version)));
            absent.forEach(id -> assertThat(c.get(id)).as(id).isEmpty());
            assertThat(c.count(dev.vellum.Filter.all())).isEqualTo(acknowledged.size());
            assertThat(c.indexes().stream().map(dev.vellum.IndexInfo::name).toList())
                    .containsExactlyInAnyOrderElementsOf(indexes);
        }
    }

    private static void unmount(Path mount) throws Exception {
        new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
    }

    /** Mounts a tmpfs of the given size, or skips the test saying what it needs. */
    static void mountTmpfs(Path where, String size) throws Exception {
        Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "the disk-full test mounts a small tmpfs and needs root (run the build as root)");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", where.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(
                p.waitFor() == 0,
                "cannot mount a tmpfs here (" + out.strip() + "): the disk-full "
                        + "test needs root with CAP_SYS_ADMIN and util-linux's mount (apt-get install -y mount)");
    }

    /** Takes {@code bytes} of the filesystem with a file of zeros (tmpfs allocates what is written). */
    static void fill(Path file, long bytes) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (long written = 0; written < bytes; written += block.length) {
                f.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
        }
    }
}
