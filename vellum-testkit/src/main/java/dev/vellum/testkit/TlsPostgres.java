package dev.vellum.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server with {@code ssl=on} and a certificate for {@code localhost} signed by a throwaway CA, made
 * with the machine's {@code openssl} (where it is missing, {@link #start} aborts the test: reported as skipped, with
 * the install command). A second, unrelated CA stands for "a certificate authority the server does not use".
 */
public final class TlsPostgres implements AutoCloseable {
    /** How to get the program; part of the skip message. */
    public static final String INSTALL = "apt-get install -y openssl";

    private static final Path OPENSSL = Path.of("/usr/bin/openssl");

    private final Path dir;
    private final EmbeddedPostgres server;

    private TlsPostgres(Path dir, EmbeddedPostgres server) {
        this.dir = dir;
        this.server = server;
    }

    /** Makes the CAs and the server certificate, then starts the server. */
    public static TlsPostgres start() {
        Assumptions.assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed; install it with: " + INSTALL);
        try {
            Path dir = Files.createTempDirectory("vellum-tls");
            openssl(
                    dir,
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=Vellum test CA",
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem");
            openssl(
                    dir,
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=Unknown CA",
                    "-keyout",
                    "other.key",
                    "-out",
                    "other-ca.pem");
            openssl(
                    dir,
                    "req",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-subj",
                    "/CN=localhost",
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr");
            Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
            openssl(
                    dir,
                    "x509",
                    "-req",
                    "-in",
                    "server.csr",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-extfile",
                    "san.ext",
                    "-out",
                    "server.crt");
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setPort(LocalPorts.free())
                    .setServerConfig("ssl", "on")
                    .setServerConfig("ssl_cert_file", dir.resolve("server.crt").toString())
                    .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
                    .setServerConfig("fsync", "off")
                    .start();
            return new TlsPostgres(dir, server);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the TLS test server", e);
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** {@code postgres://postgres:<password>@<host>:<port>/postgres?<parameters>}. */
    public String url(String host, String password, String parameters) {
        return "postgres://postgres:" + password + "@" + host + ":" + server.getPort() + "/postgres?" + parameters;
    }

    /** The CA that signed the server's certificate (for {@code sslrootcert}). */
    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** The server's certificate (for {@code localhost}, signed by {@link #caFile()}) and its key: to serve TLS elsewhere. */
    public Path certificateFile() {
        return dir.resolve("server.crt");
    }

    public Path keyFile() {
        return dir.resolve("server.key");
    }

    /** A CA that signed nothing the server uses. */
    public Path otherCaFile() {
        return dir.resolve("other-ca.pem");
    }

    /** A file in the certificates' directory that does not exist. */
    public Path missingFile() {
        return dir.resolve("no-such-ca.pem");
    }

    @Override
    public void close() throws IOException {
        server.close();
        TestFiles.deleteTree(dir);
    }
}
