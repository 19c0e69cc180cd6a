package dev.vellum.spi;

import java.util.List;

/** How a SQL backend records the writes of a collection for the change feed ({@link RecordDialect#feedCapture}). */
public interface FeedCapture {
    /**
     * DDL that records every row written to the collection's table (the backend's migrations define where): one
     * change per row, with the row after the write (none for a delete, whose version is the deleted one + 1). The
     * changes land in {@code vellum_changes} numbered in commit order, or, for a backend with a {@link
     * #sequenceChanges sequencer}, unnumbered in {@link #ownChangesTable} until it numbers them. Must be safe to run
     * again.
     */
    List<String> captureChanges(String table, String collection);

    /** DDL that removes what {@link #captureChanges} made. */
    List<String> stopCapturingChanges(String table, String collection);

    /**
     * A statement that takes the lock the feed's triggers take before a write, so a transaction can hold it before
     * its first write; null (the default) where writers do not wait for each other or are serialized anyway.
     */
    default String feedLock() {
        return null;
    }

    /**
     * For a backend whose triggers leave changes unnumbered so that writers need not wait for each other: a query
     * that numbers the changes of every transaction committed so far, after the newest change, and wakes readers.
     * It takes no parameters, answers one row whose first column is how many it numbered, runs in a transaction of its
     * own, and waits for a sequencer already running. Null (the default) where the triggers number changes as they
     * commit (SQLite, whose writers are serialized).
     */
    default String sequenceChanges() {
        return null;
    }

    /**
     * Upkeep of the table the {@link #sequenceChanges sequencer} empties: a statement run now and then, outside any
     * transaction, through the schema owner's connections, after many changes were numbered, so that the next runs
     * do not read through what the last ones left behind (PostgreSQL: {@code VACUUM}). Null (the default): none.
     */
    default String pendingUpkeep() {
        return null;
    }

    /**
     * The table a transaction's own changes are in until it commits, for a bulk load that corrects them before it
     * commits (see {@link #ownChanges}).
     */
    default String ownChangesTable() {
        return "vellum_changes";
    }

    /**
     * The condition on {@link #ownChangesTable} that selects the calling transaction's own changes, given the newest
     * change number read after the transaction took the {@link #feedLock} (or after its first write, where writers
     * are serialized). The default takes those numbered after it.
     */
    default Sql ownChanges(long headBefore) {
        return Sql.of("seq > ?", headBefore);
    }
}
