package dev.vellum.spi;

import java.util.List;

/** How a SQL backend records the writes of a collection for the change feed ({@link RecordDialect#feedCapture}). */
public interface FeedCapture {
    /**
     * DDL that records every row written to the collection's table in {@code vellum_changes} (the backend's migration
     * V6 defines it): one change per row, numbered in commit order, with the row after the write (none for a
     * delete, whose version is the deleted one + 1). Must be safe to run again.
     */
    List<String> captureChanges(String table, String collection);

    /**
     * A statement that takes the lock the feed's triggers take before a write, so a transaction can hold it before
     * its first write; null where writers are serialized anyway (SQLite).
     */
    default String feedLock() {
        return null;
    }

    /** DDL that removes what {@link #captureChanges} made. */
    List<String> stopCapturingChanges(String table, String collection);
}
