package dev.vellum.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.Dialect;
import dev.vellum.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.UUID;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * What the SQL engine needs from a backend beyond the portable {@link Dialect}: how to bind and read values, where
 * its migrations live, and how to ask its version.
 */
public interface SqlDialect extends Dialect {

    /** The folder under each migration location that holds this dialect's scripts: {@code sqlite} or {@code postgresql}. */
    String migrationFolder();

    /** A query returning one row, one column: the server's version, e.g. {@code SQLite 3.54.1}. */
    String serverVersionQuery();

    /**
     * How the connection is protected, for health and stats: on a network database the TLS protocol and whether
     * the server's certificate was verified (e.g. {@code TLSv1.3 TLS_AES_256_GCM_SHA384, sslmode=verify-full:
     * certificate and host verified}), or why there is none.
     */
    default String connectionSecurity(java.sql.Connection connection) throws SQLException {
        return "not reported by the " + name() + " backend";
    }

    /**
     * Readies a connection of the application's own data source ({@code VellumConfig.dataSource}) before Vellum
     * uses it: what Vellum's own pool does when it opens a connection (SQLite's functions, for one). Called on every
     * use, so a backend remembers which connections it has readied.
     */
    default void prepareForeignConnection(java.sql.Connection connection) throws SQLException {}

    /** Backend-specific Flyway settings. */
    default void configureFlyway(FluentConfiguration flyway) {}

    /**
     * True when a write that returns rows in autocommit mode may hand its rows over before its commit has run, so
     * that a failed commit would go unseen (SQLite commits when the statement is reset, and the driver drops that
     * error): such writes then run in an explicit transaction whose commit is checked.
     */
    default boolean writesNeedExplicitCommit() {
        return false;
    }

    /**
     * Stops whatever statement runs on the connection now, from another thread, for work that is cancelled while it
     * uses the connection directly (bulk loads); statements Vellum prepares are cancelled one by one already.
     */
    default void cancelRunning(java.sql.Connection connection) throws SQLException {}

    /**
     * Stops a statement that another thread runs. A network database should send its cancel without holding the
     * driver's lock on the connection ({@code Statement.cancel} does in pgjdbc), so that a server that answers
     * nothing, not even the cancel, cannot keep the statement's thread waiting once its connection is closed.
     */
    default void cancel(java.sql.Statement statement) throws SQLException {
        statement.cancel();
    }

    /**
     * True when a result is only read in chunks (constant memory) inside a transaction: PostgreSQL opens a cursor
     * only when autocommit is off. SQLite streams in autocommit, and beginning a transaction there would take the
     * write lock ({@code BEGIN IMMEDIATE}), making a long read hold up every writer.
     */
    default boolean streamsNeedTransaction() {
        return true;
    }

    /**
     * Begins a read-only snapshot on the connection (autocommit off): every read sees the same committed state and
     * writers are not held up. By default REPEATABLE READ and read-only, which the pool resets afterwards.
     */
    default void beginSnapshot(java.sql.Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(java.sql.Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
    }

    /** Undoes what {@link #beginSnapshot} changed on the connection that the pool does not reset itself. */
    default void endSnapshot(java.sql.Connection connection) throws SQLException {}

    /**
     * Positions in the database's write-ahead log, when it has one that replicas replay (PostgreSQL): what makes a
     * consistency token real on every node, with replicas configured or not.
     */
    default java.util.Optional<Replication> replication() {
        return java.util.Optional.empty();
    }

    /** True when the error says the database has no room to write: it becomes a {@code StorageFullException}. */
    default boolean isDiskFull(SQLException e) {
        return false;
    }

    /**
     * True when the error says the connection was lost or the server is going away, so that the same work may
     * succeed later: it becomes a {@code ConnectionException}. By default only a pool that found no connection in
     * time ({@link java.sql.SQLTransientConnectionException}).
     */
    default boolean isConnectionLoss(SQLException e) {
        return e instanceof java.sql.SQLTransientConnectionException;
    }

    /** The rows changed by a statement that has just run and produced no result set. */
    default long updateCount(java.sql.Statement statement, String sql) throws SQLException {
        return Math.max(0, statement.getLargeUpdateCount());
    }

    /** Binds an instant in the form {@link #timestampType()} stores. */
    void bindInstant(PreparedStatement statement, int index, Instant value) throws SQLException;

    void bindUuid(PreparedStatement statement, int index, UUID value) throws SQLException;

    /** Binds JSON text for a {@link #jsonType()} column. */
    void bindJson(PreparedStatement statement, int index, String json) throws SQLException;

    /** Binds one parameter of any supported Java type. */
    default void bind(PreparedStatement statement, int index, Object value) throws SQLException {
        if (value == null) {
            statement.setObject(index, null);
        } else if (value instanceof String s) {
            statement.setString(index, s);
        } else if (value instanceof Long
                || value instanceof Integer
                || value instanceof Short
                || value instanceof Byte) {
            statement.setLong(index, ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            statement.setDouble(index, ((Number) value).doubleValue());
        } else if (value instanceof BigDecimal d) {
            statement.setBigDecimal(index, d);
        } else if (value instanceof BigInteger i) {
            statement.setBigDecimal(index, new BigDecimal(i));
        } else if (value instanceof Boolean b) {
            statement.setBoolean(index, b);
        } else if (value instanceof byte[] bytes) {
            statement.setBytes(index, bytes);
        } else if (value instanceof Instant instant) {
            bindInstant(statement, index, instant);
        } else if (value instanceof OffsetDateTime time) {
            bindInstant(statement, index, time.toInstant());
        } else if (value instanceof ZonedDateTime time) {
            bindInstant(statement, index, time.toInstant());
        } else if (value instanceof Timestamp time) {
            bindInstant(statement, index, time.toInstant());
        } else if (value instanceof UUID uuid) {
            bindUuid(statement, index, uuid);
        } else if (value instanceof Json json) {
            bindJson(statement, index, json.text());
        } else if (value instanceof JsonNode node) {
            bindJson(statement, index, node.toString());
        } else if (value instanceof Enum<?> e) {
            statement.setString(index, e.name());
        } else {
            throw new IllegalArgumentException("Cannot bind parameter " + index + " of type "
                    + value.getClass().getName() + ". Supported: String, numbers, Boolean, Instant, OffsetDateTime, "
                    + "UUID, byte[], Json, JsonNode, enums and null.");
        }
    }

    /**
     * Writes rows into a table on this connection, inside the caller's transaction, as fast as the database allows;
     * returns the count. By default batched prepared INSERTs; PostgreSQL overrides it with COPY.
     */
    default long copyRows(
            java.sql.Connection connection,
            String table,
            java.util.List<String> columns,
            java.util.Iterator<Object[]> rows)
            throws SQLException {
        String sql = "INSERT INTO " + quote(table) + " ("
                + String.join(", ", columns.stream().map(this::quote).toList()) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            return Batches.run(statement, rows, this::bind);
        }
    }

    /** Whether {@link #read} uses the column type name (reading it costs a driver call per column per query). */
    default boolean readsColumnTypes() {
        return false;
    }

    /**
     * Reads one column, normalised so that rows look alike on every backend: timestamps as {@link Instant}, JSON as
     * text, dates and times as {@code java.time} values.
     */
    default Object read(ResultSet resultSet, int column, String typeName) throws SQLException {
        Object value = resultSet.getObject(column);
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (value instanceof java.sql.Time t) {
            return t.toLocalTime();
        }
        return value;
    }
}
