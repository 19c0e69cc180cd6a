/**
 * The engine behind the user API: the memory store (the reference semantics), the SQL record store over a
 * {@code JdbcDatabase} and a backend's dialects, filters and sorts as SQL, aggregations, the change feed over a change
 * log, and typed mapping. Public only where the API package calls in; no compatibility promise: use {@code dev.vellum}.
 */
package dev.vellum.engine;
