package dev.vellum.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ConfigurationException;
import dev.vellum.Database;
import dev.vellum.Health;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import dev.vellum.spi.BackendProvider;
import dev.vellum.spi.ByteSizes;
import dev.vellum.spi.RecordTable;
import java.time.Duration;
import java.util.List;

/**
 * What an operator asks of a running database: statistics (from the database's own statistics views) and routine
 * maintenance, each supplied by the backend's {@link BackendProvider}. Backs {@code vellum stats} and
 * {@code vellum maintain}.
 */
public final class Maintenance {
    private Maintenance() {}

    /**
     * Pool, server and per-collection statistics as one JSON object. {@code slow} is the threshold for listing
     * running statements, where the backend can.
     */
    public static ObjectNode stats(RecordStore store, Duration slow) {
        ObjectNode out = VellumJson.nodes().objectNode();
        out.put("backend", store.backendName());
        Database db = store.database().orElse(null);
        if (db == null) {
            ObjectNode collections = out.putObject("collections");
            store.collections()
                    .forEach(c -> collections
                            .putObject(c)
                            .put("records", store.collection(c).count()));
            return out;
        }
        BackendProvider backend = BackendProvider.named(store.backendName());
        Health.PoolState pool = db.poolState();
        Database owner = db.schemaOwner();
        out.putObject("pool")
                .put("active", pool.active())
                .put("idle", pool.idle())
                .put("waiting", pool.waiting())
                .put("max", pool.max());
        backend.describeServer(owner, out.putObject("server"), slow);
        ObjectNode collections = out.putObject("collections");
        for (String name : store.collections()) {
            ObjectNode c = collections.putObject(name);
            c.put("records", store.collection(name).count());
            c.put("changeFeed", store.collection(name).changesEnabled());
            backend.describeTable(owner, RecordTable.name(name), c);
        }
        return out;
    }

    /**
     * Routine upkeep, as the backend defines it (for instance {@code VACUUM (ANALYZE)} on PostgreSQL, statistics and
     * a WAL checkpoint on SQLite); {@code vacuum} also rebuilds files to return free space where that is a separate,
     * slower step. Returns one line per step: what was done and what it reclaimed.
     */
    public static List<String> maintain(RecordStore store, boolean vacuum) {
        Database db = store.database()
                .orElseThrow(() ->
                        new ConfigurationException("The " + store.backendName() + " backend needs no maintenance"));
        List<String> lines = new java.util.ArrayList<>(
                BackendProvider.named(store.backendName()).maintain(db.schemaOwner(), vacuum));
        lines.add("change feed: removed " + store.changes().removeExpired() + " change(s) older than the retention "
                + "(VELLUM_CHANGES_RETENTION)");
        return lines;
    }

    /** 1536 -> "1.5 KiB". */
    public static String bytes(long n) {
        return ByteSizes.format(n);
    }
}
