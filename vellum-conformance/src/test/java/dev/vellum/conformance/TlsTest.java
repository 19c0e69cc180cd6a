package dev.vellum.conformance;

import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.VellumConfig;
import dev.vellum.testkit.PostgresServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real PostgreSQL server with TLS and a certificate from a throwaway CA the test makes (with the machine's
 * {@code openssl}; skipped, saying how to install it, where it is missing). Each misconfiguration fails with one
 * line that names the problem and the setting to fix, and never the password.
 */
class TlsTest {
    private static final String PASSWORD = "tls-secret-password";
    @TempDir
    static Path dir;
    private static EmbeddedPostgres server;

    @BeforeAll
    static void startServerWithCertificate() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")),
                "openssl is not installed; install it with: apt-get install -y openssl");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Vellum test CA",
                "-keyout", "ca.key", "-out", "ca.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Unknown CA",
                "-keyout", "other.key", "-out", "other-ca.pem");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                "-out", "server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
        server = EmbeddedPostgres.builder()
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", dir.resolve("server.crt").toString())
                .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
                .setServerConfig("fsync", "off")
                .start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("openssl " + args[0] + ": " + output)
                .isTrue();
    }

    private static String url(String host, String parameters) {
        return "postgres://postgres:" + PASSWORD + "@" + host + ":" + server.getPort() + "/postgres?" + parameters;
    }

    private static Database open(String url) {
        return Database.open(VellumConfig.builder().isolated().url(url).build());
    }

    private static void refused(String url, String... expected) {
        assertThatThrownBy(() -> open(url).close())
                .isInstanceOf(ConnectionException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("\n")
                        .doesNotContain("Exception").contains("VELLUM_POSTGRES_URL").contains(expected));
    }

    @Test
    void verifyFullWithTheRootCertificateConnectsAndSaysSo() {
        try (Database db = open(url("localhost", "sslmode=verify-full&sslrootcert=" + dir.resolve("ca.pem")))) {
            assertThat(db.fetchOne("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").orElseThrow()
                    .getBoolean("ssl")).isTrue();
            assertThat(db.health().encryption()).startsWith("TLSv1.3").contains("verify-full");
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() {
        refused(url("127.0.0.1", "sslmode=verify-full&sslrootcert=" + dir.resolve("ca.pem")),
                "certificate is not issued for the host", "127.0.0.1");
    }

    @Test
    void anUnknownCertificateAuthorityIsRefused() {
        refused(url("localhost", "sslmode=verify-full&sslrootcert=" + dir.resolve("other-ca.pem")),
                "not signed by a certificate authority in sslrootcert", "other-ca.pem");
    }

    @Test
    void aMissingRootFileIsNamed() {
        Path missing = dir.resolve("no-such-ca.pem");
        refused(url("localhost", "sslmode=verify-full&sslrootcert=" + missing), missing.toString());
    }

    @Test
    void requireAgainstAServerWithoutTlsIsRefused() {
        String plain = PostgresServer.shared().admin().withDatabase("postgres").toUrlWithCredentials();
        refused(plain + "?sslmode=require", "does not support SSL");
    }
}
