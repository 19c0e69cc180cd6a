/**
 * Engine pieces the backends share: the JDBC engine, value rules and JSON handling, patterns, timestamps, cursors,
 * table names. Public only so that backend modules can use them; <b>not an API</b>: anything here may change or go
 * away in any release, without notice. Applications use {@code dev.vellum}; backends implement {@code dev.vellum.spi}.
 */
package dev.vellum.internal;
