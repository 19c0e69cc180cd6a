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
 */
public record Health(String backend, String serverVersion, String target, String schemaVersion,
                     int pendingMigrations, PoolState pool, String encryption) {

    /** @param waiting threads waiting for a connection */
    public record PoolState(int active, int idle, int waiting, int max) {
        @Override
        public String toString() {
            return active + " active, " + idle + " idle, " + waiting + " waiting, max " + max;
        }
    }
}
