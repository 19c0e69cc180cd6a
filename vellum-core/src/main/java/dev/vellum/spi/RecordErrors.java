package dev.vellum.spi;

import java.sql.SQLException;

/** What a SQL backend's errors mean to the record store: duplicates, index limits and failed field operators. */
public interface RecordErrors {
    /** True when the error is a unique or primary-key violation. */
    boolean isUniqueViolation(SQLException e);

    /**
     * True when the error says an index entry is larger than the database allows, which the record store's own size
     * rule normally prevents (it is the backstop for an index this process has not seen yet).
     */
    default boolean isIndexEntryTooLarge(SQLException e) {
        return false;
    }

    /** The message of a failed {@link RecordPaths#fieldUpdate}, or null when the error is another one. */
    default String fieldUpdateFailure(SQLException e) {
        return null;
    }
}
