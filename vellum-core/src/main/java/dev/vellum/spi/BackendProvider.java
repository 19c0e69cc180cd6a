package dev.vellum.spi;

import dev.vellum.Database;
import dev.vellum.VellumConfig;

/**
 * A backend module, found with {@link java.util.ServiceLoader}. Register an implementation in
 * {@code META-INF/services/dev.vellum.spi.BackendProvider}.
 */
public interface BackendProvider {

    /** The value of {@code VELLUM_DB_BACKEND} this provider serves: {@code sqlite} or {@code postgres}. */
    String name();

    /** Opens the database the configuration describes, applying migrations when {@link VellumConfig#autoMigrate()}. */
    Database open(VellumConfig config);

    /** The record store's SQL for this backend, for a database this provider opened. */
    RecordDialect recordDialect(Database db);
}
