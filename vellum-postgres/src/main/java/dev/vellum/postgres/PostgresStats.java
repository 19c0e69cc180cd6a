package dev.vellum.postgres;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Database;
import dev.vellum.Row;
import dev.vellum.spi.ByteSizes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What {@code vellum stats} and {@code vellum maintain} ask of PostgreSQL: its statistics views and VACUUM. */
final class PostgresStats {
    private PostgresStats() {}

    static void describeServer(Database db, ObjectNode server, Duration slow) {
        Row info = db.fetchOne("SELECT current_setting('server_version') AS version, current_database() AS database, "
                        + "pg_database_size(current_database()) AS bytes")
                .orElseThrow();
        server.put("version", info.getString("version"))
                .put("database", info.getString("database"))
                .put("databaseBytes", info.getLong("bytes"));
        if (db.dialect() instanceof PostgresDialect dialect) { // the database's own: it knows about a pooler
            server.put("encryption", db.withConnection(dialect::connectionSecurity));
        }
        dev.vellum.Health.Replicas replicas = db.replicaStatus();
        if (!replicas.members().isEmpty()) {
            ArrayNode list = server.putArray("replicas");
            replicas.members().forEach(m -> {
                ObjectNode r = list.addObject()
                        .put("name", m.name())
                        .put("state", m.state())
                        .put("lagMillis", m.lag().toMillis())
                        .put("reads", m.reads());
                if (m.problem() != null) {
                    r.put("problem", m.problem());
                }
            });
            server.put("primaryReads", replicas.primaryReads());
        }
        ObjectNode states = server.putObject("connectionsByState");
        for (Row r : db.fetchAll("SELECT COALESCE(state, 'background') AS state, COUNT(*) AS n FROM pg_stat_activity "
                + "WHERE datname = current_database() GROUP BY 1 ORDER BY 1")) {
            states.put(r.getString("state"), r.getLong("n"));
        }
        db.fetchOne("SELECT blks_hit::float8 / NULLIF(blks_hit + blks_read, 0) AS ratio FROM pg_stat_database "
                        + "WHERE datname = current_database()")
                .ifPresent(r -> {
                    Double ratio = r.getDouble("ratio");
                    if (ratio != null) {
                        server.put("cacheHitRatio", Math.round(ratio * 10_000) / 10_000.0);
                    }
                });
        ArrayNode running = server.putArray("slowQueries");
        for (Row r : db.fetchAll(
                "SELECT pid, EXTRACT(EPOCH FROM now() - query_start)::float8 AS seconds, state, "
                        + "left(query, 120) AS query FROM pg_stat_activity WHERE datname = current_database() AND state <> "
                        + "'idle' AND pid <> pg_backend_pid() AND now() - query_start > make_interval(secs => ?) "
                        + "ORDER BY query_start",
                slow.toMillis() / 1000.0)) {
            running.addObject()
                    .put("pid", r.getLong("pid"))
                    .put("seconds", r.getDouble("seconds"))
                    .put("state", r.getString("state"))
                    .put("query", r.getString("query"));
        }
        server.put("slowThresholdSeconds", slow.toMillis() / 1000.0);
    }

    static void describeTable(Database db, String table, ObjectNode collection) {
        Row row = db.fetchOne(
                        "SELECT pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS "
                                + "index_bytes, COALESCE(s.idx_scan, 0) AS index_scans, COALESCE(s.seq_scan, 0) AS seq_scans "
                                + "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                                + "WHERE c.oid = to_regclass(?)",
                        db.dialect().quote(table))
                .orElseThrow();
        collection
                .put("tableBytes", row.getLong("table_bytes"))
                .put("indexBytes", row.getLong("index_bytes"))
                .put("indexScans", row.getLong("index_scans"))
                .put("sequentialScans", row.getLong("seq_scans"));
    }

    /** {@code VACUUM (ANALYZE)}: PostgreSQL returns free space inside its files, so there is no separate step. */
    static List<String> maintain(Database owner) {
        List<String> done = new ArrayList<>();
        long before = databaseBytes(owner);
        long started = System.nanoTime();
        owner.execute("VACUUM (ANALYZE)");
        done.add(String.format(
                "VACUUM (ANALYZE) in %d ms: database %s -> %s",
                (System.nanoTime() - started) / 1_000_000,
                ByteSizes.format(before),
                ByteSizes.format(databaseBytes(owner))));
        return done;
    }

    private static long databaseBytes(Database db) {
        return db.fetchOne("SELECT pg_database_size(current_database()) AS n")
                .orElseThrow()
                .getLong("n");
    }
}
