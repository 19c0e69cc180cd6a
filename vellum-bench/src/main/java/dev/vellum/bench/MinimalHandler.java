package dev.vellum.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.vellum.postgres.PostgresTarget;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference for the HTTP layer's cost: plain Javalin routes doing the same JDBC and Jackson work as Vellum's
 * endpoints on the same table shape ({@link RawJdbc}'s), at the same paths, so one load script drives both. What a
 * competent developer writes by hand: a HikariCP pool of the size Vellum uses, prepared statements, rows parsed into
 * JSON objects and written back with Jackson; on SQLite, writes one at a time under a lock (as Vellum's are) so they
 * never meet SQLite's busy handler. No paging cursors, limits, deadlines, metrics or problem bodies.
 */
final class MinimalHandler implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, fields, metadata, version, created_at, updated_at";

    private final HikariDataSource pool;
    private final boolean postgres;
    private final ReentrantLock writes = new ReentrantLock();
    private final Javalin app;

    MinimalHandler(String backend, String url, int poolSize) {
        this.postgres = backend.equals("postgres");
        HikariConfig hikari = new HikariConfig();
        if (postgres) {
            PostgresTarget target = PostgresTarget.parse(url, "url");
            hikari.setJdbcUrl(target.jdbcUrl());
            hikari.setUsername(target.user());
            hikari.setPassword(target.password());
        } else {
            hikari.setJdbcUrl("jdbc:" + url);
            hikari.addDataSourceProperty("journal_mode", "WAL");
            hikari.addDataSourceProperty("synchronous", "NORMAL");
            hikari.addDataSourceProperty("busy_timeout", "30000");
        }
        hikari.setMaximumPoolSize(poolSize);
        this.pool = new HikariDataSource(hikari);
        String records = "/v1/collections/{c}/records";
        this.app = Javalin.create(config -> {
                    config.startup.showJavalinBanner = false;
                    config.startup.showOldJavalinVersionWarning = false;
                    config.jetty.host = "127.0.0.1";
                    config.jetty.port = 0;
                    config.routes.post(records, this::create);
                    config.routes.get(records + "/{id}", this::get);
                    config.routes.get(records, this::query);
                    config.routes.post("/v1/collections/{c}/count", this::count);
                })
                .start();
    }

    int port() {
        return app.port();
    }

    private void create(Context ctx) throws Exception {
        JsonNode body = JSON.readTree(ctx.bodyAsBytes());
        if (!body.path("fields").isObject()) {
            ctx.status(400).result("fields must be an object");
            return;
        }
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        writes(() -> {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement("INSERT INTO raw_records (" + COLUMNS + ") VALUES (?, "
                            + (postgres ? "?::jsonb, ?::jsonb" : "?, ?") + ", 1, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, JSON.writeValueAsString(body.get("fields")));
                ps.setString(3, "{}");
                setInstant(ps, 4, now);
                setInstant(ps, 5, now);
                ps.executeUpdate();
            }
        });
        ObjectNode record = JSON.createObjectNode()
                .put("id", id)
                .put("version", 1)
                .put("createdAt", now.toString())
                .put("updatedAt", now.toString());
        record.putObject("metadata");
        record.set("fields", body.get("fields"));
        ctx.status(201).header("Location", ctx.path() + "/" + id).header("ETag", "\"1\"");
        json(ctx, record);
    }

    private void get(Context ctx) throws Exception {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM raw_records WHERE id = ?")) {
            ps.setString(1, ctx.pathParam("id"));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    ctx.status(404);
                    return;
                }
                ObjectNode record = record(rs);
                ctx.header("ETag", "\"" + record.get("version").asLong() + "\"");
                json(ctx, record);
            }
        }
    }

    /** {@code ?filter={"city":…}&limit=n}: the page in id order, and where the next one starts. */
    private void query(Context ctx) throws Exception {
        String city = JSON.readTree(ctx.queryParam("filter")).path("city").asText();
        int limit = Integer.parseInt(ctx.queryParam("limit"));
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT " + COLUMNS + " FROM raw_records WHERE " + city() + " = ? ORDER BY id LIMIT ?")) {
            ps.setString(1, city);
            ps.setInt(2, limit + 1);
            ObjectNode page = JSON.createObjectNode();
            ArrayNode rows = page.putArray("records");
            try (ResultSet rs = ps.executeQuery()) {
                boolean more = false;
                while (rs.next()) {
                    if (rows.size() == limit) {
                        more = true;
                        break;
                    }
                    rows.add(record(rs));
                }
                page.put("next", more ? rows.get(rows.size() - 1).get("id").asText() : null);
            }
            json(ctx, page);
        }
    }

    /** {@code {"filter":{"city":…}}}. */
    private void count(Context ctx) throws Exception {
        String city =
                JSON.readTree(ctx.bodyAsBytes()).path("filter").path("city").asText();
        try (Connection c = pool.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT COUNT(*) FROM raw_records WHERE " + city() + " = ?")) {
            ps.setString(1, city);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                json(ctx, JSON.createObjectNode().put("count", rs.getLong(1)));
            }
        }
    }

    private String city() {
        return postgres ? "(fields->>'city')" : "json_extract(fields, '$.city')";
    }

    private ObjectNode record(ResultSet rs) throws Exception {
        ObjectNode record = JSON.createObjectNode()
                .put("id", rs.getString(1))
                .put("version", rs.getLong(4))
                .put("createdAt", instant(rs, 5).toString())
                .put("updatedAt", instant(rs, 6).toString());
        record.set("metadata", JSON.readTree(rs.getString(3)));
        record.set("fields", JSON.readTree(rs.getString(2)));
        return record;
    }

    private Instant instant(ResultSet rs, int column) throws SQLException {
        return postgres ? rs.getObject(column, OffsetDateTime.class).toInstant() : Instant.parse(rs.getString(column));
    }

    private void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (postgres) {
            ps.setTimestamp(index, Timestamp.from(instant));
        } else {
            ps.setString(index, instant.toString());
        }
    }

    private static void json(Context ctx, JsonNode body) throws Exception {
        ctx.contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    private interface SqlWork {
        void run() throws Exception;
    }

    private void writes(SqlWork work) throws Exception {
        if (postgres) {
            work.run();
            return;
        }
        writes.lock();
        try {
            work.run();
        } finally {
            writes.unlock();
        }
    }

    @Override
    public void close() {
        app.stop();
        pool.close();
    }
}
