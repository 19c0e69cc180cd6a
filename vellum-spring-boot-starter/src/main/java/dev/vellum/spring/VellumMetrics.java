package dev.vellum.spring;

import dev.vellum.Database;
import dev.vellum.Health;
import dev.vellum.RecordStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * The connection pool on the application's registry, named as {@code vellum serve} names it:
 * {@code vellum.pool.connections} by state (active, idle, waiting, max).
 */
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
            gauge(registry, db, "waiting", Health.PoolState::waiting);
            gauge(registry, db, "max", Health.PoolState::max);
        });
    }

    private static void gauge(
            MeterRegistry registry, Database db, String state, ToDoubleFunction<Health.PoolState> value) {
        Gauge.builder("vellum.pool.connections", db, d -> value.applyAsDouble(d.poolState()))
                .tag("state", state)
                .description("Vellum's pooled database connections")
                .register(registry);
    }
}
