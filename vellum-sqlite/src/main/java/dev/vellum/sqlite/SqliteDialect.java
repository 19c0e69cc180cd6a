package dev.vellum.sqlite;

import dev.vellum.internal.SqlText;
import dev.vellum.spi.SqlDialect;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** SQLite: JSON as text, booleans as 0/1, instants as fixed-width ISO-8601 text (so text order is time order). */
final class SqliteDialect implements SqlDialect {
    static final DateTimeFormatter INSTANT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** For the application's data source: the busy timeout its connections get; 0 for Vellum's own pool. */
    private final int foreignBusyTimeoutMillis;
    /** The application's connections readied so far, by their SQLite connection (pools hand out wrappers). */
    private final java.util.Map<org.sqlite.SQLiteConnection, Boolean> readied =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    /** A snapshot on the application's connection gives it back its own transaction mode. */
    private final ThreadLocal<org.sqlite.SQLiteConfig.TransactionMode> modeBeforeSnapshot = new ThreadLocal<>();

    /** For Vellum's own pool, whose connections are made ready as they open. */
    SqliteDialect() {
        this(0);
    }

    /** For the application's data source: each connection is readied at its first use. */
    SqliteDialect(int foreignBusyTimeoutMillis) {
        this.foreignBusyTimeoutMillis = foreignBusyTimeoutMillis;
    }

    /**
     * What Vellum's own pool sets when it opens a connection: the functions, a busy timeout, foreign keys (only
     * outside a transaction: SQLite ignores the pragma inside one) and WAL (kept by the file once set).
     */
    @Override
    public void prepareForeignConnection(java.sql.Connection connection) throws SQLException {
        org.sqlite.SQLiteConnection sqlite = connection.unwrap(org.sqlite.SQLiteConnection.class);
        if (readied.containsKey(sqlite)) {
            return;
        }
        SqliteFunctions.register(sqlite);
        sqlite.setBusyTimeout(foreignBusyTimeoutMillis);
        if (connection.getAutoCommit()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA foreign_keys = ON");
                statement.execute("PRAGMA journal_mode = WAL");
            }
        }
        readied.put(sqlite, Boolean.TRUE);
    }

    /** A read streams in autocommit: a transaction would take the write lock (transactions are IMMEDIATE). */
    @Override
    public boolean streamsNeedTransaction() {
        return false;
    }

    /**
     * A deferred transaction: in WAL mode its first read fixes the snapshot, and it takes no write lock, so a long
     * backup does not hold up writers (the pool's transactions are IMMEDIATE, which would).
     */
    @Override
    public void beginSnapshot(java.sql.Connection connection) throws java.sql.SQLException {
        var config = connection.unwrap(org.sqlite.SQLiteConnection.class).getConnectionConfig();
        modeBeforeSnapshot.set(config.getTransactionMode());
        config.setTransactionMode(org.sqlite.SQLiteConfig.TransactionMode.DEFERRED);
        connection.setAutoCommit(false);
    }

    @Override
    public void endSnapshot(java.sql.Connection connection) throws java.sql.SQLException {
        org.sqlite.SQLiteConfig.TransactionMode before = modeBeforeSnapshot.get();
        modeBeforeSnapshot.remove();
        connection
                .unwrap(org.sqlite.SQLiteConnection.class)
                .getConnectionConfig()
                .setTransactionMode(before != null ? before : org.sqlite.SQLiteConfig.TransactionMode.IMMEDIATE);
    }

    /** sqlite3_interrupt: the statement running on the connection stops at its next step. */
    @Override
    public void cancelRunning(java.sql.Connection connection) throws java.sql.SQLException {
        connection.unwrap(org.sqlite.SQLiteConnection.class).getDatabase().interrupt();
    }

    @Override
    public boolean writesNeedExplicitCommit() {
        return true;
    }

    /** SQLITE_FULL (13), in any extended form; SQLite reports a full disk (ENOSPC) with it. */
    @Override
    public boolean isDiskFull(java.sql.SQLException e) {
        return (e.getErrorCode() & 0xff) == 13
                || e.getMessage() != null && e.getMessage().contains("SQLITE_FULL");
    }

    @Override
    public String name() {
        return "sqlite";
    }

    /** SQLite reserves names beginning with {@code sqlite_} for itself ({@code sqlite_sequence}, …). */
    @Override
    public boolean isInternalTable(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).startsWith("sqlite_");
    }

    @Override
    public String migrationFolder() {
        return "sqlite";
    }

    @Override
    public String serverVersionQuery() {
        return "SELECT 'SQLite ' || sqlite_version()";
    }

    /** A file on this machine: nothing crosses a network. */
    @Override
    public String connectionSecurity(java.sql.Connection connection) {
        return "not applicable (local file)";
    }

    @Override
    public String booleanLiteral(boolean value) {
        return value ? "1" : "0";
    }

    @Override
    public String booleanType() {
        return "INTEGER";
    }

    @Override
    public String timestampType() {
        return "TEXT";
    }

    @Override
    public String currentTimestamp() {
        return "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    }

    @Override
    public String jsonType() {
        return "TEXT";
    }

    @Override
    public String autoIncrementPrimaryKey() {
        return "INTEGER PRIMARY KEY AUTOINCREMENT";
    }

    @Override
    public String jsonText(String jsonExpression, String... path) {
        String at = literal(jsonPath(path));
        // json_extract gives 1/0 for booleans; spell them as PostgreSQL's #>> does.
        return "(CASE json_type(" + jsonExpression + ", " + at + ") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
                + "ELSE CAST(json_extract(" + jsonExpression + ", " + at + ") AS TEXT) END)";
    }

    /**
     * {@code $."a"."b"}: every key quoted (with {@code \"} and {@code \\} escaped), so dots, quotes and other odd
     * characters stay part of the key.
     */
    static String jsonPath(String... path) {
        StringBuilder p = new StringBuilder("$");
        for (String key : path) {
            p.append(".\"")
                    .append(key.replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return p.toString();
    }

    /**
     * SQLite reports the change count of the last INSERT, UPDATE or DELETE on the connection, even after a statement
     * that changed no rows (DDL, PRAGMA): only those three (and REPLACE, or a WITH that leads to one) change rows.
     */
    @Override
    public long updateCount(Statement statement, String sql) throws SQLException {
        return switch (SqlText.leadingKeyword(sql)) {
            case "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH" -> Math.max(0, statement.getLargeUpdateCount());
            default -> 0;
        };
    }

    @Override
    public void bindInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        statement.setString(index, INSTANT.format(value));
    }

    @Override
    public void bindUuid(PreparedStatement statement, int index, UUID value) throws SQLException {
        statement.setString(index, value.toString());
    }

    @Override
    public void bindJson(PreparedStatement statement, int index, String json) throws SQLException {
        statement.setString(index, json);
    }
}
