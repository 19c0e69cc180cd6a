package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's curl walk-through, exactly as written but for the port, against a real server on a fresh SQLite
 * file. Every curl fails on an HTTP error status, so an example that stops working fails this test.
 */
class ReadmeCurlTest {
    private static final String BASE = "http://127.0.0.1:8080";
    private static final Path HTTP_DOC = Path.of("..", "docs", "http.md");

    @TempDir
    Path dir;

    @Test
    void httpWalkThroughRunsAsWritten() throws Exception {
        assumeTrue(curlAtLeast782(), "curl 7.82+ is not installed here");
        String doc = Files.readString(HTTP_DOC);
        String section = doc.substring(doc.indexOf("# The HTTP API"), doc.indexOf("## The change feed over HTTP"));
        int start = section.indexOf("```sh\n") + "```sh\n".length();
        String script = section.substring(start, section.indexOf("```", start));
        assertThat(script).contains("records:batch", "/export", "/indexes", "If-Match");
        int errors = section.indexOf("```sh\n", section.indexOf("## Errors")) + "```sh\n".length();
        String errorExample = section.substring(errors, section.indexOf("```", errors));

        try (RecordStore store = Vellum.open("sqlite:" + dir.resolve("readme.db"));
                Http http = Http.start(store)) {
            String prelude = "set -e\ncurl() { command curl -sS --fail-with-body \"$@\"; }\n";
            Process bash = new ProcessBuilder("bash", "-c", prelude + script.replace(BASE, http.base.toString()))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(bash.exitValue()).as(output).isZero();
            assertThat(output)
                    .contains(
                            "HTTP/1.1 201",
                            "HTTP/1.1 304",
                            "\"count\":2",
                            "\"version\":3",
                            "\"name\":\"by_city\"",
                            "HTTP/1.1 204",
                            "\"status\":\"ready\"",
                            "\"openapi\"");
            assertThat(Files.readAllLines(dir.resolve("people.ndjson"))).hasSize(4);
            // the tour keeps its people: "Move your data" copies them
            assertThat(store.collections()).containsExactly("people");
            String errorOutput = bash("curl() { command curl -sS \"$@\"; }\n", errorExample, http);
            assertAnswers(script, output);
            assertAnswers(errorExample, errorOutput);
        }
    }

    /** The README's short HTTP tour, which a newcomer runs first: its answers as written, its error included. */
    @Test
    void readmeTourRunsAsWritten() throws Exception {
        assumeTrue(curlAtLeast782(), "curl 7.82+ is not installed here");
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## The HTTP API"), readme.indexOf("## The change feed"));
        int start = section.indexOf("```sh\n") + "```sh\n".length();
        String script = section.substring(start, section.indexOf("```", start));
        try (RecordStore store = Vellum.open("sqlite:" + dir.resolve("tour.db"));
                Http http = Http.start(store)) {
            assertAnswers(script, bash("curl() { command curl -sS \"$@\"; echo; }\n", script, http));
        }
    }

    /** The change-feed section: its requests as written, then its event streams, each cut off after two seconds. */
    @Test
    void changeFeedWalkThroughRunsAsWritten() throws Exception {
        assumeTrue(curlAtLeast782(), "curl 7.82+ is not installed here");
        String doc = Files.readString(HTTP_DOC);
        String section = doc.substring(doc.indexOf("## The change feed over HTTP"));
        int first = section.indexOf("```sh\n") + "```sh\n".length();
        String requests = section.substring(first, section.indexOf("```", first));
        int second = section.indexOf("```sh\n", first) + "```sh\n".length();
        String streams = section.substring(second, section.indexOf("```", second));
        assertThat(requests).contains("-X PUT", "after=0", "wait=10s", "filter=", "/v1/changes");
        assertThat(streams).contains("text/event-stream", "Last-Event-ID");

        try (RecordStore store = Vellum.open("sqlite:" + dir.resolve("feed.db"));
                Http http = Http.start(store)) {
            String output = bash("set -e\ncurl() { command curl --fail-with-body \"$@\"; echo; }\n", requests, http);
            assertThat(output)
                    .contains(
                            "\"enabled\":true", "\"op\":\"insert\"", "\"op\":\"update\"", "\"collection\":\"orders\"");
            // an event stream runs until stopped: the test stops each after two seconds (curl's exit code 28)
            String events = bash(
                    "set -e\ncurl() { command curl --fail-with-body --max-time 2 \"$@\" "
                            + "|| [ $? -eq 28 ]; echo '--- stream ended'; }\n",
                    streams,
                    http);
            String[] parts = events.split("--- stream ended");
            assertThat(parts[0]).contains("id: 1\nevent: insert\ndata: {", "id: 2\nevent: update");
            assertThat(parts[1]).contains("id: 2\nevent: update").doesNotContain("id: 1\n");
        }
    }

    /**
     * The README's {@code # => } lines are what the commands above them answer: each must be in the output, in order,
     * with {@code …} standing for whatever varies (ids, times, the rest of a list).
     */
    private static void assertAnswers(String script, String output) {
        int from = 0;
        for (String line : script.lines().filter(l -> l.startsWith("# => ")).toList()) {
            for (String fragment : line.substring("# => ".length()).split("…")) {
                int at = output.indexOf(fragment, from);
                assertThat(at)
                        .as("the README's answer \"" + line + "\" (its part \"" + fragment + "\") in:\n" + output)
                        .isNotNegative();
                from = at + fragment.length();
            }
        }
    }

    private String bash(String prelude, String script, Http http) throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", prelude + script.replace(BASE, http.base.toString()))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output;
    }

    private static boolean curlAtLeast782() {
        try {
            Process p = new ProcessBuilder("curl", "--version")
                    .redirectErrorStream(true)
                    .start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElse("");
            p.waitFor();
            String[] version = first.split(" ")[1].split("\\.");
            int major = Integer.parseInt(version[0]);
            int minor = Integer.parseInt(version[1]);
            return major > 7 || major == 7 && minor >= 82;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
