package dev.vellum;

/**
 * A point-in-time report on a database.
 *
 * @param backend        {@code sqlite} or {@code postgres}
 * @param serverVersion  e.g. {@code SQLite 3.54.1} or {@code PostgreSQL 17.11}
 * @param target         where the data lives, without credentials
 * @param schemaVersion  the newest applied Vellum migration
 * @param pendingMigrations migrations known but not applied (Vellum's and the application's)
 * @param pool           connection pool state
 * @param encryption     how the connection is protected
 * @param replicas       the read replicas and the reads each served
 */
public record Health(
        String backend,
        String serverVersion,
        String target,
        String schemaVersion,
        int pendingMigrations,
        PoolState pool,
        String encryption,
        Replicas replicas) {

    /**
     * The read replicas as the last probe saw them (probed once a second; no query is run here).
     *
     * @param primaryReads record-store reads the primary served (no replica configured, far enough or answering)
     */
    public record Replicas(long primaryReads, java.util.List<Replica> members) {
        /** No replicas configured. */
        public static final Replicas NONE = new Replicas(0, java.util.List.of());
    }

    /**
     * @param state    {@code up}, {@code lagging}, {@code down} or {@code not-a-replica}; only {@code up} serves reads
     * @param lag      how far behind the primary it was at the last probe
     * @param replayed the write-ahead log position it had replayed
     * @param reads    record-store reads it served
     * @param problem  why it is down, or null
     */
    public record Replica(
            String name, String state, java.time.Duration lag, long replayed, long reads, String problem) {}

    /** @param waiting threads waiting for a connection */
    public record PoolState(int active, int idle, int waiting, int max) {
        @Override
        public String toString() {
            return active + " active, " + idle + " idle, " + waiting + " waiting, max " + max;
        }
    }
}
