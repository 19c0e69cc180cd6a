package dev.vellum.spring;

import dev.vellum.Database;
import dev.vellum.Health;
import dev.vellum.RecordStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.ToDoubleFunction;

/** The connection pool on the application's registry: {@code vellum.pool.connections} by state, and its maximum. */
class VellumMetrics implements MeterBinder {
    private final RecordStore store;

    VellumMetrics(RecordStore store) {
        this.store = store;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        store.database().ifPresent(db -> {
            gauge(registry, db, "active", Health.PoolState::active);
            gauge(registry, db, "idle", Health.PoolState::idle);
            gauge(registry, db, "pending", Health.PoolState::waiting);
            Gauge.builder("vellum.pool.max", db, d -> d.poolState().max())
                    .description("Most connections Vellum's pool opens").register(registry);
        });
    }

    private static void gauge(MeterRegistry registry, Database db, String state,
                              ToDoubleFunction<Health.PoolState> value) {
        Gauge.builder("vellum.pool.connections", db, d -> value.applyAsDouble(d.poolState())).tag("state", state)
                .description("Vellum's pooled database connections").register(registry);
    }
}
