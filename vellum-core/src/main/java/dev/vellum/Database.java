package dev.vellum;

import dev.vellum.engine.RowMapping;
import dev.vellum.internal.Backends;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The low-level SQL API, the same on every SQL backend: write SQL once with {@code ?} placeholders (or {@code :name}
 * ones with a single {@link Params} argument) and run it on SQLite or PostgreSQL. Parameters bind portably: {@link String}, numbers, {@link Boolean}, {@link java.time.Instant},
 * {@link java.util.UUID}, {@code byte[]}, {@link Json} and Jackson {@code JsonNode} values, and null.
 *
 * <p>Thread-safe. Inside {@link #inTransaction} every call made on the same thread, through this object or the
 * handle passed to the work, joins the transaction.
 */
public interface Database extends AutoCloseable {

    /** Opens the database the environment and {@code .env} describe. */
    static Database open() {
        return open(VellumConfig.fromEnvironment());
    }

    /** Opens {@code sqlite:PATH}, {@code jdbc:sqlite:PATH}, {@code postgres://…} or {@code jdbc:postgresql://…}. */
    static Database open(String url) {
        return open(VellumConfig.builder().url(url).build());
    }

    static Database open(VellumConfig config) {
        return Backends.require(config.backend()).open(config);
    }

    /**
     * Writes rows into a table as fast as the backend allows (COPY on PostgreSQL, batched inserts elsewhere), inside
     * the current transaction or one of its own, so all of them or none are written; returns the count. Values bind
     * as for {@link #execute}; an iterator that produces rows lazily keeps memory constant.
     */
    long copyRows(String table, List<String> columns, Iterator<Object[]> rows);

    /**
     * Runs work on a JDBC connection of this database, inside the current transaction or one of its own: for what
     * this API does not cover (metadata, driver features). Cancelled with the current {@link Cancellation} like any
     * statement; a driver error becomes a {@link StorageException}.
     */
    <T> T withConnection(ConnectionWork<T> work);

    /** Work on a raw JDBC connection; see {@link #withConnection}. */
    @FunctionalInterface
    interface ConnectionWork<T> {
        T run(java.sql.Connection connection) throws java.sql.SQLException;
    }

    /** Runs one statement; returns the number of rows it changed. */
    int execute(String sql, Object... params);

    /**
     * Runs one statement once per parameter row, in batches, in one transaction (all or nothing). Any number of rows;
     * an {@link Iterable} that produces rows lazily keeps memory constant.
     *
     * @return the total number of rows changed
     */
    long executeMany(String sql, Iterable<Object[]> rows);

    /** The first row of the result, if any. */
    Optional<Row> fetchOne(String sql, Object... params);

    List<Row> fetchAll(String sql, Object... params);

    /**
     * Maps each row straight from the JDBC result set, for hot paths where building {@link Row}s costs too much.
     * The mapper reads the current row only and must not move the cursor.
     */
    <T> List<T> fetchAll(String sql, RowMapper<T> mapper, Object... params);

    /** {@link #fetchAll(String, RowMapper, Object...)} for the first row only. */
    <T> Optional<T> fetchOne(String sql, RowMapper<T> mapper, Object... params);

    /** {@link #stream(String, Object...)} with a mapper. */
    <T> Stream<T> stream(String sql, RowMapper<T> mapper, Object... params);

    /**
     * The rows as instances of {@code type}, a Java record or POJO, mapped by the typed collections' rules: each
     * column fills the property of its name or of its name in camel case ({@code created_at} → {@code createdAt}),
     * case ignored; JSON columns fill nested records, lists and maps; columns the type lacks are ignored.
     *
     * @throws QueryException when a row does not fit the type (the message names the column and the value)
     */
    default <T> List<T> fetchAll(String sql, Class<T> type, Object... params) {
        RowMapping<T> mapping = RowMapping.of(type);
        return fetchAll(sql, params).stream().map(mapping::map).toList();
    }

    /** {@link #fetchAll(String, Class, Object...)} for the first row only. */
    default <T> Optional<T> fetchOne(String sql, Class<T> type, Object... params) {
        RowMapping<T> mapping = RowMapping.of(type);
        return fetchOne(sql, params).map(mapping::map);
    }

    /** {@link #stream(String, Object...)} with rows mapped as {@link #fetchAll(String, Class, Object...)} does. */
    default <T> Stream<T> stream(String sql, Class<T> type, Object... params) {
        RowMapping<T> mapping = RowMapping.of(type);
        return stream(sql, params).map(mapping::map);
    }

    /** Reads one row of a JDBC result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(java.sql.ResultSet row) throws java.sql.SQLException;
    }

    /**
     * Streams the result in constant memory (a server-side cursor on PostgreSQL). The stream holds a connection until
     * it is closed: use try-with-resources.
     */
    Stream<Row> stream(String sql, Object... params);

    /** Runs any one statement and returns its rows (if it produces any) or its update count. */
    Result run(String sql, Object... params);

    /**
     * Runs {@code work} in a transaction: commit when it returns, roll back when it throws (and rethrow). A call made
     * inside another transaction becomes a savepoint, so an inner failure undoes only the inner work.
     */
    <T, X extends Exception> T inTransaction(TransactionWork<T, X> work) throws X;

    /** {@link #inTransaction} for work that returns nothing. */
    default <X extends Exception> void useTransaction(TransactionAction<X> work) throws X {
        inTransaction(tx -> {
            work.run(tx);
            return null;
        });
    }

    /**
     * Runs read-only {@code work} on one consistent snapshot of the whole database: REPEATABLE READ on PostgreSQL; a
     * read transaction on SQLite (writers are not blocked). For backups and exports that must not see half of a
     * concurrent change.
     */
    <T, X extends Exception> T inSnapshot(TransactionWork<T, X> work) throws X;

    /** The backend's name, e.g. {@code "sqlite"} or {@code "postgres"}. */
    String backendName();

    /** Portable SQL pieces: upsert, booleans, timestamps, JSON access, identifier quoting. */
    Dialect dialect();

    /** Server version, schema version and pool state; throws {@link StorageException} when the database does not answer. */
    Health health();

    /** Applies pending migrations (Vellum's and the application's). Safe to run from several processes at once. */
    MigrationReport migrate();

    /** Every known migration and its state, Vellum's first, then the application's. */
    List<MigrationStatus> migrationStatus();

    /**
     * Checks applied migrations against the ones on the classpath: an edited, missing or failed migration is a
     * problem; pending ones are not.
     *
     * @return one line per problem; empty when all is well
     */
    List<String> validateMigrations();

    /** Where the data lives, without credentials: a file path or {@code host:port/db as user 'u'}. */
    String describeTarget();

    /**
     * The connections schema changes go through: those of the role {@code VELLUM_MIGRATION_URL} names, when it names
     * one, so the serving role needs no right to change the schema; otherwise this database. Run your own DDL and
     * upkeep (which only a table's owner may do) through it.
     */
    default Database schemaOwner() {
        return this;
    }

    /**
     * A read replica to run your own reads on ({@code VELLUM_POSTGRES_REPLICA_URLS}), chosen the way record-store reads
     * are: one within the lag bound that has replayed every write this process committed; this database when there
     * are no replicas or none is far enough. Raw SQL never moves to a replica unless asked through here; a replica
     * refuses writes (PostgreSQL: "cannot execute … in a read-only transaction").
     */
    default Database replica() {
        return this;
    }

    /** The read replicas as last probed, and the reads each pool served (no query is run): for gauges. */
    default Health.Replicas replicaStatus() {
        return Health.Replicas.NONE;
    }

    /** The connection pool right now (no query is run): for gauges and {@code vellum stats}. */
    Health.PoolState poolState();

    /**
     * The connections this database's SQL goes through: Vellum's own pool, or the application's data source when it
     * was opened on one. Give it to a framework's transaction manager (Spring's {@code DataSourceTransactionManager})
     * and Vellum's work joins its transactions ({@link dev.vellum.spi.TransactionJoin}).
     */
    javax.sql.DataSource dataSource();

    /** Releases every connection. */
    @Override
    void close();

    @FunctionalInterface
    interface TransactionWork<T, X extends Exception> {
        T run(Database tx) throws X;
    }

    @FunctionalInterface
    interface TransactionAction<X extends Exception> {
        void run(Database tx) throws X;
    }
}
