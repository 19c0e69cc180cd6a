package dev.vellum.internal;

import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Flyway's lines go while it runs Vellum's migrations (Flyway names it by class in its {@code loggers}
 * setting): one SLF4J logger, {@code dev.vellum.migrations}, a level down from Flyway's — its info and warnings at
 * DEBUG, its errors at WARN (Vellum reports a failed migration itself, as an exception). Opening a database prints
 * nothing at an application's usual INFO; set that logger to DEBUG to see every step.
 */
public final class MigrationLogs implements LogCreator {
    private static final Logger LOG = LoggerFactory.getLogger("dev.vellum.migrations");

    /** Flyway instantiates this by name, with no arguments. */
    public MigrationLogs() {}

    @Override
    public Log createLogger(Class<?> source) {
        return new Log() {
            @Override
            @SuppressWarnings("deprecation") // Flyway still asks it before building a debug message
            public boolean isDebugEnabled() {
                return LOG.isTraceEnabled();
            }

            @Override
            public void debug(String message) {
                LOG.trace(message);
            }

            @Override
            public void info(String message) {
                LOG.debug(message);
            }

            @Override
            public void warn(String message) {
                LOG.debug(message);
            }

            @Override
            public void error(String message) {
                LOG.warn(message);
            }

            @Override
            public void error(String message, Exception e) {
                LOG.warn(message, e);
            }

            @Override
            public void notice(String message) {
                LOG.debug(message);
            }
        };
    }
}
