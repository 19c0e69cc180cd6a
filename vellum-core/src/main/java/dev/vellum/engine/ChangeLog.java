package dev.vellum.engine;

import dev.vellum.Change;
import dev.vellum.Filter;
import dev.vellum.spi.ChangeSignal;
import java.util.List;

/**
 * Where a backend keeps its changes, numbered in commit order: a change numbered n is visible only once every change
 * numbered below n that will ever commit has committed. {@link Feed} builds the whole feed API on these calls.
 */
public interface ChangeLog {

    /** The number of the newest committed change (0 when none), never below {@link #purgedThrough()}. */
    long head();

    /**
     * The highest number retention has removed: a token at or below it names a change older than the retention.
     * Retention never removes the newest change, so the newest number is always a good token.
     */
    long purgedThrough();

    /**
     * The changes numbered after {@code after}, in order, that the read asks for: at most {@code limit}, of its
     * collection (null: every one) matching its filter (null: all; a delete always matches), numbered no further than
     * {@code window} past {@code after} (so a selective read looks at a bounded stretch; the collection and filter are
     * tested on that stretch, so no per-collection index costs each write), and while their JSON text fits
     * {@code maxBytes} (when {@code oneAnyway}, the first is taken whatever its size).
     */
    Batch read(long after, int limit, String collection, Filter filter, long window, long maxBytes, boolean oneAnyway);

    /**
     * What a read found. {@code position} is where the next read starts: the last change taken when the read stopped
     * at its limit or its bytes ({@code full}), else the last change of the stretch it looked at (the changes it
     * passed over are not the reader's). {@code reachedEnd}: no change is numbered past the stretch.
     */
    record Batch(List<Change> changes, long position, long bytes, boolean full, boolean reachedEnd) {}

    /** VELLUM_MAX_ANSWER_SIZE: the most JSON text one poll answers (it always answers one change it has). */
    long maxAnswerBytes();

    boolean enabled(String collection);

    /** Removes the changes older than the retention, now and then (each call may do nothing). */
    void purgeExpired();

    /** Removes the changes older than the retention now; returns how many. */
    long purgeNow();

    ChangeSignal signal();

    /** Where readers woken by one signal share their reads. */
    SharedReads sharedReads();
}
