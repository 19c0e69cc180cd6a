package dev.vellum.testkit;

import dev.vellum.postgres.PostgresReplication;
import dev.vellum.postgres.PostgresTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A PostgreSQL primary with streaming replicas: real servers, from the binaries Maven brings. A replica starts from
 * a low-level base backup ({@code pg_backup_start}, a copy of the data directory, {@code pg_backup_stop}: the
 * embedded binaries have no {@code pg_basebackup}) and streams through a physical replication slot, so the primary
 * keeps whatever WAL the replica has not received yet, however long it is stopped. Lag is real: {@link
 * Replica#pauseReplay()} stops replay on the replica while the primary goes on.
 */
public final class PostgresCluster implements AutoCloseable {
    /** Files a base backup leaves out: the running server's own, and what it rebuilds at start. */
    private static final Set<String> NOT_COPIED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    private static final Set<String> EMPTIED = Set.of(
            "pg_wal",
            "pg_replslot",
            "pg_stat_tmp",
            "pg_dynshmem",
            "pg_notify",
            "pg_serial",
            "pg_snapshots",
            "pg_subtrans");

    private final Path dir;
    private final EmbeddedPostgres primary;
    private final PostgresTarget admin;
    private final List<Replica> replicas = new ArrayList<>();

    private PostgresCluster(Path dir, EmbeddedPostgres primary) {
        this.dir = dir;
        this.primary = primary;
        this.admin =
                PostgresTarget.parse("postgres://postgres@127.0.0.1:" + primary.getPort() + "/postgres", "primary");
    }

    /** A primary ready to stream to replicas. */
    public static PostgresCluster start() {
        try {
            Path dir = Files.createTempDirectory("vellum-cluster");
            EmbeddedPostgres primary = EmbeddedPostgres.builder()
                    .setPort(LocalPorts.free())
                    .setDataDirectory(dir.resolve("primary"))
                    .setCleanDataDirectory(true)
                    .setServerConfig("wal_level", "replica")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("fsync", "off")
                    // the embedded default is off; replication tests need commits as a production server makes them
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "200")
                    .start();
            return new PostgresCluster(dir, primary);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the primary", e);
        }
    }

    /** The primary's maintenance database, as the superuser. */
    public PostgresTarget primary() {
        return admin;
    }

    /** An empty database on the primary; replicas receive it with the WAL. */
    public PostgresTarget createDatabase(String name) {
        AdminSql.execute(admin, "CREATE DATABASE " + name);
        return admin.withDatabase(name);
    }

    /** A new replica, streaming from the primary and caught up with it. */
    public Replica addReplica() {
        String name = "replica" + (replicas.size() + 1);
        Path data = dir.resolve(name);
        try (Connection c = AdminSql.connect(admin);
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_physical_replication_slot('" + name + "', true)");
            boolean modern = serverVersion(s) >= 150000;
            s.execute(
                    modern
                            ? "SELECT pg_backup_start('" + name + "', true)"
                            : "SELECT pg_start_backup('" + name + "', true, false)");
            copyDataDirectory(dir.resolve("primary"), data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            String label;
            try (ResultSet r = s.executeQuery(
                    modern
                            ? "SELECT labelfile FROM pg_backup_stop(false)"
                            : "SELECT labelfile FROM pg_stop_backup(false, false)")) {
                r.next();
                label = r.getString(1);
            }
            Files.writeString(data.resolve("backup_label"), label);
            Files.writeString(data.resolve("standby.signal"), "");
            Files.writeString(
                    data.resolve("postgresql.auto.conf"),
                    String.join(
                            "\n",
                            "primary_conninfo = 'host=127.0.0.1 port=" + primary.getPort() + " user=postgres "
                                    + "application_name=" + name + "'",
                            "primary_slot_name = '" + name + "'",
                            "hot_standby = on",
                            ""));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Cannot make " + name + " from a base backup: " + e.getMessage(), e);
        }
        Replica replica = new Replica(name, data, LocalPorts.free());
        replica.start();
        replicas.add(replica);
        replica.awaitCaughtUp(Duration.ofSeconds(30));
        return replica;
    }

    /** The primary's port on 127.0.0.1. */
    public int primaryPort() {
        return primary.getPort();
    }

    /**
     * Makes {@code replica} a synchronous standby: from now on the primary acknowledges a commit only once the
     * replica has it, so a failover to it loses no acknowledged write.
     */
    public void makeSynchronous(Replica replica) {
        AdminSql.execute(admin, "ALTER SYSTEM SET synchronous_standby_names = '" + replica.name() + "'");
        AdminSql.query(admin, "SELECT pg_reload_conf()::text");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String syncState = "SELECT COALESCE(max(sync_state), '') FROM pg_stat_replication WHERE application_name = '"
                + replica.name() + "'";
        while (!"sync".equals(AdminSql.query(admin, syncState))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(replica.name() + " did not become a synchronous standby");
            }
            pause(20);
        }
    }

    /** Stops the primary for good (its data is discarded), as a crashed or retired primary would be. */
    public void stopPrimary() {
        try {
            primary.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop the primary", e);
        }
    }

    /** Where the primary's next WAL record goes (past every commit so far), as a number of bytes. */
    public long currentLsn() {
        return PostgresReplication.lsn(AdminSql.query(admin, "SELECT pg_current_wal_insert_lsn()::text"));
    }

    /** A replica: start and stop it, pause its replay, read how far it has replayed. */
    public final class Replica {
        private final String name;
        private final Path data;
        private final int port;
        private EmbeddedPostgres server;

        private Replica(String name, Path data, int port) {
            this.name = name;
            this.data = data;
            this.port = port;
        }

        /** The same database as on the primary, on this replica. */
        public PostgresTarget target(PostgresTarget database) {
            return PostgresTarget.parse(
                    "postgres://" + database.user() + "@127.0.0.1:" + port + "/" + database.database(), name);
        }

        public String name() {
            return name;
        }

        /** Starts (again) from its data directory, on the same port. */
        public void start() {
            try {
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(data)
                        .setCleanDataDirectory(false)
                        .setPort(port)
                        .setServerConfig("fsync", "off")
                        .setServerConfig("max_connections", "200")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + name, e);
            }
        }

        /** Stops the server (fast shutdown); its data stays for {@link #start()}. */
        public void stop() {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot stop " + name, e);
            } finally {
                server = null;
            }
        }

        public boolean running() {
            return server != null;
        }

        /** Its port on 127.0.0.1. */
        public int port() {
            return port;
        }

        /** Ends recovery: the replica becomes a primary that accepts writes ({@code pg_promote}, waiting for it). */
        public void promote() {
            String done = AdminSql.query(admin(), "SELECT pg_promote(true, 60)::text");
            if (!"true".equals(done)) {
                throw new IllegalStateException(name + " was not promoted within 60 s");
            }
        }

        /**
         * Stops the replica's processes where they are ({@code SIGSTOP}): it accepts connections (the kernel does)
         * but answers nothing, like a hung or cut-off server. {@link #thaw()} resumes them.
         */
        public void freeze() {
            signal("-STOP");
        }

        public void thaw() {
            signal("-CONT");
        }

        private void signal(String signal) {
            try {
                long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"))
                        .get(0)
                        .trim());
                // the postmaster first: stopped, it forks no backend after its children are listed (one forked in
                // between went on serving, and the replica never looked hung)
                kill(signal, List.of(postmaster), false);
                List<Long> children = new ArrayList<>();
                ProcessHandle.of(postmaster)
                        .ifPresent(p -> p.descendants().forEach(child -> children.add(child.pid())));
                if (!children.isEmpty()) {
                    kill(signal, children, true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot signal " + name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Signals the processes; with {@code mayBeGone}, one that exited meanwhile (a backend whose client left) is fine. */
        private static void kill(String signal, List<Long> pids, boolean mayBeGone)
                throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("kill", signal));
            pids.forEach(pid -> command.add(Long.toString(pid)));
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            boolean onlyGone = said.lines().allMatch(line -> line.isBlank() || line.contains("No such process"));
            if (kill.waitFor() != 0 && !(mayBeGone && onlyGone)) {
                throw new IllegalStateException("kill " + signal + " failed: " + said);
            }
        }

        /** Replay stops here; the replica goes on receiving WAL, so it falls behind by what the primary writes. */
        public void pauseReplay() {
            AdminSql.query(admin(), "SELECT pg_wal_replay_pause()::text");
        }

        public void resumeReplay() {
            AdminSql.query(admin(), "SELECT pg_wal_replay_resume()::text");
        }

        /** How far this replica has replayed, as a number of bytes. */
        public long replayLsn() {
            return PostgresReplication.lsn(AdminSql.query(admin(), "SELECT pg_last_wal_replay_lsn()::text"));
        }

        /** Waits until it has replayed everything the primary had written when called. */
        public void awaitCaughtUp(Duration timeout) {
            long target = currentLsn();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (replayLsn() < target) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not catch up within " + timeout);
                }
                pause(10);
            }
        }

        private PostgresTarget admin() {
            return target(admin);
        }
    }

    private static void copyDataDirectory(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return EMPTIED.contains(d.getFileName().toString()) && !d.equals(from)
                        ? emptied(d)
                        : FileVisitResult.CONTINUE;
            }

            private FileVisitResult emptied(Path d) throws IOException {
                if (d.getFileName().toString().equals("pg_wal")) {
                    Files.createDirectories(
                            to.resolve(from.relativize(d).toString()).resolve("archive_status"));
                }
                return FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (!NOT_COPIED.contains(f.getFileName().toString())) {
                    try {
                        Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    } catch (NoSuchFileException removedMeanwhile) {
                        // a temporary file the server deleted while we copied: the WAL replays its effect
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static int serverVersion(Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("SHOW server_version_num")) {
            r.next();
            return Integer.parseInt(r.getString(1));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        for (Replica r : replicas) {
            r.stop();
        }
        primary.close(); // a second close (after stopPrimary) does nothing
        TestFiles.deleteTree(dir);
    }
}
