package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PgBouncer;
import dev.vellum.testkit.PostgresServer;
import dev.vellum.testkit.TlsPostgres;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real PostgreSQL server with TLS and a certificate from a throwaway CA the test makes (with the machine's
 * {@code openssl}; skipped, saying how to install it, where it is missing). Each misconfiguration fails with one
 * line that names the problem and the setting to fix, and never the password.
 */
class TlsTest {
    private static final String PASSWORD = "tls-secret-password";
    private static TlsPostgres server;

    @BeforeAll
    static void startServerWithCertificate() {
        server = TlsPostgres.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String host, String parameters) {
        return server.url(host, PASSWORD, parameters);
    }

    private static Database open(String url) {
        return Database.open(VellumConfig.builder().isolated().url(url).build());
    }

    private static void refused(String url, String... expected) {
        assertThatThrownBy(() -> open(url).close())
                .isInstanceOf(ConnectionException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain(PASSWORD)
                        .doesNotContain("\n")
                        .doesNotContain("Exception")
                        .contains("VELLUM_POSTGRES_URL")
                        .contains(expected));
    }

    @Test
    void verifyFullWithTheRootCertificateConnectsAndSaysSo() {
        try (Database db = open(url("localhost", "sslmode=verify-full&sslrootcert=" + server.caFile()))) {
            assertThat(db.fetchOne("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                            .orElseThrow()
                            .getBoolean("ssl"))
                    .isTrue();
            assertThat(db.health().encryption()).startsWith("TLSv1.3").contains("verify-full");
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() {
        refused(
                url("127.0.0.1", "sslmode=verify-full&sslrootcert=" + server.caFile()),
                "certificate is not issued for the host",
                "127.0.0.1");
    }

    @Test
    void anUnknownCertificateAuthorityIsRefused() {
        refused(
                url("localhost", "sslmode=verify-full&sslrootcert=" + server.otherCaFile()),
                "not signed by a certificate authority in sslrootcert",
                "other-ca.pem");
    }

    @Test
    void aMissingRootFileIsNamed() {
        Path missing = server.missingFile();
        refused(url("localhost", "sslmode=verify-full&sslrootcert=" + missing), missing.toString());
    }

    @Test
    void requireAgainstAServerWithoutTlsIsRefused() {
        String plain = PostgresServer.shared().admin().withDatabase("postgres").toUrlWithCredentials();
        refused(plain + "?sslmode=require", "does not support SSL");
    }

    /**
     * Through a PgBouncer that requires TLS from its clients: verify-full to the pooler connects, and health tells the
     * two hops apart (verified TLS to the pooler; the pooler's own session with the server is plain here).
     */
    @Test
    void throughAPoolerThatRequiresTlsHealthNamesBothHops() throws Exception {
        try (PgBouncer bouncer = PgBouncer.startWithClientTls(server.certificateFile(), server.keyFile())) {
            PostgresTarget database = PostgresServer.shared().createDatabase();
            String direct = database.toUrlWithCredentials();
            String pooled = bouncer.through(database, "localhost", "sslmode=verify-full&sslrootcert=" + server.caFile())
                    .toUrlWithCredentials();
            try (Database db = Database.open(VellumConfig.builder()
                    .isolated()
                    .url(pooled)
                    .pgbouncer(true)
                    .set(PostgresSettings.MIGRATION_URL.key(), direct)
                    .build())) {
                assertThat(db.health().encryption())
                        .isEqualTo("to the pooler: encrypted, sslmode=verify-full: "
                                + "certificate and host verified; pooler to server: not encrypted");
                assertThat(db.fetchOne("SELECT 1 AS one").orElseThrow().getLong("one"))
                        .isEqualTo(1);
            }
            String plain =
                    bouncer.through(database, "localhost", "sslmode=disable").toUrlWithCredentials();
            assertThatThrownBy(() -> Database.open(VellumConfig.builder()
                                    .isolated()
                                    .url(plain)
                                    .pgbouncer(true)
                                    .set(PostgresSettings.MIGRATION_URL.key(), direct)
                                    .build())
                            .close())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("Check VELLUM_POSTGRES_URL");
        }
    }
}
