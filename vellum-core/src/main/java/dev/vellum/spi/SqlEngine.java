package dev.vellum.spi;

import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.VellumConfig;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The JDBC engine a SQL backend opens its database with: connections, statements, transactions, the writer lock,
 * migrations (Vellum's for the dialect and the application's), read replicas, and, through {@link
 * BackendProvider#recordDialect}, the record store on top. Core provides it ({@code
 * META-INF/services/dev.vellum.spi.SqlEngine}), as JDBC's driver manager finds drivers; a backend's {@link
 * BackendProvider#open} returns what {@link #open} gives.
 */
public interface SqlEngine {

    /** The engine core provides. */
    static SqlEngine get() {
        return ServiceLoader.load(SqlEngine.class, SqlEngine.class.getClassLoader())
                .findFirst()
                .orElseThrow(
                        () -> new IllegalStateException("vellum-core provides no SqlEngine: is it on the classpath?"));
    }

    /**
     * Wraps the started pools, then applies pending migrations (or, with auto-migrate off, checks none are pending);
     * closes the pools if that fails. A pool that is the configuration's {@link VellumConfig#dataSource()} is the
     * application's: Vellum uses it and leaves closing it to its owner; every other pool it closes with the database.
     */
    Database open(Opening opening);

    /** As {@link #open(Opening)} with one pool and nothing optional but the writer lock and the migration lock. */
    default Database open(
            SqlDialect dialect,
            DataSource pool,
            VellumConfig config,
            String target,
            Lock writeLock,
            MigrationLock migrationLock,
            Function<SQLException, ConnectionException> connectionFailure) {
        return open(Opening.of(dialect, config, new Pool(pool, target, connectionFailure))
                .writeLock(writeLock)
                .migrationLock(migrationLock));
    }

    /**
     * Connections to one server.
     *
     * @param dataSource        a started pool
     * @param target            where it connects, without credentials (for messages)
     * @param connectionFailure turns a failure to get a connection into a message that names the target and the
     *                          setting to fix
     */
    record Pool(DataSource dataSource, String target, Function<SQLException, ConnectionException> connectionFailure) {
        public Pool {
            Objects.requireNonNull(dataSource, "dataSource");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(connectionFailure, "connectionFailure");
        }
    }

    /**
     * Read replicas of the primary, opened without migrations (a replica has whatever the primary had when it last
     * replayed, and refuses writes anyway). Record-store reads go to one that has replayed what they must see.
     *
     * @param pools       one pool per replica, started even when the replica is down (it is left out until it answers)
     * @param replication how the dialect asks a server for its log positions
     * @param maxLag      a replica further behind serves no reads
     * @param readWait    how long a read that must see a write waits for a replica before reading the primary
     * @param probeEvery  how often each replica is asked how far it has replayed
     */
    record Replicas(
            List<Pool> pools, Replication replication, Duration maxLag, Duration readWait, Duration probeEvery) {
        public Replicas {
            pools = List.copyOf(pools);
            Objects.requireNonNull(replication, "replication");
            Objects.requireNonNull(maxLag, "maxLag");
            Objects.requireNonNull(readWait, "readWait");
            Objects.requireNonNull(probeEvery, "probeEvery");
        }
    }

    /**
     * What a backend opens its database from: the dialect, the configuration and the primary's pool, and optionally a
     * writer lock, a migration lock, a schema owner's pool and replicas. Immutable; each setter returns a copy.
     */
    final class Opening {
        private final SqlDialect dialect;
        private final VellumConfig config;
        private final Pool primary;
        private final Lock writeLock;
        private final MigrationLock migrationLock;
        private final Pool schemaOwner;
        private final Replicas replicas;

        private Opening(
                SqlDialect dialect,
                VellumConfig config,
                Pool primary,
                Lock writeLock,
                MigrationLock migrationLock,
                Pool schemaOwner,
                Replicas replicas) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            this.config = Objects.requireNonNull(config, "config");
            this.primary = Objects.requireNonNull(primary, "primary");
            this.writeLock = writeLock;
            this.migrationLock = migrationLock;
            this.schemaOwner = schemaOwner;
            this.replicas = replicas;
        }

        /** The database on {@code primary}, with the dialect's SQL and the configuration's settings. */
        public static Opening of(SqlDialect dialect, VellumConfig config, Pool primary) {
            return new Opening(dialect, config, primary, null, null, null, null);
        }

        /**
         * Held by every write and transaction, for a database that takes one writer at a time and would otherwise
         * answer "busy" (SQLite); none by default.
         */
        public Opening writeLock(Lock lock) {
            return new Opening(dialect, config, primary, lock, migrationLock, schemaOwner, replicas);
        }

        /** Keeps two processes from migrating at once; none by default (one process at a time is assumed). */
        public Opening migrationLock(MigrationLock lock) {
            return new Opening(dialect, config, primary, writeLock, lock, schemaOwner, replicas);
        }

        /**
         * A second pool for a role that owns the schema ({@code VELLUM_MIGRATION_URL}): migrations, tables and
         * indexes go through it, rows through the primary's pool.
         */
        public Opening schemaOwner(Pool pool) {
            return new Opening(dialect, config, primary, writeLock, migrationLock, pool, replicas);
        }

        /** Replicas record-store reads may go to. */
        public Opening replicas(Replicas set) {
            return new Opening(dialect, config, primary, writeLock, migrationLock, schemaOwner, set);
        }

        public SqlDialect dialect() {
            return dialect;
        }

        public VellumConfig config() {
            return config;
        }

        public Pool primary() {
            return primary;
        }

        public Optional<Lock> writeLock() {
            return Optional.ofNullable(writeLock);
        }

        public Optional<MigrationLock> migrationLock() {
            return Optional.ofNullable(migrationLock);
        }

        public Optional<Pool> schemaOwner() {
            return Optional.ofNullable(schemaOwner);
        }

        public Optional<Replicas> replicas() {
            return Optional.ofNullable(replicas);
        }
    }
}
