package dev.vellum;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What an operator asks of a running database: statistics (from the database's own statistics views and pragmas)
 * and routine maintenance. Backs {@code vellum stats} and {@code vellum maintain}.
 */
public final class Maintenance {
    private Maintenance() {
    }

    /**
     * Pool, server and per-collection statistics as one JSON object. {@code slow} is the threshold for listing
     * running queries (PostgreSQL).
     */
    public static ObjectNode stats(RecordStore store, Duration slow) {
        ObjectNode out = JsonValues.MAPPER.createObjectNode();
        out.put("backend", store.backendName());
        Database db = store.database().orElse(null);
        if (db == null) {
            ObjectNode collections = out.putObject("collections");
            store.collections().forEach(c -> collections.putObject(c).put("records", store.collection(c).count()));
            return out;
        }
        Health.PoolState pool = db.poolState();
        db = owner(db);
        out.putObject("pool").put("active", pool.active()).put("idle", pool.idle()).put("waiting", pool.waiting())
                .put("max", pool.max());
        ObjectNode server = out.putObject("server");
        ObjectNode collections = out.putObject("collections");
        if (db.backendName().equals("postgres")) {
            postgresServer(db, server, slow);
        } else {
            sqliteServer(db, server);
        }
        for (String name : store.collections()) {
            ObjectNode c = collections.putObject(name);
            c.put("records", store.collection(name).count());
            String table = SqlStore.recordsTable(name);
            if (db.backendName().equals("postgres")) {
                Row row = db.fetchOne("SELECT pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS "
                        + "index_bytes, COALESCE(s.idx_scan, 0) AS index_scans, COALESCE(s.seq_scan, 0) AS seq_scans "
                        + "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                        + "WHERE c.oid = to_regclass(?)", "\"" + table + "\"").orElseThrow();
                c.put("tableBytes", row.getLong("table_bytes")).put("indexBytes", row.getLong("index_bytes"))
                        .put("indexScans", row.getLong("index_scans")).put("sequentialScans", row.getLong("seq_scans"));
            } else {
                c.put("tableBytes", sqliteBytes(db, "SELECT COALESCE(SUM(pgsize), 0) AS n FROM dbstat WHERE name = ?",
                        table));
                c.put("indexBytes", sqliteBytes(db, "SELECT COALESCE(SUM(d.pgsize), 0) AS n FROM dbstat d JOIN "
                        + "sqlite_schema s ON s.name = d.name WHERE s.type = 'index' AND s.tbl_name = ?", table));
            }
        }
        return out;
    }

    private static void postgresServer(Database db, ObjectNode server, Duration slow) {
        Row info = db.fetchOne("SELECT current_setting('server_version') AS version, current_database() AS database, "
                + "pg_database_size(current_database()) AS bytes").orElseThrow();
        server.put("version", info.getString("version")).put("database", info.getString("database"))
                .put("databaseBytes", info.getLong("bytes"));
        ObjectNode states = server.putObject("connectionsByState");
        for (Row r : db.fetchAll("SELECT COALESCE(state, 'background') AS state, COUNT(*) AS n FROM pg_stat_activity "
                + "WHERE datname = current_database() GROUP BY 1 ORDER BY 1")) {
            states.put(r.getString("state"), r.getLong("n"));
        }
        db.fetchOne("SELECT blks_hit::float8 / NULLIF(blks_hit + blks_read, 0) AS ratio FROM pg_stat_database "
                + "WHERE datname = current_database()").ifPresent(r -> {
                    Double ratio = r.getDouble("ratio");
                    if (ratio != null) {
                        server.put("cacheHitRatio", Math.round(ratio * 10_000) / 10_000.0);
                    }
                });
        ArrayNode running = server.putArray("slowQueries");
        for (Row r : db.fetchAll("SELECT pid, EXTRACT(EPOCH FROM now() - query_start)::float8 AS seconds, state, "
                + "left(query, 120) AS query FROM pg_stat_activity WHERE datname = current_database() AND state <> "
                + "'idle' AND pid <> pg_backend_pid() AND now() - query_start > make_interval(secs => ?) "
                + "ORDER BY query_start", slow.toMillis() / 1000.0)) {
            running.addObject().put("pid", r.getLong("pid")).put("seconds", r.getDouble("seconds"))
                    .put("state", r.getString("state")).put("query", r.getString("query"));
        }
        server.put("slowThresholdSeconds", slow.toMillis() / 1000.0);
    }

    private static void sqliteServer(Database db, ObjectNode server) {
        server.put("version", db.fetchOne("SELECT sqlite_version() AS v").orElseThrow().getString("v"));
        Path file = sqliteFile(db);
        server.put("file", file.toString());
        server.put("fileBytes", size(file)).put("walBytes", size(Path.of(file + "-wal")));
        server.put("pageSize", pragma(db, "page_size")).put("pages", pragma(db, "page_count"))
                .put("freePages", pragma(db, "freelist_count"));
    }

    /**
     * Routine upkeep. PostgreSQL: {@code VACUUM (ANALYZE)}. SQLite: {@code PRAGMA optimize}, a WAL checkpoint and,
     * with {@code vacuum}, {@code VACUUM}. Returns one line per step: what was done and what it reclaimed.
     */
    public static List<String> maintain(RecordStore store, boolean vacuum) {
        Database db = owner(store.database().orElseThrow(() -> new ConfigurationException(
                "The memory backend needs no maintenance")));
        List<String> done = new ArrayList<>();
        if (db.backendName().equals("postgres")) {
            long before = databaseBytes(db);
            long started = System.nanoTime();
            db.execute("VACUUM (ANALYZE)");
            done.add(String.format("VACUUM (ANALYZE) in %d ms: database %s -> %s", elapsedMillis(started),
                    bytes(before), bytes(databaseBytes(db))));
            return done;
        }
        Path file = sqliteFile(db);
        long started = System.nanoTime();
        db.execute("PRAGMA optimize");
        done.add("PRAGMA optimize in " + elapsedMillis(started) + " ms (statistics refreshed where useful)");
        long wal = size(Path.of(file + "-wal"));
        Row checkpoint = db.fetchOne("PRAGMA wal_checkpoint(TRUNCATE)").orElseThrow();
        done.add(String.format("WAL checkpoint: %s pages written back, WAL %s -> %s (busy: %s)",
                checkpoint.get(2), bytes(wal), bytes(size(Path.of(file + "-wal"))), checkpoint.get(0)));
        if (vacuum) {
            long before = size(file);
            long free = pragma(db, "freelist_count") * pragma(db, "page_size");
            started = System.nanoTime();
            db.execute("VACUUM");
            done.add(String.format("VACUUM in %d ms: file %s -> %s (%s were free pages)", elapsedMillis(started),
                    bytes(before), bytes(size(file)), bytes(free)));
        } else {
            long free = pragma(db, "freelist_count") * pragma(db, "page_size");
            done.add("VACUUM skipped (add --vacuum): it would reclaim about " + bytes(free) + " of free pages");
        }
        return done;
    }

    /** The schema owner's connections when configured: only a table's owner may vacuum it, and sees its stats. */
    private static Database owner(Database db) {
        return db instanceof dev.vellum.spi.JdbcDatabase jdbc ? jdbc.schemaChanges() : db;
    }

    private static long databaseBytes(Database db) {
        return db.fetchOne("SELECT pg_database_size(current_database()) AS n").orElseThrow().getLong("n");
    }

    private static Path sqliteFile(Database db) {
        return Path.of(db.fetchAll("PRAGMA database_list").stream().filter(r -> "main".equals(r.get(1)))
                .map(r -> String.valueOf(r.get(2))).findFirst().orElse(db.describeTarget()));
    }

    private static long pragma(Database db, String name) {
        return ((Number) db.fetchOne("PRAGMA " + name).orElseThrow().get(0)).longValue();
    }

    private static long sqliteBytes(Database db, String sql, String table) {
        try {
            return db.fetchOne(sql, table).orElseThrow().getLong("n");
        } catch (StorageException e) {
            return -1; // this SQLite build has no dbstat table
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long elapsedMillis(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** 1536 -> "1.5 KiB". */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
