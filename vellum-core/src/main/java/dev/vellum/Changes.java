package dev.vellum;

import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A change feed: every committed write to a collection with its feed enabled ({@link Collection#changes()}), or to
 * every such collection ({@link RecordStore#changes()}), in commit order, each exactly once. Tokens are opaque
 * strings that survive restarts and work in any process over the same database; {@code "0"} is the start of the
 * retained changes, {@code null} means "from now". See docs/semantics.md, "Change feed".
 */
public interface Changes {

    /** Most changes one poll returns. */
    int MAX_LIMIT = 10_000;
    /** Longest a poll waits for a change. */
    Duration MAX_WAIT = Duration.ofMinutes(5);

    /**
     * Removes the store's changes older than the retention ({@code VELLUM_CHANGES_RETENTION}) now, whichever feed
     * this is; readers also do it, at most once a minute per process. Returns how many were removed.
     */
    long removeExpired();

    /** The token of the newest committed change: reading after it returns only later changes. */
    String now();

    /**
     * Up to {@code limit} changes after the token, at once (possibly none).
     *
     * @param after a token, {@code "0"} for the oldest retained change, or null for "from now"
     * @throws ChangeTokenExpiredException  when changes after the token were removed by retention
     * @throws ChangesNotEnabledException   for a collection whose feed is off
     * @throws QueryException               for a token this feed did not make, or a limit outside 1..10000
     */
    default ChangePage poll(String after, int limit) {
        return poll(after, limit, Duration.ZERO);
    }

    /**
     * Like {@link #poll(String, int)}, but when there is no change yet, waits up to {@code wait} (at most
     * {@link #MAX_WAIT}) for one and returns as soon as one commits, in this process or any other.
     */
    ChangePage poll(String after, int limit, Duration wait);

    /**
     * The same feed with only the changes whose record (after the write) matches the filter, plus every delete:
     * a delete carries no record, and a client holding that id must learn it is gone.
     */
    Changes filter(Filter filter);

    /**
     * The same feed with pages that end once their changes pass {@code maxBytes} of JSON (never more than
     * {@code VELLUM_MAX_ANSWER_SIZE}; a page always holds at least one change): for readers that hold each page while
     * a slow client takes it, such as a stream.
     *
     * @throws IllegalArgumentException when {@code maxBytes} is not positive
     */
    default Changes withMaxPageBytes(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        return this;
    }

    /**
     * Delivers the changes after the token, then live ones as they commit, to {@code onChange} on a thread of
     * its own, one at a time, until closed. If {@code onChange} throws, the subscription ends and that change
     * counts as not delivered: {@link ChangeSubscription#token()} is the token to resume from.
     */
    ChangeSubscription subscribe(String after, Consumer<Change> onChange);

    /**
     * The changes after the token as a reactive-streams publisher: each subscriber gets its own reader, delivering
     * no more than it has requested. A change's {@link Change#token()} is where to resume after it.
     */
    Flow.Publisher<Change> publisher(String after);
}
