package dev.vellum.postgres;

import dev.vellum.internal.Timestamps;
import dev.vellum.spi.Replication;
import dev.vellum.spi.SqlDialect;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PGobject;

/** PostgreSQL: JSONB, native booleans, {@code timestamptz}, {@code uuid}. */
final class PostgresDialect implements SqlDialect {
    /** Connections reach the server through a pooler (PgBouncer), so the server sees the pooler's session. */
    private final boolean throughPooler;

    PostgresDialect() {
        this(false);
    }

    PostgresDialect(boolean throughPooler) {
        this.throughPooler = throughPooler;
    }

    /** A cancel request for the connection's backend: it stops a COPY as well as a statement. */
    @Override
    public void cancelRunning(java.sql.Connection connection) throws java.sql.SQLException {
        connection.unwrap(org.postgresql.PGConnection.class).cancelQuery();
    }

    /** A cancel request for the connection's backend, sent without the lock {@code Statement.cancel} holds. */
    @Override
    public void cancel(java.sql.Statement statement) throws java.sql.SQLException {
        cancelRunning(statement.getConnection());
    }

    @Override
    public String name() {
        return "postgres";
    }

    /** setval on the sequence of each column that has one (pg_get_serial_sequence), in one server round trip. */
    @Override
    public java.util.Optional<String> continueSequencesSql(String table) {
        String regclass = literal(quote(table));
        return java.util.Optional.of("DO $vellum$ DECLARE c record; BEGIN FOR c IN SELECT a.attname, "
                + "pg_get_serial_sequence(" + regclass + ", a.attname) AS seq FROM pg_attribute a WHERE a.attrelid = "
                + regclass + "::regclass AND a.attnum > 0 AND NOT a.attisdropped LOOP IF c.seq IS NOT NULL THEN "
                + "EXECUTE format('SELECT setval(%L, COALESCE(MAX(%I), 1), MAX(%I) IS NOT NULL) FROM %s', c.seq, "
                + "c.attname, c.attname, " + regclass + "); END IF; END LOOP; END $vellum$");
    }

    /** SQLSTATE 53100 disk_full. */
    @Override
    public boolean isDiskFull(SQLException e) {
        return "53100".equals(e.getSQLState());
    }

    /**
     * Class 08 is a lost or refused connection; 57P01-03 a server shutting down, crashed and restarting, or not yet
     * accepting connections.
     */
    @Override
    public boolean isConnectionLoss(SQLException e) {
        String code = e.getSQLState() == null ? "" : e.getSQLState();
        return code.startsWith("08")
                || code.equals("57P01")
                || code.equals("57P02")
                || code.equals("57P03")
                || SqlDialect.super.isConnectionLoss(e);
    }

    private static final Optional<Replication> WAL = Optional.of(new PostgresReplication());

    @Override
    public Optional<Replication> replication() {
        return WAL;
    }

    @Override
    public String migrationFolder() {
        return "postgresql";
    }

    @Override
    public String serverVersionQuery() {
        return "SELECT 'PostgreSQL ' || current_setting('server_version')";
    }

    /**
     * pg_stat_ssl for this session, and the sslmode the connection was made with (pgjdbc's default: prefer). Through
     * a pooler the two are different hops: the sslmode says what Vellum asked of the pooler, pg_stat_ssl describes the
     * pooler's own session with the server.
     */
    @Override
    public String connectionSecurity(Connection connection) throws SQLException {
        String mode = PostgresTarget.parse(connection.getMetaData().getURL(), "connection")
                .parameters()
                .getOrDefault("sslmode", "prefer");
        String server;
        try (Statement s = connection.createStatement();
                ResultSet r =
                        s.executeQuery("SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            server = r.next() && r.getBoolean("ssl") ? r.getString("version") + " " + r.getString("cipher") : null;
        }
        if (throughPooler) {
            return "to the pooler: " + poolerHop(mode) + "; pooler to server: "
                    + (server == null ? "not encrypted" : server);
        }
        return server == null
                ? "none: not encrypted (sslmode=" + mode + ")"
                : server + ", sslmode=" + mode + ": " + verification(mode);
    }

    private static String verification(String mode) {
        return switch (mode) {
            case "verify-full" -> "certificate and host verified";
            case "verify-ca" -> "certificate verified, host not checked";
            default -> "certificate not verified: use sslmode=verify-full";
        };
    }

    /** The driver refuses to connect without TLS from sslmode=require on, so the mode alone tells. */
    private static String poolerHop(String mode) {
        return switch (mode) {
            case "require", "verify-ca", "verify-full" -> "encrypted, sslmode=" + mode + ": " + verification(mode);
            case "disable" -> "not encrypted (sslmode=disable)";
            default -> "encryption not required (sslmode=" + mode + "): use sslmode=verify-full";
        };
    }

    @Override
    public void configureFlyway(FluentConfiguration flyway) {
        // Flyway's default transactional lock keeps a transaction open that CREATE INDEX CONCURRENTLY waits for
        // forever; a session-level advisory lock does not.
        flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    }

    @Override
    public String booleanLiteral(boolean value) {
        return value ? "TRUE" : "FALSE";
    }

    @Override
    public String booleanType() {
        return "BOOLEAN";
    }

    @Override
    public String timestampType() {
        return "TIMESTAMPTZ";
    }

    @Override
    public String currentTimestamp() {
        return "CURRENT_TIMESTAMP";
    }

    @Override
    public String jsonType() {
        return "JSONB";
    }

    @Override
    public String autoIncrementPrimaryKey() {
        return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    }

    @Override
    public String jsonText(String jsonExpression, String... path) {
        String array = Arrays.stream(path)
                .map(k -> '"' + k.replace("\\", "\\\\").replace("\"", "\\\"") + '"')
                .collect(Collectors.joining(",", "{", "}"));
        return "(" + jsonExpression + " #>> " + literal(array) + ")";
    }

    @Override
    public void bindInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        // milliseconds, as on every backend: what SQLite keeps, and what reads give back
        statement.setObject(index, OffsetDateTime.ofInstant(Timestamps.toMillis(value), ZoneOffset.UTC));
    }

