package dev.vellum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.VellumJson;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The vellum command end to end, on real SQLite files and a real PostgreSQL server. */
@ExtendWith(PostgresExtension.class)
class VellumCliTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private Path envFile;

    record Outcome(int exit, String out, String err) {}

    @BeforeEach
    void emptyEnvFile() throws IOException {
        envFile = Files.writeString(dir.resolve("test.env"), "");
        env.put("VELLUM_SQLITE_PATH", dir.resolve("vellum.db").toString());
    }

    private Outcome vellum(String... args) {
        return vellumWithInput("", args);
    }

    private Outcome vellumWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = VellumCli.run(
                env,
                envFile,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    @Test
    void healthWithNoConfigurationCreatesTheSqliteFile() {
        Outcome o = vellum("health");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out())
                .contains(
                        "backend         sqlite",
                        "server          SQLite 3.",
                        "encryption      not applicable (local file)",
                        "schema version  9 (up to date)",
                        "status          healthy");
        assertThat(dir.resolve("vellum.db")).exists();
    }

    @Test
    void healthReportsPostgresWhenPointedAtAServer(PostgresTarget pg) {
        env.put("VELLUM_DB_BACKEND", "postgres");
        env.put("VELLUM_POSTGRES_URL", pg.toUrlWithCredentials());
        Outcome o = vellum("health");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out())
                .contains(
                        "backend         postgres",
                        "server          PostgreSQL ",
                        "database        " + pg.describe(),
                        "encryption      none: not encrypted (sslmode=prefer)",
                        "schema version  9 (up to date)",
                        "pool ");
    }

    @Test
    void sqlPrintsATableOrTheAffectedCount() {
        assertThat(vellum("sql", "CREATE TABLE t (id INTEGER, name TEXT)").out())
                .isEqualTo("0 rows affected\n");
        assertThat(vellum("sql", "INSERT INTO t VALUES (1, ?), (2, ?)", "ada", "line\nbreak")
                        .out())
                .isEqualTo("2 rows affected\n");
        Outcome o = vellum("sql", "SELECT id, name FROM t ORDER BY id");
        assertThat(o.out()).isEqualTo("""
                id | name
                ---+------------
                1  | ada
                2  | line\\nbreak
                (2 rows)
                """);
    }

    @Test
    void sqlErrorsAreOneLineWithoutStackTrace() {
        Outcome o = vellum("sql", "SELEC nonsense");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .startsWith("vellum: sqlite rejected the statement: ")
                .doesNotContain("\tat ");
    }

    @Test
    void configurationErrorsExitNonZeroWithTheMessage() {
        env.put("VELLUM_DB_BACKEND", "mysql");
        Outcome o = vellum("health");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .isEqualTo("vellum: Unknown database backend 'mysql'. Expected one of: sqlite, postgres, "
                        + "memory (set VELLUM_DB_BACKEND)\n");
        env.remove("VELLUM_DB_BACKEND");
        env.put("VELLUM_POSTGRES_POOL_MAXX", "3");
        assertThat(vellum("health").err())
                .isEqualTo("vellum: Unknown setting VELLUM_POSTGRES_POOL_MAXX in the "
                        + "environment. Did you mean VELLUM_POSTGRES_POOL_MAX?\n");
    }

    @Test
    void postgresWithoutUrlAndUnreachableServerAreExplained() throws Exception {
        env.put("VELLUM_DB_BACKEND", "postgres");
        assertThat(vellum("health").err()).contains("set VELLUM_POSTGRES_URL (or DATABASE_URL)");
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        env.put("VELLUM_POSTGRES_URL", "postgres://app:t0ps3cret@127.0.0.1:" + port + "/app");
        Outcome o = vellum("health");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .isEqualTo("vellum: Cannot connect to PostgreSQL at 127.0.0.1:" + port + "/app as user "
                        + "'app': Connection refused. Check VELLUM_POSTGRES_URL.\n");
    }

    @Test
    void migrateShowsStatusAppliesAndValidates() throws IOException {
        Path migrations = dir.resolve("migrations");
        Files.createDirectories(migrations.resolve("sqlite"));
        Files.writeString(migrations.resolve("sqlite/V1__notes.sql"), "CREATE TABLE notes (id INTEGER PRIMARY KEY);");
        env.put("VELLUM_MIGRATIONS", "filesystem:" + migrations);
        env.put("VELLUM_AUTO_MIGRATE", "false");

        assertThat(vellum("health").err())
                .contains(
                        "10 migration(s) pending (V1__catalog.sql, V2__record_store.sql, "
                                + "V3__index_form.sql, V4__case_folding.sql, V5__faster_case_folding.sql, V6__change_feed.sql, "
                                + "V7__field_operators.sql, V8__record_size.sql, V9__feed_sequencer.sql, V1__notes.sql)",
                        "Run `vellum migrate`");
        Outcome status = vellum("migrate", "status");
        assertThat(status.out())
                .containsPattern("vellum +\\| 1 +\\| catalog +\\| Pending")
                .containsPattern("app +\\| 1 +\\| notes +\\| Pending");
        Outcome up = vellum("migrate");
        assertThat(up.out())
                .startsWith("Applied 10 migrations to ")
                .contains("Vellum schema version 9, " + "application version 1");
        assertThat(vellum("migrate", "status").out()).containsPattern("app +\\| 1 +\\| notes +\\| Success");
        assertThat(vellum("migrate", "validate").out()).contains("Migrations are valid");
        assertThat(vellum("health").exit()).isZero();

        Files.writeString(migrations.resolve("sqlite/V1__notes.sql"), "CREATE TABLE notes (id INTEGER, x TEXT);");
        Outcome invalid = vellum("migrate", "validate");
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(invalid.err()).contains("V1__notes.sql").contains("checksum");
        assertThat(vellum("migrate").err())
                .contains("Migration V1__notes.sql (")
                .contains("was changed after it was " + "applied");
    }

    @Test
    void configShowsSourcesAndHidesSecrets() {
        env.put("VELLUM_POSTGRES_URL", "postgres://app:hunter2@db/app");
        Outcome o = vellum("config");
        assertThat(o.out())
                .contains("VELLUM_POSTGRES_URL")
                .contains("****")
                .doesNotContain("hunter2")
                .containsPattern("VELLUM_SQLITE_PATH +\\| .*vellum.db +\\| environment")
                .containsPattern("VELLUM_DB_BACKEND +\\| sqlite +\\| default");
        assertThat(o.out())
                .as("core's settings and those each module declares")
                .contains(
                        "VELLUM_MAX_ANSWER_SIZE",
                        "VELLUM_POSTGRES_REPLICA_WAIT",
                        "VELLUM_MIGRATION_URL",
                        "VELLUM_HTTP_CORS_ORIGINS",
                        "VELLUM_API_KEYS_FILE");
    }

    @Test
    void memoryBackendIsHealthyWithoutAFile() {
        Outcome o = vellum("--url", "memory:", "health");
        assertThat(o.exit()).isZero();
        assertThat(o.out()).contains("backend   memory");
        assertThat(dir.resolve("vellum.db")).doesNotExist();
    }

    @Test
    void recordCommandsForScripts() {
        String ndjson = """
                {"id":"a1","fields":{"name":"Ada","age":36,"city":"NY"},"metadata":{"source":"cli"}}
                {"fields":{"name":"Bob","age":29}}

                {"id":"c3","fields":{"name":"Cy","age":41,"city":"NY"}}
                """;
        Outcome put = vellumWithInput(ndjson, "put", "people");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.out()).isEqualTo("3\n");
        assertThat(vellum("count", "people").out()).isEqualTo("3\n");
        assertThat(vellum("count", "people", "--filter", "{\"city\":\"NY\"}").out())
                .isEqualTo("2\n");

        Outcome find = vellum(
                "find",
                "people",
                "--filter",
                "{\"age\":{\"$gte\":30}}",
                "--sort",
                "-age",
                "--limit",
                "1",
                "--fields",
                "name");
        assertThat(find.out()).startsWith("{\"id\":\"c3\",\"version\":1,").endsWith("\"fields\":{\"name\":\"Cy\"}}\n");
        assertThat(find.err()).startsWith("next cursor: ");
        String cursor = find.err().substring("next cursor: ".length()).strip();
        Outcome next = vellum(
                "find",
                "people",
                "--filter",
                "{\"age\":{\"$gte\":30}}",
                "--sort",
                "-age",
                "--limit",
                "1",
                "--fields",
                "name",
                "--cursor",
                cursor);
        assertThat(next.out()).contains("\"id\":\"a1\"");
        assertThat(next.err()).isEmpty();

        assertThat(vellum("get", "people", "a1").out()).contains("\"metadata\":{\"source\":\"cli\"}");
        assertThat(vellum("delete", "people", "a1").out()).isEqualTo("Deleted a1 from people\n");
        Outcome gone = vellum("get", "people", "a1");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).isEqualTo("vellum: No record 'a1' in collection people\n");
        assertThat(vellum("delete", "people", "a1").exit()).isEqualTo(1);

        Outcome upsert =
                vellumWithInput("{\"id\":\"c3\",\"fields\":{\"name\":\"Cy2\"}}\n", "put", "people", "--upsert");
        assertThat(upsert.out()).isEqualTo("1\n");
        assertThat(vellum("get", "people", "c3").out())
                .contains("\"version\":2")
                .contains("Cy2");
    }

    @Test
    void changesCommandEnablesAndPrintsTheFeed() {
        Outcome off = vellum("changes", "orders", "--after", "0");
        assertThat(off.exit()).isEqualTo(1);
        assertThat(off.err()).contains("not enabled", "enableChanges()");
        assertThat(vellum("changes", "orders", "--enable").out()).isEqualTo("Enabled the change feed of orders\n");
        assertThat(vellum("changes", "orders", "--enable").out()).contains("(it was on already)");
        vellumWithInput(
                "{\"id\":\"o1\",\"fields\":{\"status\":\"open\"}}\n{\"id\":\"o2\",\"fields\":{}}\n", "put", "orders");
        assertThat(vellum("delete", "orders", "o2").exit()).isZero();
        Outcome all = vellum("changes", "orders", "--after", "0");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out().lines()).hasSize(3);
        assertThat(all.out()).contains("\"op\":\"insert\"", "\"op\":\"delete\"", "\"id\":\"o2\",\"version\":2");
        assertThat(all.err()).isEqualTo("next token: 3\n");
        assertThat(vellum("changes", "--after", "0", "--filter", "{\"status\":\"open\"}")
                        .out()
                        .lines())
                .hasSize(2); // o1's insert and o2's delete
        assertThat(vellum("changes", "orders", "--after", "3").out()).isEmpty();
        assertThat(vellum("changes", "orders", "--disable").out()).isEqualTo("Disabled the change feed of orders\n");
        assertThat(vellum("changes", "--enable").exit()).isNotZero();
    }

    @Test
    void libraryMessagesNameTheFlagsOnTheCommandLine() {
        String target = "sqlite:" + dir.resolve("copy-target.db");
        assertThat(vellumWithInput("{\"id\":\"a\",\"fields\":{}}\n", "put", "c").exit())
                .isZero();
        assertThat(vellum("copy", "--to", target).exit()).isZero();
        Outcome again = vellum("copy", "--to", target);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("--resume", "--merge", "--replace").doesNotContain("Mode.");
        Outcome maintain = vellum("maintain");
        assertThat(maintain.out())
                .contains("VACUUM skipped (add --vacuum)", "change feed: removed 0 change(s)")
                .doesNotContain("vacuum=true");
    }

    @Test
    void badInputToRecordCommandsWritesNothing() {
        Outcome malformed = vellumWithInput("{\"fields\":{\"a\":1}}\n{not json}\n", "put", "people");
        assertThat(malformed.exit()).isEqualTo(1);
        assertThat(malformed.err())
                .startsWith("vellum: line 2 is not valid JSON")
                .contains("Nothing was written")
                .doesNotContain("\tat ");
        Outcome duplicate =
                vellumWithInput("{\"id\":\"x\",\"fields\":{}}\n{\"id\":\"x\",\"fields\":{}}\n", "put", "people");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err()).contains("already exists");
        assertThat(vellumWithInput("{\"fields\":[1]}\n", "put", "people").err()).contains("line 1 must be an object");
        assertThat(vellumWithInput("{\"fields\":{},\"extra\":1}\n", "put", "people")
                        .err())
                .contains("unknown key \"extra\"");
        assertThat(vellum("count", "people").out()).isEqualTo("0\n");
        Outcome badFilter = vellum("find", "people", "--filter", "{\"age\":{\"$gtx\":1}}");
        assertThat(badFilter.exit()).isEqualTo(1);
        assertThat(badFilter.err()).isEqualTo("vellum: Unknown operator $gtx. Did you mean $gt?\n");
        assertThat(vellum("find", "people", "--filter", "{oops").err())
                .startsWith("vellum: The filter is not valid JSON");
        assertThat(vellum("count", "Bad-Name").err()).startsWith("vellum: Invalid collection name 'Bad-Name'");
    }

    @Test
    void serveAnswersHttpUntilStopped() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int[] exit = {-1};
        Thread serving = new Thread(() -> exit[0] = VellumCli.run(
                env,
                envFile,
                new ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                "serve",
                "--port",
                "0"));
        serving.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!out.toString().contains("serving") && serving.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        String line = out.toString();
        assertThat(line)
                .as(err.toString())
                .startsWith("Vellum serving http://127.0.0.1:")
                .contains("on sqlite at " + dir.resolve("vellum.db").toAbsolutePath())
                .contains("no API keys");
        String base = line.substring("Vellum serving ".length(), line.indexOf("/v1 "));
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> created = client.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/collections/notes/records"))
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"id\":\"n1\",\"fields\":{\"text\":\"hi\"}}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        serving.interrupt();
        serving.join(30_000);
        assertThat(serving.isAlive()).isFalse();
        assertThat(vellum("get", "notes", "n1").out()).contains("\"text\":\"hi\"");
    }

    @Test
    void serveRefusesAnOpenAddressWithoutKeys() {
        Outcome o = vellum("serve", "--host", "0.0.0.0", "--port", "0");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .startsWith("vellum: Refusing to listen on 0.0.0.0 without API keys")
                .contains("VELLUM_API_KEYS");
    }

    /**
     * The real process: {@code vellum serve} in a child JVM, four slow uploads in flight, then SIGTERM. Every upload
     * finishes with 200 and its records are stored; the process exits.
     */
    @Test
    void sigtermLetsRequestsInFlightFinish() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                VellumCli.class.getName(),
                "serve",
                "--port",
                "0");
        builder.environment().put("VELLUM_SQLITE_PATH", dir.resolve("served.db").toString());
        builder.environment().put("VELLUM_ENV_FILE", envFile.toString());
        builder.redirectError(dir.resolve("serve.err").toFile());
        Process process = builder.start();
        try {
            java.io.BufferedReader stdout = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = stdout.readLine();
            assertThat(line).as(Files.readString(dir.resolve("serve.err"))).startsWith("Vellum serving http://");
            String base = line.substring("Vellum serving ".length(), line.indexOf("/v1 "));
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.util.List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> uploads =
                    new java.util.ArrayList<>();
            for (int u = 0; u < 4; u++) {
                int upload = u;
                uploads.add(client.sendAsync(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(base + "/v1/collections/slow/records:batch"))
                                .header("Content-Type", "application/x-ndjson")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                                        () -> slowNdjson(upload, 10)))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(700);
            assertThat(uploads).noneMatch(java.util.concurrent.CompletableFuture::isDone);
            process.destroy(); // SIGTERM
            for (var upload : uploads) {
                java.net.http.HttpResponse<String> response = upload.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).endsWith("{\"count\":10}\n");
            }
            assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
        } finally {
            process.destroyForcibly();
        }
        env.put("VELLUM_SQLITE_PATH", dir.resolve("served.db").toString());
        assertThat(vellum("count", "slow").out().trim()).isEqualTo("40");
    }

    /** n NDJSON records, trickled out over about two seconds. */
    private static java.io.InputStream slowNdjson(int upload, int n) {
        byte[] body = java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> "{\"id\":\"u" + upload + "-" + i + "\",\"fields\":{}}\n")
                .collect(java.util.stream.Collectors.joining())
                .getBytes(StandardCharsets.UTF_8);
        return new java.io.InputStream() {
            private int position;

            @Override
            public int read() {
                return position < body.length ? body[position++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= body.length) {
                    return -1;
                }
                try {
                    Thread.sleep(2000L * 16 / body.length);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                int count = Math.min(Math.min(len, 16), body.length - position);
                System.arraycopy(body, position, b, off, count);
                position += count;
                return count;
            }
        };
    }

    /**
     * {@code vellum copy} killed with SIGKILL at several points, then run again with {@code --resume}: the copy
     * finishes with every record exactly once; a further run copies nothing.
     */
    @Test
    void copyKilledMidWayResumes(PostgresTarget pg) throws Exception {
        Path source = dir.resolve("source.db");
        env.put("VELLUM_SQLITE_PATH", source.toString());
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            lines.append("{\"id\":\"r")
                    .append(String.format("%06d", i))
                    .append("\",\"fields\":{\"i\":")
                    .append(i)
                    .append(",\"s\":\"")
                    .append("x".repeat(i % 50))
                    .append("\"}}\n");
        }
        assertThat(vellumWithInput(lines.toString(), "put", "copied").exit()).isZero();
        String target = pg.toUrlWithCredentials();
        java.util.List<Long> leftAfterKills = new java.util.ArrayList<>();
        try (java.sql.Connection watch = java.sql.DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            for (long threshold : new long[] {10_000, 40_000, 70_000}) {
                Process copy = childVellum("copy", "--to", target, "--batch-size", "2000", "--resume");
                while (copy.isAlive()) {
                    if (copiedSoFar(watch) >= threshold) {
                        copy.destroyForcibly(); // SIGKILL, half-way through
                        copy.waitFor();
                        leftAfterKills.add(copiedSoFar(watch));
                        break;
                    }
                    Thread.sleep(10);
                }
            }
        }
        assertThat(leftAfterKills)
                .as("copies killed half-way")
                .hasSizeGreaterThanOrEqualTo(2)
                .allMatch(n -> n > 0 && n < 100_000);
        Outcome finish = vellum("copy", "--to", target, "--resume");
        assertThat(finish.exit()).as(finish.err()).isZero();
        assertThat(finish.out()).contains("100000 | 100000 | ok");
        Outcome again = vellum("copy", "--to", target, "--resume");
        assertThat(again.out()).contains("copied     | 0      | 0       | 100000 | 100000 | ok");
        assertThat(vellum("--url", target, "count", "copied").out().trim()).isEqualTo("100000");
    }

    private static long copiedSoFar(java.sql.Connection c) throws java.sql.SQLException {
        try (java.sql.Statement s = c.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery("SELECT to_regclass('vc_copied') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM vc_copied")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Process childVellum(String... args) throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                VellumCli.class.getName()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.environment().put("VELLUM_ENV_FILE", envFile.toString());
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    @Test
    void statsAndMaintainOnBothBackends(PostgresTarget pg) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            lines.append("{\"id\":\"r")
                    .append(i)
                    .append("\",\"fields\":{\"text\":\"")
                    .append("y".repeat(200))
                    .append("\"}}\n");
        }
        for (String url : new String[] {"sqlite:" + dir.resolve("ops.db"), pg.toUrlWithCredentials()}) {
            assertThat(vellumWithInput(lines.toString(), "--url", url, "put", "ops")
                            .exit())
                    .isZero();
            assertThat(vellum("--url", url, "sql", "DELETE FROM vc_ops WHERE id > 'r1'")
                            .exit())
                    .isZero();
            Outcome stats = vellum("--url", url, "stats", "--json");
            assertThat(stats.exit()).as(stats.err()).isZero();
            com.fasterxml.jackson.databind.JsonNode json = VellumJson.parse(stats.out());
            assertThat(json.at("/collections/ops/records").asLong()).isEqualTo(2); // r0 and r1
            assertThat(json.at("/collections/ops/tableBytes").asLong()).isPositive();
            assertThat(json.at("/pool/max").asInt()).isPositive();
            Outcome text = vellum("--url", url, "stats");
            assertThat(text.out()).contains("ops", "records", "pool");
            Outcome maintain = vellum("--url", url, "maintain", "--vacuum");
            assertThat(maintain.exit()).as(maintain.err()).isZero();
            if (url.startsWith("sqlite")) {
                assertThat(json.at("/server/pageSize").asLong()).isPositive();
                assertThat(maintain.out()).contains("PRAGMA optimize", "WAL checkpoint", "VACUUM in");
                long after = VellumJson.parse(
                                vellum("--url", url, "stats", "--json").out())
                        .at("/server/fileBytes")
                        .asLong();
                assertThat(after).isLessThan(json.at("/server/fileBytes").asLong());
            } else {
                assertThat(json.at("/server/databaseBytes").asLong()).isPositive();
                assertThat(json.at("/server/connectionsByState").isObject()).isTrue();
                assertThat(maintain.out()).startsWith("VACUUM (ANALYZE) in ");
            }
        }
    }
}
