package dev.vellum.sqlite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Database;
import dev.vellum.Row;
import dev.vellum.StorageException;
import dev.vellum.spi.ByteSizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code vellum stats} and {@code vellum maintain} ask of SQLite: its pragmas, dbstat, checkpoint and VACUUM. */
final class SqliteStats {
    private SqliteStats() {}

    static void describeServer(Database db, ObjectNode server) {
        server.put(
                "version",
                db.fetchOne("SELECT sqlite_version() AS v").orElseThrow().getString("v"));
        Path file = file(db);
        server.put("file", file.toString());
        server.put("fileBytes", size(file)).put("walBytes", size(Path.of(file + "-wal")));
        server.put("pageSize", pragma(db, "page_size"))
                .put("pages", pragma(db, "page_count"))
                .put("freePages", pragma(db, "freelist_count"));
    }

    static void describeTable(Database db, String table, ObjectNode collection) {
        collection.put(
                "tableBytes",
                dbstatBytes(db, "SELECT COALESCE(SUM(pgsize), 0) AS n FROM dbstat WHERE name = ?", table));
        collection.put(
                "indexBytes",
                dbstatBytes(
                        db,
                        "SELECT COALESCE(SUM(d.pgsize), 0) AS n FROM dbstat d JOIN "
                                + "sqlite_schema s ON s.name = d.name WHERE s.type = 'index' AND s.tbl_name = ?",
                        table));
    }

    /** {@code PRAGMA optimize}, a WAL checkpoint and, with {@code vacuum}, {@code VACUUM}. */
    static List<String> maintain(Database db, boolean vacuum) {
        List<String> done = new ArrayList<>();
        Path file = file(db);
        long started = System.nanoTime();
        db.execute("PRAGMA optimize");
        done.add("PRAGMA optimize in " + elapsedMillis(started) + " ms (statistics refreshed where useful)");
        long wal = size(Path.of(file + "-wal"));
        Row checkpoint = db.fetchOne("PRAGMA wal_checkpoint(TRUNCATE)").orElseThrow();
        done.add(String.format(
                "WAL checkpoint: %s pages written back, WAL %s -> %s (busy: %s)",
                checkpoint.get(2),
                ByteSizes.format(wal),
                ByteSizes.format(size(Path.of(file + "-wal"))),
                checkpoint.get(0)));
        long free = pragma(db, "freelist_count") * pragma(db, "page_size");
        if (vacuum) {
            long before = size(file);
            started = System.nanoTime();
            db.execute("VACUUM");
            done.add(String.format(
                    "VACUUM in %d ms: file %s -> %s (%s were free pages)",
                    elapsedMillis(started),
                    ByteSizes.format(before),
                    ByteSizes.format(size(file)),
                    ByteSizes.format(free)));
        } else {
            done.add("VACUUM skipped (maintain with vacuum=true): it would reclaim about " + ByteSizes.format(free)
                    + " of free pages");
        }
        return done;
    }

    private static Path file(Database db) {
        return Path.of(db.fetchAll("PRAGMA database_list").stream()
                .filter(r -> "main".equals(r.get(1)))
                .map(r -> String.valueOf(r.get(2)))
                .findFirst()
                .orElse(db.describeTarget()));
    }

    private static long pragma(Database db, String name) {
        return ((Number) db.fetchOne("PRAGMA " + name).orElseThrow().get(0)).longValue();
    }

    private static long dbstatBytes(Database db, String sql, String table) {
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
}