    @Override
    public void bindUuid(PreparedStatement statement, int index, UUID value) throws SQLException {
        statement.setObject(index, value);
    }

    @Override
    public void bindJson(PreparedStatement statement, int index, String json) throws SQLException {
        PGobject object = new PGobject();
        object.setType("jsonb");
        object.setValue(json);
        statement.setObject(index, object);
    }

    /** COPY in text format: one line per row, each value in the form PostgreSQL's input functions read. */
    @Override
    public long copyRows(
            java.sql.Connection connection,
            String table,
            java.util.List<String> columns,
            java.util.Iterator<Object[]> rows)
            throws SQLException {
        CopyIn copy = connection
                .unwrap(org.postgresql.PGConnection.class)
                .getCopyAPI()
                .copyIn("COPY " + quote(table) + " ("
                        + String.join(", ", columns.stream().map(this::quote).toList()) + ") FROM STDIN (FORMAT text)");
        long count = 0;
        StringBuilder buffer = new StringBuilder(1 << 17);
        try {
            while (rows.hasNext()) {
                Object[] row = rows.next();
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) {
                        buffer.append('\t');
                    }
                    copyText(row[i], buffer);
                }
                buffer.append('\n');
                count++;
                if (buffer.length() >= 1 << 16) {
                    flush(copy, buffer);
                }
            }
            flush(copy, buffer);
            copy.endCopy();
            return count;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static void copyText(Object v, StringBuilder out) {
        if (v == null) {
            out.append("\\N");
        } else if (v instanceof Boolean b) {
            out.append(b ? 't' : 'f');
        } else if (v instanceof Instant i) {
            out.append(Timestamps.format(i));
        } else if (v instanceof java.math.BigDecimal d) {
            out.append(d.toPlainString());
        } else if (v instanceof Number n) {
            out.append(n);
        } else if (v instanceof byte[] bytes) {
            escape("\\x" + java.util.HexFormat.of().formatHex(bytes), out);
        } else if (v instanceof dev.vellum.Json json) {
            escape(json.text(), out);
        } else {
            escape(v.toString(), out);
        }
    }

    @Override
    public boolean readsColumnTypes() {
        return true;
    }

    @Override
    public Object read(ResultSet resultSet, int column, String type) throws SQLException {
        if ("timestamptz".equals(type)) {
            String text = resultSet.getString(column);
            if (text == null) {
                return null;
            }
            Instant fast = Timestamps.parseStored(text);
            return Timestamps.toMillis(
                    fast != null
                            ? fast
                            : resultSet.getObject(column, OffsetDateTime.class).toInstant());
        }
        if ("timestamp".equals(type)) {
            return resultSet.getObject(column, java.time.LocalDateTime.class);
        }
        Object value = SqlDialect.super.read(resultSet, column, type);
        if (value instanceof PGobject object) {
            return object.getValue();
        }
        if (value instanceof Array array) {
            Object[] elements = (Object[]) array.getArray();
            return Arrays.asList(elements);
        }
        return value;
    }

    static void flush(CopyIn copy, StringBuilder buffer) throws SQLException {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        buffer.setLength(0);
    }

    /** COPY's text format: backslash, tab, newline and carriage return escaped. */
    static StringBuilder escape(String text, StringBuilder out) {
        if (text.indexOf('\\') < 0 && text.indexOf('\t') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return out.append(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out;
    }
}
