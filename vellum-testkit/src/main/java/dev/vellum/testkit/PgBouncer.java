package dev.vellum.testkit;

import dev.vellum.postgres.PostgresTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (the machine's {@code pgbouncer}, e.g. Debian's package) in front of the test server, started
 * once per pool mode and JVM. Where the program is missing, {@link #shared} aborts the test (JUnit reports it as
 * skipped, with the command that installs it): never a silent pass.
 */
public final class PgBouncer implements AutoCloseable {
    /** How to get the program; part of every skip message. */
    public static final String INSTALL = "apt-get install -y pgbouncer";
    /** Server connections per database and user: small, so many clients share few sessions. */
    public static final int POOL_SIZE = 5;

    private static final Map<String, PgBouncer> SHARED = new HashMap<>();

    private final Process process;
    private final Path dir;
    private final int port;

    private PgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The program, if this machine has it ({@code VELLUM_TEST_PGBOUNCER} names another). */
    public static Optional<Path> binary() {
        String named = System.getenv("VELLUM_TEST_PGBOUNCER");
        List<String> candidates = named != null && !named.isBlank()
                ? List.of(named)
                : List.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer");
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** A PgBouncer in {@code transaction} or {@code session} mode in front of the test server. */
    public static PgBouncer shared(String poolMode) {
        Path program = binary().orElse(null);
        Assumptions.assumeTrue(program != null, "pgbouncer is not installed; install it with: " + INSTALL);
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(poolMode, mode -> {
                PgBouncer started = start(program, PostgresServer.shared().admin(), mode);
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "vellum-test-pgbouncer-stop"));
                return started;
            });
        }
    }

    /**
     * A transaction-mode PgBouncer of its own in front of the test server that clients must reach over TLS, with this
     * certificate and key (copied beside its configuration, readable by the user it runs as). Close it when done.
     */
    public static PgBouncer startWithClientTls(Path certificate, Path key) {
        Path program = binary().orElse(null);
        Assumptions.assumeTrue(program != null, "pgbouncer is not installed; install it with: " + INSTALL);
        return start(program, PostgresServer.shared().admin(), "transaction", certificate, key);
    }

    private static PgBouncer start(Path program, PostgresTarget server, String poolMode) {
        return start(program, server, poolMode, null, null);
    }

    private static PgBouncer start(Path program, PostgresTarget server, String poolMode, Path certificate, Path key) {
        try {
            Path dir = Files.createTempDirectory("vellum-pgbouncer");
            // the program refuses to run as root: it then switches to an unprivileged user, who reads and logs here
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            String tls = "";
            if (certificate != null) {
                Files.copy(certificate, dir.resolve("server.crt"));
                Files.copy(key, dir.resolve("server.key"));
                Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-r--r--"));
                tls = String.join(
                        "\n",
                        "client_tls_sslmode = require",
                        "client_tls_cert_file = " + dir.resolve("server.crt"),
                        "client_tls_key_file = " + dir.resolve("server.key"),
                        "");
            }
            int port = LocalPorts.free();
            Files.writeString(dir.resolve("users.txt"), "\"" + server.user() + "\" \"\"\n");
            Files.writeString(
                    dir.resolve("pgbouncer.ini"),
                    String.join(
                            "\n",
                            "[databases]",
                            "* = host=" + server.hosts().replace(":", " port="),
                            "[pgbouncer]",
                            "listen_addr = 127.0.0.1",
                            "listen_port = " + port,
                            "unix_socket_dir =",
                            "auth_type = trust",
                            "auth_file = " + dir.resolve("users.txt"),
                            "pool_mode = " + poolMode,
                            "default_pool_size = " + POOL_SIZE,
                            "max_client_conn = 1000",
                            // pgjdbc sends it at startup; PgBouncer refuses parameters it does not know unless told
                            "ignore_startup_parameters = extra_float_digits",
                            "server_check_delay = 0",
                            "logfile = " + dir.resolve("pgbouncer.log"),
                            tls));
            Optional<String> user = ServerUser.whenRoot();
            ProcessBuilder builder = user.isPresent()
                    ? new ProcessBuilder(
                            program.toString(),
                            "-u",
                            user.get(),
                            dir.resolve("pgbouncer.ini").toString())
                    : new ProcessBuilder(
                            program.toString(), dir.resolve("pgbouncer.ini").toString());
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .start();
            PgBouncer bouncer = new PgBouncer(process, dir, port);
            bouncer.awaitListening();
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start pgbouncer", e);
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "pgbouncer exited at start: " + Files.readString(dir.resolve("stdout.txt")) + readLog());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        throw new IOException("pgbouncer did not listen on port " + port + " within 15 s: " + readLog());
    }

    private String readLog() throws IOException {
        Path log = dir.resolve("pgbouncer.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The same database and user, reached through this PgBouncer. */
    public PostgresTarget through(PostgresTarget database) {
        return through(database, "127.0.0.1", "");
    }

    /** The same database and user, reached through this PgBouncer by this host name, with URL parameters. */
    public PostgresTarget through(PostgresTarget database, String host, String parameters) {
        return PostgresTarget.parse(
                "postgres://" + database.user() + "@" + host + ":" + port + "/" + database.database()
                        + (parameters.isEmpty() ? "" : "?" + parameters),
                "pgbouncer");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
