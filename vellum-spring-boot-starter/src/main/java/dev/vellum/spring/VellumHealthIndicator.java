package dev.vellum.spring;

import dev.vellum.Database;
import dev.vellum.RecordStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP when the database answers (Vellum's own health check: a round trip and the schema version), with the backend,
 * server version, schema version and pool; DOWN with the reason, never a secret, otherwise.
 */
class VellumHealthIndicator implements HealthIndicator {
    private final RecordStore store;

    VellumHealthIndicator(RecordStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        try {
            if (store.database().isEmpty()) {
                store.collections(); // the memory backend: nothing to reach, the store answers
                return Health.up().withDetail("backend", "memory").build();
            }
            Database db = store.database().get();
            dev.vellum.Health h = db.health();
            return Health.up()
                    .withDetail("backend", h.backend())
                    .withDetail("serverVersion", h.serverVersion())
                    .withDetail("schemaVersion", h.schemaVersion())
                    .withDetail("pool", db.poolState().toString())
                    .build();
        } catch (RuntimeException e) {
            return Health.down().withDetail("error", e.getMessage()).build();
        }
    }
}
