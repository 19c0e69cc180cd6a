package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.VellumJson;
import dev.vellum.postgres.PostgresTarget;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The hand-written JDBC a competent developer would write for the same work: the same table shape, the natural
 * index on each path, the same rows read back and parsed into the same JSON objects.
 */
final class RawJdbc implements AutoCloseable {
    private final Connection connection;
    private final boolean postgres;

    private RawJdbc(Connection connection, boolean postgres) {
        this.connection = connection;
        this.postgres = postgres;
    }

    static RawJdbc open(String backend, String url) throws SQLException {
        Connection c;
        if (backend.equals("postgres")) {
            PostgresTarget target = PostgresTarget.parse(url, "url");
            Properties props = new Properties();
            props.setProperty("user", target.user());
            if (target.password() != null) {
                props.setProperty("password", target.password());
            }
            c = DriverManager.getConnection(target.jdbcUrl(), props);
        } else {
            c = DriverManager.getConnection("jdbc:" + url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=30000");
            }
        }
        RawJdbc raw = new RawJdbc(c, backend.equals("postgres"));
        raw.createTable("raw_records");
        return raw;
    }

    void createTable(String table) throws SQLException {
        execute(
                postgres
                        ? "CREATE TABLE " + table
                                + " (id TEXT COLLATE \"C\" PRIMARY KEY, fields JSONB NOT NULL, metadata JSONB "
                                + "NOT NULL, version BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ "
                                + "NOT NULL)"
                        : "CREATE TABLE " + table
                                + " (id TEXT PRIMARY KEY NOT NULL, fields TEXT NOT NULL, metadata TEXT NOT "
                                + "NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT "
                                + "ROWID");
    }

    void dropTable(String table) throws SQLException {
        execute("DROP TABLE " + table);
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    void bulkInsert(String table, int n) throws SQLException {
        String now = VellumJson.formatInstant(Instant.now());
        if (postgres) {
            connection.setAutoCommit(false);
            CopyIn copy = connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY " + table
                            + " (id, fields, metadata, version, created_at, updated_at) FROM STDIN (FORMAT text)");
            StringBuilder buffer = new StringBuilder(1 << 20);
            for (int i = 0; i < n; i++) {
                buffer.append(VellumBench.id(i))
                        .append('\t')
                        .append(VellumJson.write(VellumBench.document(i)).replace("\\", "\\\\"))
                        .append("\t{}\t1\t")
                        .append(now)
                        .append('\t')
                        .append(now)
                        .append('\n');
                if (buffer.length() >= 1 << 20) {
                    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    buffer.setLength(0);
                }
            }
            byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
            connection.commit();
            connection.setAutoCommit(true);
        } else {
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + table + " (id, fields, metadata, "
                    + "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    ps.setString(1, VellumBench.id(i));
                    ps.setString(2, VellumJson.write(VellumBench.document(i)));
                    ps.setString(3, "{}");
                    ps.setLong(4, 1);
                    ps.setString(5, now);
                    ps.setString(6, now);
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            connection.commit();
            connection.setAutoCommit(true);
        }
    }

    void createIndexes() throws SQLException {
        if (postgres) {
            execute("CREATE INDEX raw_city ON raw_records ((fields->>'city'))");
            execute("CREATE INDEX raw_age ON raw_records (((fields->>'age')::int), id)");
        } else {
            execute("CREATE INDEX raw_city ON raw_records (json_extract(fields, '$.city'))");
            execute("CREATE INDEX raw_age ON raw_records (json_extract(fields, '$.age'))");
        }
    }

    /** After the bulk loads: statistics for both tables, and on PostgreSQL a vacuum so neither waits for autovacuum. */
    void analyze() throws SQLException {
        execute(postgres ? "VACUUM ANALYZE" : "ANALYZE");
    }

    private String path(String key) {
        return postgres ? "(fields->>'" + key + "')" : "json_extract(fields, '$." + key + "')";
    }

    Object get(String id) {
        List<RawRecord> rows = query(
                "SELECT id, fields, metadata, version, created_at, updated_at FROM raw_records " + "WHERE id = ?", id);
        return rows.get(0);
    }

    Object eqCity(String city) {
        return query(
                "SELECT id, fields, metadata, version, created_at, updated_at FROM raw_records WHERE " + path("city")
                        + " = ? ORDER BY id LIMIT 101",
                city);
    }

    Object ageRange(int low, int high) {
        String age = postgres ? "((fields->>'age')::int)" : path("age");
        return query(
                "SELECT id, fields, metadata, version, created_at, updated_at FROM raw_records WHERE " + age
                        + " BETWEEN ? AND ? ORDER BY " + age + ", id LIMIT 101",
                low,
                high);
    }

    Object countCity(String city) {
        try (PreparedStatement ps =
                connection.prepareStatement("SELECT COUNT(*) FROM raw_records WHERE " + path("city") + " = ?")) {
            ps.setString(1, city);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    Object replace(String id, ObjectNode fields, long expectedVersion) {
        String sql = "UPDATE raw_records SET fields = " + (postgres ? "?::jsonb" : "?") + ", version = version + 1, "
                + "updated_at = ? WHERE id = ? AND version = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, VellumJson.write(fields));
            if (postgres) {
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
            } else {
                ps.setString(2, VellumJson.formatInstant(Instant.now()));
            }
            ps.setString(3, id);
            ps.setLong(4, expectedVersion);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("version conflict on " + id);
            }
            return expectedVersion + 1;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    Object updateBucket(int bucket, int flag) {
        String sql = postgres
                ? "UPDATE raw_records SET fields = fields || ?::jsonb, version = version + 1, updated_at = ? "
                        + "WHERE (fields->>'bucket')::int = ?"
                : "UPDATE raw_records SET fields = json_patch(fields, ?), version = version + 1, updated_at = ? "
                        + "WHERE json_extract(fields, '$.bucket') = ?";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, "{\"flag\":" + flag + "}");
            if (postgres) {
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
            } else {
                ps.setString(2, VellumJson.formatInstant(Instant.now()));
            }
            ps.setInt(3, bucket);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the hand-written code maps each row to: the same content as a Vellum record. */
    record RawRecord(
            String id, ObjectNode fields, JsonNode metadata, long version, Instant createdAt, Instant updatedAt) {}

    /** The standard way to read an instant: JDBC 4.2's OffsetDateTime on PostgreSQL, ISO text on SQLite. */
    private Instant instant(ResultSet rs, int column) throws SQLException {
        return postgres
                ? rs.getObject(column, java.time.OffsetDateTime.class).toInstant()
                : Instant.parse(rs.getString(column));
    }

    private List<RawRecord> query(String sql, Object... params) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<RawRecord> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new RawRecord(
                            rs.getString(1),
                            (ObjectNode) VellumJson.parse(rs.getString(2)),
                            VellumJson.parse(rs.getString(3)),
                            rs.getLong(4),
                            instant(rs, 5),
                            instant(rs, 6)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
