package dev.vellum.server;

import dev.vellum.Database;
import dev.vellum.Health;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** Request, query and pool metrics in one Prometheus registry per server. */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // each request finds its timers here: building a meter's id and looking it up costs more than recording
    private final ConcurrentHashMap<RequestSeries, Timer> requestTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> succeeded = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> failed = new ConcurrentHashMap<>();

    private record RequestSeries(String method, String route, int status) {}

    Metrics(Database database) {
        if (database != null) {
            pool(database, "active", Health.PoolState::active);
            pool(database, "idle", Health.PoolState::idle);
            pool(database, "waiting", Health.PoolState::waiting);
            pool(database, "max", Health.PoolState::max);
            replicas(database);
        }
    }

    /** Per replica: lag, whether it serves reads, and reads served; reads the primary served in their place. */
    private void replicas(Database database) {
        java.util.List<Health.Replica> members = database.replicaStatus().members();
        for (int i = 0; i < members.size(); i++) {
            int index = i;
            String name = members.get(i).name();
            Gauge.builder(
                            "vellum.replica.lag.seconds",
                            database,
                            db -> member(db, index).lag().toMillis() / 1000.0)
                    .tag("replica", name)
                    .description("How far the replica was behind the primary at the last probe")
                    .register(registry);
            Gauge.builder(
                            "vellum.replica.serving",
                            database,
                            db -> member(db, index).state().equals("up") ? 1 : 0)
                    .tag("replica", name)
                    .description("1 while the replica serves reads, 0 while it is left out")
                    .register(registry);
            FunctionCounter.builder(
                            "vellum.reads", database, db -> member(db, index).reads())
                    .tag("pool", name)
                    .description("Record-store reads served, by pool")
                    .register(registry);
        }
        if (!members.isEmpty()) {
            FunctionCounter.builder(
                            "vellum.reads", database, db -> db.replicaStatus().primaryReads())
                    .tag("pool", "primary")
                    .description("Record-store reads served, by pool")
                    .register(registry);
        }
    }

    private static Health.Replica member(Database database, int index) {
        return database.replicaStatus().members().get(index);
    }

    private void pool(Database database, String state, ToDoubleFunction<Health.PoolState> value) {
        Gauge.builder("vellum.pool.connections", database, db -> value.applyAsDouble(db.poolState()))
                .tag("state", state)
                .description("Database connections by state")
                .register(registry);
    }

    /** One finished request, by route template (not the raw path, so ids do not explode the series). */
    void request(String method, String route, int status, long nanos) {
        requestTimers
                .computeIfAbsent(
                        new RequestSeries(method, route, status),
                        series -> Timer.builder("http.server.requests")
                                .tag("method", method)
                                .tag("route", route)
                                .tag("status", String.valueOf(status))
                                .description("HTTP requests")
                                .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Times one record-store operation (find, count, insert, …). */
    <T> T time(String operation, Supplier<T> work) {
        long started = System.nanoTime();
        boolean ok = false;
        try {
            T result = work.get();
            ok = true;
            return result;
        } finally {
            operationTimer(operation, ok)
                    .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Timer operationTimer(String operation, boolean ok) {
        return (ok ? succeeded : failed)
                .computeIfAbsent(
                        operation,
                        name -> Timer.builder("vellum.store.operations")
                                .tag("operation", name)
                                .tag("outcome", ok ? "ok" : "error")
                                .description("Record store operations")
                                .register(registry));
    }

    /** Every series, or (for a caller who may not know the topology) all but those labelled with a replica. */
    String scrape(boolean topology) {
        String all = registry.scrape();
        if (topology) {
            return all;
        }
        StringBuilder kept = new StringBuilder(all.length());
        all.lines()
                .filter(line -> !line.contains("replica=\"") && !line.contains("pool=\""))
                .forEach(line -> kept.append(line).append('\n'));
        return kept.toString();
    }
}
