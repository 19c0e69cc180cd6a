package dev.vellum.spring;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.concurrent.Callable;

/**
 * One Micrometer observation per store operation, named as {@code vellum serve} names its timer:
 * {@code vellum.store.operations} with {@code operation} and {@code outcome} (ok, error), so the application's
 * metrics have the server's timers; with a tracer set up, a span per operation named {@code <operation>
 * <collection>} with OpenTelemetry's database attributes ({@code db.system.name}, {@code db.operation.name},
 * {@code db.collection.name}).
 */
final class ObservationStoreObserver implements StoreObserver {
    static final String NAME = "vellum.store.operations";

    private final ObservationRegistry registry;

    ObservationStoreObserver(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <T> T observe(String backend, String operation, String collection, Callable<T> work) throws Exception {
        Observation observation = Observation.createNotStarted(NAME, registry)
                .contextualName(collection == null ? operation : operation + " " + collection)
                .lowCardinalityKeyValue("operation", operation)
                .lowCardinalityKeyValue("db.system.name", backend.equals("postgres") ? "postgresql" : backend)
                .lowCardinalityKeyValue("db.operation.name", operation);
        if (collection != null) {
            observation.highCardinalityKeyValue("db.collection.name", collection);
        }
        observation.start();
        try (Observation.Scope scope = observation.openScope()) {
            T result = work.call();
            observation.lowCardinalityKeyValue("outcome", "ok");
            return result;
        } catch (Exception | Error e) {
            observation.lowCardinalityKeyValue("outcome", "error");
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
        }
    }
}
