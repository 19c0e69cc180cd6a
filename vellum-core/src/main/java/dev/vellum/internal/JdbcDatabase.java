package dev.vellum.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.vellum.Cancellation;
import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.Dialect;
import dev.vellum.Health;
import dev.vellum.MigrationReport;
import dev.vellum.MigrationStatus;
import dev.vellum.OperationCancelledException;
import dev.vellum.PoolExhaustedException;
import dev.vellum.Result;
import dev.vellum.Row;
import dev.vellum.StorageException;
import dev.vellum.StorageFullException;
import dev.vellum.VellumConfig;
import dev.vellum.internal.Transactions.Transaction;
import dev.vellum.spi.Batches;
import dev.vellum.spi.MigrationLock;
import dev.vellum.spi.Replication;
import dev.vellum.spi.Sql;
import dev.vellum.spi.SqlDialect;
import dev.vellum.spi.SqlEngine.Opening;
import dev.vellum.spi.SqlEngine.Pool;
import dev.vellum.spi.SqlEngine.Replicas;
import dev.vellum.spi.TransactionJoin;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL engine every SQL backend shares: statements, batches, streams, transactions with savepoints, health and
 * migrations over a HikariCP pool (or the application's own data source). A backend supplies the dialect, the pool,
 * and, for SQLite, a writer lock.
 *
 * <p>A transaction binds its connection to the calling thread, so every call on that thread joins it. So does a
 * transaction a framework runs over this database's data source ({@link TransactionJoin}): Vellum's work on that
 * thread runs on its connection, and a Vellum transaction inside it is a savepoint.
 */
public final class JdbcDatabase implements Database {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcDatabase.class);

    /**
     * Rows a stream's cursor fetches at once (PostgreSQL; SQLite steps row by row): few at first, then as many as fit
     * in {@link #STREAM_FETCH_BYTES} going by the largest row of the last fetch, at most {@link #STREAM_FETCH_SIZE}.
     * A fixed thousand rows of records near the size limit would be gigabytes in the driver at once.
     */
    private static final int STREAM_FIRST_FETCH = 8;

    private static final int STREAM_FETCH_SIZE = 1000;
    private static final long STREAM_FETCH_BYTES = 4 << 20;

    private final SqlDialect dialect;
    /** Vellum's own pool, or the application's data source ({@link VellumConfig#dataSource()}). */
    private final DataSource pool;
    /** False for the application's data source: Vellum neither closes it nor configured its connections. */
    private final boolean ownsPool;

    private final SharedReads positions = new SharedReads();
    /** The write position read right after this thread's last commit, when its write read it (see fusesPosition). */
    private final ThreadLocal<Long> ownPosition = new ThreadLocal<>();
    /** True when the backend can send a write, its commit and a position read at once. */
    private final boolean writesWithPosition;

    private final String target;
    final Function<SQLException, ConnectionException> connectionFailure;
    /** Health, pool state and migrations. */
    private final Administration admin;

    /** Transactions: the thread's own, savepoints inside it, and a framework's it joins. */
    private final Transactions transactions;
    /** Where schema changes go: a separate role's pool (VELLUM_MIGRATION_URL), or this database. */
    private final JdbcDatabase schema;
    /** Where record-store reads go once replicas are attached. */
    private final ReadRouting routing = new ReadRouting();
    /** Why the last wait for a connection failed, while the database cannot be reached; null once one is made. */
    private volatile ConnectionException unreachable;

    private final AtomicBoolean probing = new AtomicBoolean();
    /** Told of each commit ({@link #afterCommits}). */
    private final List<Runnable> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * What a statement does. The SQL engine states it; for SQL given to the public API it is read from the statement's
     * first keyword ({@link #of}), and anything not plainly a read counts as a write, so a statement like
     * {@code WITH … DELETE} or {@code INSERT … RETURNING} is never run unlocked.
     */
    public enum Access {
        /** Reads only. */
        READ,
        /**
         * Changes rows: under the writer lock (SQLite), noted for replicas, and outside a transaction run in one of
         * its own when its commit could otherwise go unchecked.
         */
        WRITE,
        /**
         * Changes one row found by its key, in one statement: under a cancellation, outside a transaction it runs as
         * its own commit instead of in a transaction with a COMMIT of its own, which costs a round trip. A cancel
         * still stops it while it runs (waiting for a row lock, say); once it has returned, its outcome stands.
         */
        WRITE_ROW,
        /** Changes the schema or runs upkeep (DDL, VACUUM): under the writer lock, never in a transaction of its own. */
        SCHEMA;

        /** What a statement of the public API does, by its first keyword. */
        public static Access of(String sql) {
            return switch (SqlText.leadingKeyword(sql)) {
                case "SELECT", "VALUES", "EXPLAIN", "SHOW" -> READ;
                case "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE", "MERGE" -> WRITE;
                default -> SCHEMA;
            };
        }

        boolean writes() {
            return this != READ;
        }
    }

    private JdbcDatabase(
            SqlDialect dialect,
            Pool pool,
            boolean ownsPool,
            VellumConfig config,
            Lock writeLock,
            MigrationLock migrationLock,
            Pool schemaOwner) {
        this.dialect = dialect;
        this.writesWithPosition = dialect.replication()
                .map(wal -> wal.writeThenPosition("SELECT 1") != null)
                .orElse(false);
        this.pool = pool.dataSource();
        this.ownsPool = ownsPool;
        this.target = pool.target();
        this.connectionFailure = pool.connectionFailure();
        this.transactions = new Transactions(
                this, dialect, this.pool, ownsPool, config.transactionJoin().orElse(null), writeLock, target);
        this.schema = schemaOwner == null
                ? this
                : new JdbcDatabase(dialect, schemaOwner, true, config, writeLock, migrationLock, null);
        Migrator migrator =
                schemaOwner == null ? new Migrator(this.pool, dialect, config, migrationLock) : schema.admin.migrator();
        this.admin = new Administration(this, dialect, this.pool, migrator, target, routing::status);
    }

    /** {@inheritDoc} The record store creates its tables and indexes through it. */
    @Override
    public JdbcDatabase schemaOwner() {
        return schema;
    }

    /** Core's {@link dev.vellum.spi.SqlEngine#open(Opening)}. */
    static JdbcDatabase open(Opening opening) {
        VellumConfig config = opening.config();
        DataSource primary = opening.primary().dataSource();
        boolean owned = config.dataSource().map(given -> given != primary).orElse(true);
        JdbcDatabase db = new JdbcDatabase(
                opening.dialect(),
                opening.primary(),
                owned,
                config,
                opening.writeLock().orElse(null),
                opening.migrationLock().orElse(MigrationLock.none()),
                opening.schemaOwner().orElse(null));
        try {
            if (config.autoMigrate()) {
                db.migrate();
            } else if (config.requireCurrentSchema()) {
                db.admin.requireCurrent();
            }
        } catch (RuntimeException e) {
            db.close();
            opening.replicas().ifPresent(replicas -> replicas.pools().forEach(JdbcDatabase::closeQuietly));
            throw e;
        }
        opening.replicas().ifPresent(replicas -> db.attachReplicas(opening.dialect(), config, replicas));
        return db;
    }

    private static void closeQuietly(Pool pool) {
        if (pool.dataSource() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("Closing the pool of {}: {}", pool.target(), e.getMessage());
            }
        }
    }

    /**
     * Lets reads go to these replicas, each opened without migrations or a schema check; commits here (and through
     * the schema role) are tracked for them.
     */
    private void attachReplicas(SqlDialect dialect, VellumConfig config, Replicas replicas) {
        List<java.util.Map.Entry<String, JdbcDatabase>> members = new ArrayList<>();
        for (Pool replica : replicas.pools()) {
            members.add(java.util.Map.entry(
                    replica.target(), new JdbcDatabase(dialect, replica, true, config, null, null, null)));
        }
        ReplicaSet set = new ReplicaSet(
                this, members, replicas.replication(), replicas.maxLag(), replicas.readWait(), replicas.probeEvery());
        routing.attach(set);
        if (schema != this) {
            schema.routing.attach(set);
        }
    }

    /** The replicas, if any. */
    public Optional<ReplicaSet> replicas() {
        return routing.replicas();
    }

    /**
     * A position at or past every write committed so far, for a consistency token: with replicas or without, so a
     * token from this node works on one that has them; 0 without a write-ahead log (SQLite). When the database cannot
     * say (it went away after the commit), the highest position: a read carrying it goes to the primary, which is
     * never stale, and the write's answer still goes out.
     */
    public long writtenPosition() {
        Optional<Long> counted = routing.written();
        if (counted.isPresent()) {
            return counted.get();
        }
        Optional<Replication> wal = dialect.replication();
        if (wal.isEmpty()) {
            return 0;
        }
        try {
            Long own = ownPosition.get();
            if (own != null) {
                // read right after this thread's last commit, which nothing has followed since
                ownPosition.remove();
                return own;
            }
            // any position read after this caller's commit will do: concurrent writers share one read
            return positions.after(System.nanoTime(), () -> onPooledConnection(wal.get()::writePosition));
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Runs a read on a replica that shows every write it must (this process's, or the position set by {@link
     * #readingAfter}), or on this primary: inside a transaction, without replicas, or when none is far enough.
     */
    public <T> T read(Function<JdbcDatabase, T> work) {
        return routing.read(this, routing.tracksCommits() && isInTransaction(), work);
    }

    /** Runs {@code reads} requiring replicas to have replayed {@code position} (0: any replica within the lag bound). */
    public <T> T readingAfter(long position, java.util.function.Supplier<T> reads) {
        return routing.readingAfter(position, reads);
    }

    /** {@inheritDoc} Chosen as a record-store read is: it shows this process's writes. */
    @Override
    public Database replica() {
        return routing.replicaFor(this);
    }

    @Override
    public Health.Replicas replicaStatus() {
        return routing.status();
    }

    /** Runs work on a pooled connection in autocommit mode, outside any transaction: for short reads like probes. */
    <T> T onPooledConnection(ConnectionWork<T> work) {
        return withConnection(Access.READ, false, work, "SELECT");
    }

    @Override
    public int execute(String sql, Object... params) {
        return execute(Access.of(sql), sql, params);
    }

    /** {@link #execute(String, Object...)}, its caller saying what it does. */
    public int execute(Access access, String sql, Object... params) {
        return withConnection(
                access,
                false,
                connection -> {
                    try (PreparedStatement statement = prepare(connection, sql, params);
                            Cancellation.Registration cancel = cancellable(statement)) {
                        statement.execute();
                        return Math.toIntExact(dialect.updateCount(statement, sql));
                    }
                },
                sql);
    }

    @Override
    public long executeMany(String sql, Iterable<Object[]> rows) {
        return inTransaction(tx -> withConnection(
                Access.WRITE,
                false,
                connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(sql);
                            Cancellation.Registration cancel = cancellable(statement)) {
                        return Batches.run(statement, rows.iterator(), dialect::bind);
                    }
                },
                sql));
    }

    @Override
    public Optional<Row> fetchOne(String sql, Object... params) {
        return fetchOne(Access.of(sql), sql, params);
    }

    /** {@link #fetchOne(String, Object...)}, its caller saying what it does. */
    public Optional<Row> fetchOne(Access access, String sql, Object... params) {
        return fetchOne(access, sql, rows(), params);
    }

    @Override
    public <T> List<T> fetchAll(String sql, RowMapper<T> mapper, Object... params) {
        return fetchAll(Access.of(sql), sql, mapper, params);
    }

    /** {@link #fetchAll(String, RowMapper, Object...)}, its caller saying what it does. */
    public <T> List<T> fetchAll(Access access, String sql, RowMapper<T> mapper, Object... params) {
        return withConnection(
                access,
                true,
                connection -> {
                    try (PreparedStatement statement = prepare(connection, sql, params);
                            Cancellation.Registration cancel = cancellable(statement);
                            ResultSet rs = statement.executeQuery()) {
                        List<T> rows = new ArrayList<>();
                        while (rs.next()) {
                            rows.add(mapper.map(rs));
                        }
                        return rows;
                    }
                },
                sql);
    }

    @Override
    public <T> Optional<T> fetchOne(String sql, RowMapper<T> mapper, Object... params) {
        return fetchOne(Access.of(sql), sql, mapper, params);
    }

    /** {@link #fetchOne(String, RowMapper, Object...)}, its caller saying what it does. */
    public <T> Optional<T> fetchOne(Access access, String sql, RowMapper<T> mapper, Object... params) {
        if (access == Access.WRITE_ROW
                && fusesPosition()
                && transactions.current() == null
                && transactions.joinedConnection() == null
                && Cancellation.isActive()) {
            return writeRowThenPosition(sql, mapper, params);
        }
        return withConnection(
                access,
                true,
                connection -> {
                    try (PreparedStatement statement = prepare(connection, sql, params);
                            Cancellation.Registration cancel = cancellable(statement)) {
                        statement.setMaxRows(1);
                        try (ResultSet rs = statement.executeQuery()) {
                            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.<T>empty();
                        }
                    }
                },
                sql);
    }

    @Override
    public List<Row> fetchAll(String sql, Object... params) {
        return fetchAll(Access.of(sql), sql, rows(), params);
    }

    /** {@link #fetchAll(String, Object...)}, its caller saying what it does. */
    public List<Row> fetchAll(Access access, String sql, Object... params) {
        return fetchAll(access, sql, rows(), params);
    }

    // ---- statements rendered with their binds (Sql), their caller saying what they do ----

    public int execute(Access access, Sql sql) {
        return execute(access, sql.text(), sql.binds().toArray());
    }

    public Optional<Row> fetchOne(Access access, Sql sql) {
        return fetchOne(access, sql.text(), sql.binds().toArray());
    }

    public <T> Optional<T> fetchOne(Access access, Sql sql, RowMapper<T> mapper) {
        return fetchOne(access, sql.text(), mapper, sql.binds().toArray());
    }

    public <T> List<T> fetchAll(Access access, Sql sql, RowMapper<T> mapper) {
        return fetchAll(access, sql.text(), mapper, sql.binds().toArray());
    }

    public <T> Stream<T> stream(Sql sql, RowMapper<T> mapper) {
        return stream(sql.text(), mapper, sql.binds().toArray());
    }

    @Override
    public Result run(String sql, Object... params) {
        return withConnection(
                Access.of(sql),
                true,
                connection -> {
                    try (PreparedStatement statement = prepare(connection, sql, params);
                            Cancellation.Registration cancel = cancellable(statement)) {
                        if (statement.execute()) {
                            try (ResultSet rs = statement.getResultSet()) {
                                Columns columns = columns(rs);
                                List<Row> rows = new ArrayList<>();
                                while (rs.next()) {
                                    rows.add(readRow(rs, columns));
                                }
                                return new Result(columns.names(), rows, -1);
                            }
                        }
                        return new Result(List.of(), List.of(), dialect.updateCount(statement, sql));
                    }
                },
                sql);
    }

    @Override
    public Stream<Row> stream(String sql, Object... params) {
        return stream(sql, rows(), params);
    }

    /** A mapper to {@link Row}s for one result set: it reads the column names and types once, at the first row. */
    private RowMapper<Row> rows() {
        Columns[] columns = new Columns[1];
        return rs -> {
            if (columns[0] == null) {
                columns[0] = columns(rs);
            }
            return readRow(rs, columns[0]);
        };
    }

    @Override
    public <T> Stream<T> stream(String sql, RowMapper<T> mapper, Object... params) {
        Transaction tx = transactions.current();
        Connection joined = tx == null ? transactions.joinedConnection() : null;
        Connection connection = tx != null ? tx.connection : joined != null ? joined : acquire();
        Runnable giveBack = tx != null
                ? () -> {}
                : joined != null ? () -> transactions.release(joined) : () -> closeQuietly(connection);
        List<AutoCloseable> resources = new ArrayList<>();
        boolean startedCursorTransaction = false;
        try {
            // PostgreSQL only uses a cursor (and so constant memory) when autocommit is off.
            if (tx == null && joined == null && dialect.streamsNeedTransaction() && connection.getAutoCommit()) {
                connection.setAutoCommit(false);
                startedCursorTransaction = true;
            }
            PreparedStatement statement = prepare(connection, sql, params);
            resources.add(statement);
            resources.add(cancellable(statement));
            boolean sized = dialect.streamsNeedTransaction();
            statement.setFetchSize(sized ? STREAM_FIRST_FETCH : STREAM_FETCH_SIZE);
            ResultSet rs = statement.executeQuery();
            resources.add(rs);
            FetchSizer sizer = sized ? new FetchSizer(rs, STREAM_FIRST_FETCH) : null;
            Iterator<T> rows = new Iterator<>() {
                private Boolean hasNext;

                @Override
                public boolean hasNext() {
                    if (hasNext == null) {
                        try {
                            hasNext = rs.next();
                        } catch (SQLException e) {
                            throw failure(e, sql);
                        }
                    }
                    return hasNext;
                }

                @Override
                public T next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    hasNext = null;
                    try {
                        if (sizer != null) {
                            sizer.weigh();
                        }
                        return mapper.map(rs);
                    } catch (SQLException e) {
                        throw failure(e, sql);
                    }
                }
            };
            boolean endCursorTransaction = startedCursorTransaction;
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                    .onClose(() -> release(resources, connection, giveBack, endCursorTransaction));
        } catch (SQLException | RuntimeException e) {
            release(resources, connection, giveBack, startedCursorTransaction);
            throw e instanceof SQLException sqlException ? failure(sqlException, sql) : (RuntimeException) e;
        }
    }

    /**
     * Sets a cursor's fetch size by the bytes of its rows: after each fetch's worth of rows, as many as fit in
     * {@link #STREAM_FETCH_BYTES} going by the largest of them. The driver hands a text value over as the bytes it
     * holds, so weighing them copies nothing.
     */
    private static final class FetchSizer {
        private final ResultSet rs;
        private final int[] textColumns;
        private int fetchSize;
        private int weighed;
        private long largest;

        FetchSizer(ResultSet rs, int fetchSize) throws SQLException {
            this.rs = rs;
            this.fetchSize = fetchSize;
            ResultSetMetaData meta = rs.getMetaData();
            List<Integer> text = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                int type = meta.getColumnType(i);
                // a bytea's bytes would be decoded to be weighed: such columns are left out
                if (type != Types.BINARY
                        && type != Types.VARBINARY
                        && type != Types.LONGVARBINARY
                        && type != Types.BLOB) {
                    text.add(i);
                }
            }
            this.textColumns = text.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Counts the current row; after a fetch's worth, sets the size of the next. */
        void weigh() throws SQLException {
            long bytes = 0;
            for (int column : textColumns) {
                byte[] value = rs.getBytes(column);
                bytes += value == null ? 0 : value.length;
            }
            largest = Math.max(largest, bytes);
            if (++weighed >= fetchSize) {
                fetchSize = (int) Math.max(1, Math.min(STREAM_FETCH_SIZE, STREAM_FETCH_BYTES / Math.max(1, largest)));
                rs.setFetchSize(fetchSize);
                weighed = 0;
                largest = 0;
            }
        }
    }

    private void release(
            List<AutoCloseable> resources, Connection connection, Runnable giveBack, boolean endCursorTransaction) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // closing is best effort; the connection reset below releases what is left
            }
        }
        try {
            if (endCursorTransaction) {
                connection.commit();
                connection.setAutoCommit(true);
            }
        } catch (SQLException ignored) {
            // the pool resets the connection's state when it is returned
        } finally {
            giveBack.run();
        }
    }

    @Override
    public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work) throws X {
        return transactions.run(work, false);
    }

    @Override
    public <T, X extends Exception> T inSnapshot(TransactionWork<T, X> work) throws X {
        return transactions.run(work, true);
    }

    /**
     * True when the calling thread is inside {@link #inTransaction}, or inside a framework's transaction that Vellum's
     * work joins: what it writes may still roll back.
     */
    public boolean isInTransaction() {
        return transactions.isInTransaction();
    }

    /** Runs {@code work} on the connection of the current transaction; call it inside {@link #inTransaction}. */
    public <T> T onTransactionConnection(ConnectionWork<T> work) {
        Transaction tx = transactions.current();
        if (tx == null) {
            throw new IllegalStateException("onTransactionConnection must be called inside inTransaction");
        }
        tx.wrote = true; // the caller's own JDBC: it may write (bulk inserts, COPY)
        Connection connection = tx.connection;
        try (Cancellation.Registration cancel = Cancellation.onCancel(
                () -> {
                    try {
                        dialect.cancelRunning(connection);
                    } catch (SQLException ignored) {
                        // nothing running, or the connection is gone
                    }
                },
                () -> abortQuietly(connection))) {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(e, "bulk load");
        }
    }

    @Override
    public long copyRows(String table, List<String> columns, Iterator<Object[]> rows) {
        return inTransaction(tx -> onTransactionConnection(c -> dialect.copyRows(c, table, columns, rows)));
    }

    @Override
    public <T> T withConnection(ConnectionWork<T> work) {
        return inTransaction(tx -> onTransactionConnection(work));
    }

    /** {@inheritDoc} */
    @Override
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public String backendName() {
        return dialect.name();
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    /** The dialect with its driver-level operations (binding, bulk paths). */
    public SqlDialect sqlDialect() {
        return dialect;
    }

    @Override
    public Health health() {
        return admin.health();
    }

    @Override
    public Health.PoolState poolState() {
        return admin.poolState();
    }

    @Override
    public MigrationReport migrate() {
        return admin.migrate();
    }

    @Override
    public List<MigrationStatus> migrationStatus() {
        return admin.migrationStatus();
    }

    @Override
    public List<String> validateMigrations() {
        return admin.validateMigrations();
    }

    @Override
    public String describeTarget() {
        return target;
    }

    @Override
    public void close() {
        routing.close();
        if (ownsPool && pool instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new StorageException("Closing the connection pool of " + target + " failed", e);
            }
        }
        if (schema != this) {
            schema.close();
        }
    }

    @Override
    public String toString() {
        return "Database[" + backendName() + ", " + target + "]";
    }

    // ---- plumbing ----

    /**
     * Runs work on the transaction's connection, or on a pooled one. A write outside a transaction runs in one of
     * its own when its commit could otherwise go unchecked: rows returned before the commit (SQLite), or work that
     * may be cancelled, where only an explicit commit can be refused once cancelled — except a one-row write, which
     * is short enough to run as its own commit ({@link Access#WRITE_ROW}).
     */
    private <T> T withConnection(Access access, boolean returnsRows, ConnectionWork<T> work, String sql) {
        Cancellation.checkpoint();
        boolean write = access.writes();
        Transaction tx = transactions.current();
        Connection joined = tx == null ? transactions.joinedConnection() : null;
        if (joined != null) {
            return transactions.joining(joined, db -> withConnection(access, returnsRows, work, sql));
        }
        boolean explicitCommit = returnsRows && dialect.writesNeedExplicitCommit();
        if (tx == null && access == Access.WRITE_ROW && !explicitCommit && Cancellation.isActive()) {
            return asItsOwnCommit(work, sql);
        }
        if (tx == null && access.writes() && access != Access.SCHEMA && (explicitCommit || Cancellation.isActive())) {
            return inTransaction(db -> withConnection(access, returnsRows, work, sql));
        }
        try {
            if (tx != null) {
                tx.wrote |= write;
                return work.run(tx.connection);
            }
            boolean locked = write && transactions.serializesWriters();
            if (locked) {
                transactions.lockForWriting();
            }
            try (Connection connection = acquire()) {
                T result = work.run(connection);
                if (write) {
                    noteCommit();
                }
                return result;
            } finally {
                if (locked) {
                    transactions.unlockWriting();
                }
            }
        } catch (SQLException e) {
            throw failure(e, sql);
        }
    }

    /**
     * One autocommit statement under a cancellation. A cancel stops it while it waits or runs, and the work then
     * reports it cancelled; a cancel that reaches the server after the statement ended stops nothing, so once the
     * statement has returned its outcome stands ({@link Cancellation#outcomeStands}). A connection lost while it ran
     * leaves the outcome unknown, as a lost COMMIT does.
     */
    private <T> T asItsOwnCommit(ConnectionWork<T> work, String sql) {
        boolean locked = transactions.serializesWriters();
        if (locked) {
            transactions.lockForWriting();
        }
        Connection connection = null;
        try {
            connection = acquire();
            Cancellation.checkpoint();
            T result = work.run(connection);
            Cancellation.outcomeStands();
            noteCommit();
            return result;
        } catch (SQLException e) {
            RuntimeException failed = failure(e, sql);
            if (failed instanceof ConnectionException) {
                throw outcomeUnknown("connection was lost while the write ran", e);
            }
            throw failed;
        } finally {
            if (connection != null) {
                // after a committed write, a connection that fails to close must not turn the answer into an error
                closeQuietly(connection);
            }
            if (locked) {
                transactions.unlockWriting();
            }
        }
    }

    /**
     * True when a one-row write can learn the write position after its commit in its own round trip: the consistency
     * token a server answers every write with then costs no query of its own. Not with replicas, which count this
     * process's commits themselves.
     */
    private boolean fusesPosition() {
        return writesWithPosition && !routing.tracksCommits();
    }

    /**
     * {@link #asItsOwnCommit} for a one-row write whose dialect sends it, its commit and a read of the write position
     * at once ({@link Replication#writeThenPosition}). The truth of the answer is kept as there: a failure inside the
     * write's transaction rolls back and is reported as it is; one that may have come after the commit (a cancel that
     * reached the position read, a lost connection) leaves the outcome unknown.
     */
    private <T> Optional<T> writeRowThenPosition(String sql, RowMapper<T> mapper, Object[] params) {
        Replication wal = dialect.replication().orElseThrow();
        Connection connection = null;
        try {
            connection = acquire();
            Cancellation.checkpoint();
            Optional<T> row = Optional.empty();
            long position;
            try (PreparedStatement statement = prepare(connection, wal.writeThenPosition(sql), params);
                    Cancellation.Registration cancel = cancellable(statement)) {
                boolean isResult = statement.execute();
                ResultSet last = null;
                int results = 0;
                while (isResult || statement.getUpdateCount() != -1) {
                    if (isResult) {
                        if (last != null) {
                            last.close();
                        }
                        last = statement.getResultSet();
                        if (results++ == 0 && last.next()) {
                            row = Optional.of(mapper.map(last));
                        }
                    }
                    isResult = statement.getMoreResults(java.sql.Statement.KEEP_CURRENT_RESULT);
                }
                if (last == null || results != 2) {
                    throw new SQLException("A one-row write answered " + results + " result sets instead of 2");
                }
                try (ResultSet positionResult = last) {
                    position = wal.position(positionResult);
                }
            } catch (SQLException e) {
                throw writeRowFailed(e, sql, wal, connection);
            }
            Cancellation.outcomeStands();
            noteCommit();
            if (row.isPresent()) {
                // a write that changed nothing is answered without a token: nothing would ever read this one
                ownPosition.set(position);
            }
            return row;
        } finally {
            if (connection != null) {
                closeQuietly(connection);
            }
        }
    }

    private RuntimeException writeRowFailed(SQLException e, String sql, Replication wal, Connection connection) {
        RuntimeException failed = failure(e, sql);
        boolean beforeCommit;
        try {
            beforeCommit = !(failed instanceof ConnectionException) && wal.failedBeforeCommit(connection);
        } catch (SQLException | RuntimeException unknown) {
            beforeCommit = false;
        }
        if (beforeCommit) {
            try (java.sql.Statement rollback = connection.createStatement()) {
                rollback.execute("ROLLBACK");
            } catch (SQLException lost) {
                abortQuietly(connection); // never back to the pool inside a failed transaction
            }
            return failed;
        }
        abortQuietly(connection);
        return outcomeUnknown("write failed at or after its commit", e);
    }

    /** A write that may have committed: its outcome now stands, and only a read can tell what it is. */
    private dev.vellum.CommitOutcomeUnknownException outcomeUnknown(String what, SQLException e) {
        Cancellation.outcomeStands();
        return new dev.vellum.CommitOutcomeUnknownException(
                "The " + dialect.name() + " " + what + ": it may or may not have been applied. Read the record "
                        + "before retrying it.",
                e);
    }

    /** Closes the connection's socket at once; the pool then retires it. */
    static void abortQuietly(Connection connection) {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // closed already
        }
    }

    /** True when commits must be noted for read replicas. */
    boolean tracksCommits() {
        return routing.tracksCommits();
    }

    /** With replicas, this process's later reads must see this commit; and listeners hear of it. */
    void noteCommit() {
        ownPosition.remove();
        routing.committed();
        for (Runnable listener : commitListeners) {
            listener.run();
        }
    }

    /** True when a commit of a framework's transaction this database joined must be noted. */
    boolean notesCommits() {
        return routing.tracksCommits() || !commitListeners.isEmpty();
    }

    /**
     * Calls {@code listener} after each commit of a write made through this database (a hint: writes that other
     * programs or connections commit tell nothing). It runs on the committing thread, so it must only hand over.
     */
    public void afterCommits(Runnable listener) {
        commitListeners.add(listener);
    }

    /**
     * Runs work on a pooled connection of its own, in autocommit mode, outside the calling thread's transaction if
     * it has one: for bookkeeping that commits by itself whatever the caller's transaction does.
     */
    public <T> T onOwnConnection(ConnectionWork<T> work) {
        try (Connection connection = acquire()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(e, "SELECT");
        }
    }

    Connection acquire() {
        ConnectionException down = unreachable;
        boolean probe = false;
        if (down != null) {
            // while the database cannot be reached, one caller at a time finds out whether it is back; the others
            // are told at once instead of each waiting VELLUM_CONNECT_TIMEOUT for a connection
            if (!probing.compareAndSet(false, true)) {
                throw new ConnectionException(down.getMessage(), down);
            }
            probe = true;
        }
        try {
            Connection connection = pool.getConnection();
            unreachable = null;
            if (!ownsPool) {
                try {
                    dialect.prepareForeignConnection(connection);
                } catch (SQLException e) {
                    closeQuietly(connection);
                    throw failure(e, "connection setup");
                }
            }
            return connection;
        } catch (SQLException e) {
            throw acquireFailure(e);
        } finally {
            if (probe) {
                probing.set(false);
            }
        }
    }

    /**
     * Why no connection came: the database cannot be reached (the pool failed to connect, or holds no connection at
     * all), or every connection was in use. A wait cut short by cancelling says which of the two it was waiting on.
     */
    private RuntimeException acquireFailure(SQLException e) {
        boolean exhausted = e instanceof java.sql.SQLTransientConnectionException && e.getCause() == null
                || Cancellation.currentIsCancelled();
        if (exhausted && !holdsNoConnection()) {
            Health.PoolState state = poolState();
            return new PoolExhaustedException(
                    "No database connection became free in time: "
                            + (state.max() == 0
                                    ? "the pool's connections were all in use"
                                    : "all " + state.max() + " were in use (" + state + ")")
                            + "; nothing was written. Retry shortly; if this happens under normal load, raise the "
                            + "pool's size (VELLUM_POSTGRES_POOL_MAX).",
                    e);
        }
        ConnectionException failure = Cancellation.currentIsCancelled()
                ? new ConnectionException(
                        "Cannot connect "
                                + "to the database at " + target
                                + ": no connection could be made before the operation was "
                                + "cancelled; nothing was written",
                        e)
                : connectionFailure.apply(e);
        unreachable = failure;
        return failure;
    }

    /** True when Vellum's own pool has no connection at all, in use or idle: it cannot make one. */
    private boolean holdsNoConnection() {
        if (!(pool instanceof HikariDataSource hikari) || hikari.getHikariPoolMXBean() == null) {
            return false;
        }
        return hikari.getHikariPoolMXBean().getTotalConnections() == 0;
    }

    /** While the statement runs, cancelling the current work cancels it in the database. */
    private Cancellation.Registration cancellable(java.sql.Statement statement) {
        return StatementStop.register(statement, dialect);
    }

    private PreparedStatement prepare(Connection connection, String sql, Object[] params) throws SQLException {
        if (params.length == 1 && params[0] instanceof dev.vellum.Params named) {
            NamedParameters.Expanded expanded = NamedParameters.expand(sql, named);
            sql = expanded.sql();
            params = expanded.values();
        }
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            bindAll(statement, params);
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private void bindAll(PreparedStatement statement, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            dialect.bind(statement, i + 1, params[i]);
        }
    }

    /** Column labels and type names of a result, read once rather than per row. */
    private record Columns(List<String> names, String[] types) {}

    private Columns columns(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int count = meta.getColumnCount();
        List<String> names = new ArrayList<>(count);
        String[] types = new String[count];
        boolean withTypes = dialect.readsColumnTypes();
        for (int i = 1; i <= count; i++) {
            names.add(meta.getColumnLabel(i));
            types[i - 1] = withTypes ? meta.getColumnTypeName(i) : null;
        }
        return new Columns(names, types);
    }

    private Row readRow(ResultSet rs, Columns columns) throws SQLException {
        List<String> names = columns.names();
        LinkedHashMap<String, Object> values = new LinkedHashMap<>(names.size() * 2);
        for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), dialect.read(rs, i + 1, columns.types()[i]));
        }
        return new Row(values);
    }

    RuntimeException failure(SQLException e, String sql) {
        if (Cancellation.currentIsCancelled()) {
            return new OperationCancelledException(
                    "The operation was cancelled before it committed; nothing was " + "written", e);
        }
        if (dialect.isDiskFull(e)) {
            return new StorageFullException(
                    "The " + dialect.name() + " database at " + target + " has no room to "
                            + "write (disk full); nothing of this write was kept. Free disk space: writes work again at once, "
                            + "reads keep working meanwhile.",
                    e);
        }
        if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
            return new dev.vellum.ConfigurationException(privilegeMessage(firstLine(e.getMessage()), sql), e);
        }
        String state = e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]";
        // a lost connection or a server going away: the caller may retry later, so it gets its own type
        if (dialect.isConnectionLoss(e)) {
            return new ConnectionException(
                    dialect.name() + " connection lost: " + firstLine(e.getMessage()) + state, e);
        }
        String statement = sql.length() > 200 ? sql.substring(0, 200) + "…" : sql;
        return new StorageException(
                dialect.name() + " rejected the statement: " + firstLine(e.getMessage()) + state + " — in: "
                        + statement.strip(),
                e);
    }

    /** SQL's "insufficient privilege": the role Vellum connects as may not do what the statement does. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /**
     * What to change when the database refuses a role: a schema change (a new collection or index) needs a role that
     * owns the schema, which the row-only application role of a least-privilege setup is not.
     */
    private String privilegeMessage(String reason, String sql) {
        boolean schemaChange = Access.of(sql) == Access.SCHEMA;
        String role = "The database role of " + target;
        if (!schemaChange) {
            return role + " may not do this (" + reason + "): grant it SELECT, INSERT, UPDATE and DELETE on Vellum's "
                    + "tables, as deploy/initdb/sql/roles.sql does for the application role.";
        }
        if (schema != this) {
            return role + " may not change the schema (" + reason + "): the role in VELLUM_MIGRATION_URL must own the "
                    + "schema (deploy/initdb/sql/roles.sql makes one).";
        }
        return role + " may not change the schema (" + reason + "), which a new collection, index or change feed "
                + "needs. Set VELLUM_MIGRATION_URL to a role that owns the schema (VELLUM_POSTGRES_URL may keep a "
                + "role that only reads and writes rows), or create the collection once as the owner.";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no details";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // returning a connection to the pool does not fail in a way the caller can act on
        }
    }
}
