package dev.vellum.spi;

import java.util.Optional;

/**
 * What the record store needs from a SQL backend, in facets: its record tables ({@link RecordTables}), how paths of a
 * record read and rewrite ({@link RecordPaths}), what its errors mean ({@link RecordErrors}), and, where it has them,
 * aggregations ({@link AggregateSql}) and a change feed ({@link FeedCapture}). The shared engine does everything
 * else, so every backend runs the same logic.
 */
public interface RecordDialect extends RecordTables, RecordPaths, RecordErrors {

    /** Aggregations in SQL; empty when the backend has none (aggregating then fails as unsupported). */
    default Optional<AggregateSql> aggregates() {
        return Optional.empty();
    }

    /** The change feed's capture; empty when the backend has none (enabling a feed then fails as unsupported). */
    default Optional<FeedCapture> feedCapture() {
        return Optional.empty();
    }
}
