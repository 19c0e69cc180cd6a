package dev.vellum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vellum.testkit.TlsPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command in its own JVM, as a user runs it, against a PostgreSQL server with TLS: a misconfigured
 * connection prints exactly one line on the terminal (no driver log records, no stack trace, no password), and a
 * verified one says so in {@code vellum health}.
 */
@Tag("slow")
class TlsCliTest {
    private static final String PASSWORD = "cli-tls-secret";
    private static TlsPostgres server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = TlsPostgres.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    record Run(int exit, String out, String err) {}

    private Run health(String url) throws Exception {
        Path env = Files.writeString(dir.resolve("empty.env"), "");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                VellumCli.class.getName(),
                "health");
        builder.environment().put("VELLUM_DB_BACKEND", "postgres");
        builder.environment().put("VELLUM_POSTGRES_URL", url);
        builder.environment().put("VELLUM_CONNECT_TIMEOUT", "5s");
        builder.environment().put("VELLUM_ENV_FILE", env.toString());
        builder.redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(
                process.exitValue(),
                Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void eachMisconfigurationIsOneLineOnTheTerminal() throws Exception {
        for (String parameters : List.of(
                "sslmode=verify-full&sslrootcert=" + server.caFile(), // certificate for localhost, not 127.0.0.1
                "sslmode=verify-full&sslrootcert=" + server.otherCaFile(), // unknown CA
                "sslmode=verify-full&sslrootcert=" + server.missingFile())) { // no such file
            Run run = health(server.url("127.0.0.1", PASSWORD, parameters));
            assertThat(run.exit()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().lines()).as(run.err()).hasSize(1);
            assertThat(run.err())
                    .startsWith("vellum: Cannot connect to PostgreSQL at 127.0.0.1:")
                    .endsWith("Check VELLUM_POSTGRES_URL.\n")
                    .doesNotContain(PASSWORD)
                    .doesNotContain("Exception")
                    .doesNotContain("org.postgresql");
        }
    }

    @Test
    void healthShowsAVerifiedConnection() throws Exception {
        Run run = health(server.url("localhost", PASSWORD, "sslmode=verify-full&sslrootcert=" + server.caFile()));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out())
                .containsPattern(
                        "encryption +TLSv1\\.[23] \\S+, sslmode=verify-full: certificate and " + "host verified");
    }
}
