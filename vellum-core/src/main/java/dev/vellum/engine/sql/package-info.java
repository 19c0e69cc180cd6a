/**
 * The SQL engine: the record store over a {@code JdbcDatabase} and a backend's dialects — writes and tombstones,
 * filters and sorts as SQL ({@code SqlFilter}, {@code SqlQueries}), aggregations ({@code SqlAggregation}) and the
 * change log ({@code SqlChangeLog}). Package-private inside; {@code SqlStore} is what {@code Vellum} opens.
 */
package dev.vellum.engine.sql;
