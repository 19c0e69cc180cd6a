/**
 * The contracts a backend module implements: a {@link dev.vellum.spi.BackendProvider} (found with
 * {@link java.util.ServiceLoader}; it claims its backend names and URLs), and for a SQL backend its
 * {@link dev.vellum.spi.SqlDialect} (the SQL layer) and {@link dev.vellum.spi.RecordDialect} (the record store's SQL).
 * See docs/architecture.md.
 */
package dev.vellum.spi;
