package dev.vellum;

import dev.vellum.spi.ChangeSignal;

import java.util.List;

/**
 * Where a backend keeps its changes, numbered in commit order: a change numbered n is visible only once every change
 * numbered below n that will ever commit has committed. {@link Feed} builds the whole feed API on these calls.
 */
interface ChangeLog {

    /** The number of the newest committed change (0 when none), never below {@link #purgedThrough()}. */
    long head();

    /**
     * The highest number retention has removed: a token at or below it names a change older than the retention.
     * Retention never removes the newest change, so the newest number is always a good token.
     */
    long purgedThrough();

    /**
     * Up to {@code limit} changes numbered after {@code after}, in order, of every collection (a collection's feed
     * picks its own as it reads, so no per-collection index costs each write).
     */
    List<Change> read(long after, int limit);

    boolean enabled(String collection);

    /** Removes the changes older than the retention, now and then (each call may do nothing). */
    void purgeExpired();

    /** Removes the changes older than the retention now; returns how many. */
    long purgeNow();

    ChangeSignal signal();
}
