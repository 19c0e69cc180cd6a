package dev.vellum.server;

import dev.vellum.Database;
import dev.vellum.Health;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** Request, query and pool metrics in one Prometheus registry per server. */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    Metrics(Database database) {
        if (database != null) {
            pool(database, "active", Health.PoolState::active);
            pool(database, "idle", Health.PoolState::idle);
            pool(database, "waiting", Health.PoolState::waiting);
            pool(database, "max", Health.PoolState::max);
        }
    }

    private void pool(Database database, String state, ToDoubleFunction<Health.PoolState> value) {
        Gauge.builder("vellum.pool.connections", database, db -> value.applyAsDouble(db.poolState()))
                .tag("state", state).description("Database connections by state").register(registry);
    }

    /** One finished request, by route template (not the raw path, so ids do not explode the series). */
    void request(String method, String route, int status, long nanos) {
        Timer.builder("http.server.requests").tag("method", method).tag("route", route)
                .tag("status", String.valueOf(status)).description("HTTP requests").register(registry)
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Times one record-store operation (find, count, insert, …). */
    <T> T time(String operation, Supplier<T> work) {
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try {
            T result = work.get();
            outcome = "ok";
            return result;
        } finally {
            sample.stop(Timer.builder("vellum.store.operations").tag("operation", operation).tag("outcome", outcome)
                    .description("Record store operations").register(registry));
        }
    }

    String scrape() {
        return registry.scrape();
    }
}
