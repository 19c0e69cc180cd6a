/**
 * What the engines behind the user API share: the collection's template ({@code BaseCollection}), the reference
 * semantics ({@code Semantics}), aggregations' checks and reference computation, the change feed over a change log,
 * record and index rules, projections, and typed mapping. The memory engine is {@code dev.vellum.engine.memory}, the
 * SQL engine {@code dev.vellum.engine.sql}; neither knows the other. Public only where they or the API package call
 * in; no compatibility promise: use {@code dev.vellum}.
 */
package dev.vellum.engine;
