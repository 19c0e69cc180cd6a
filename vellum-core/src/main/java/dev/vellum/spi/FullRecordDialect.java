package dev.vellum.spi;

import java.util.Optional;

/** A {@link RecordDialect} with every optional facet: aggregations in SQL and a change feed. */
public interface FullRecordDialect extends RecordDialect, AggregateSql, FeedCapture {

    @Override
    default Optional<AggregateSql> aggregates() {
        return Optional.of(this);
    }

    @Override
    default Optional<FeedCapture> feedCapture() {
        return Optional.of(this);
    }
}
