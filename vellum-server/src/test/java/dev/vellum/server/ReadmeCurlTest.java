package dev.vellum.server;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the README's curl walk-through, exactly as written but for the port, against a real server on a fresh SQLite
 * file. Every curl fails on an HTTP error status, so an example that stops working fails this test.
 */
class ReadmeCurlTest {
    private static final String BASE = "http://127.0.0.1:8080";

    @TempDir
    Path dir;

    @Test
    void httpWalkThroughRunsAsWritten() throws Exception {
        assumeTrue(curlAtLeast782(), "curl 7.82+ is not installed here");
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## The HTTP API"));
        int start = section.indexOf("```sh\n") + "```sh\n".length();
        String script = section.substring(start, section.indexOf("```", start));
        assertThat(script).contains("records:batch", "/export", "/indexes", "If-Match");

        try (RecordStore store = Vellum.open("sqlite:" + dir.resolve("readme.db")); Http http = Http.start(store)) {
            String prelude = "set -e\ncurl() { command curl -sS --fail-with-body \"$@\"; }\n";
            Process bash = new ProcessBuilder("bash", "-c", prelude + script.replace(BASE, http.base.toString()))
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(bash.exitValue()).as(output).isZero();
            assertThat(output).contains("HTTP/1.1 201", "HTTP/1.1 304", "\"count\":2", "\"version\":3",
                    "\"name\":\"by_city\"", "HTTP/1.1 204", "\"status\":\"ready\"", "\"openapi\"");
            assertThat(Files.readAllLines(dir.resolve("people.ndjson"))).hasSize(4);
            assertThat(store.collections()).isEmpty();
        }
    }

    private static boolean curlAtLeast782() {
        try {
            Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
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
