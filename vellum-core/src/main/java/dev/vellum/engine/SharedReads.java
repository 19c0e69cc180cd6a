package dev.vellum.engine;

import dev.vellum.Cancellation;
import dev.vellum.Filter;
import dev.vellum.OperationCancelledException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Feed readers that wait on one signal share their reads: a commit wakes every stream of a feed at once, and those at
 * the same position asking the same question get one answer from one read, so a thousand streams cost one query per
 * commit instead of a thousand. An answer is shared only among readers that saw the same signal generation before
 * reading: it was read after that generation began, so it shows every commit the signal had told of, which is what
 * each of them would have read alone; a commit after it moves the generation on and wakes them to read again. A
 * signal may also not tell of commits at all (one that only polls, or a LISTEN connection being reconnected): then the
 * generation stays put, so an answer is shared only with readers that come within {@link #SHARED_NANOS} of its read
 * starting, which delays what a polling reader sees by no more than that.
 */
public final class SharedReads {
    /** Answers larger than this are shared with readers already waiting, then forgotten rather than kept. */
    private static final long KEPT_BYTES = 256 * 1024;
    /** Questions remembered per generation: past this, a reader reads alone. */
    private static final int KEPT_QUESTIONS = 64;

    /** An answer is shared with readers that ask within this of its read starting (they wake together). */
    private static final long SHARED_NANOS = 250_000_000L;
    /** A collection's feed seen enabled this recently is taken as still enabled by a waiting reader. */
    private static final long ENABLED_NANOS = 1_000_000_000L;

    /** One read's question: everything {@link ChangeLog#read} is asked. */
    record Question(
            long after, int limit, String collection, Filter filter, long window, long maxBytes, boolean oneAnyway) {}

    /**
     * A read's answer, and how far retention had removed changes just after it: a change the read passed over
     * because retention had removed it shows there, so a reader whose token it named learns its token expired.
     */
    record Answer(ChangeLog.Batch batch, long purgedThrough) {}

    /** A read under way or done, and when it started (nanoTime). */
    private record Shared(CompletableFuture<Answer> answer, long started) {}

    private long generation = Long.MIN_VALUE;
    private final Map<Question, Shared> answers = new HashMap<>();
    /** The newest change number seen so far: it only grows, so a token at or below it is not ahead of the feed. */
    private final AtomicLong knownHead = new AtomicLong();
    /** When each collection's feed was last seen enabled (nanoTime). */
    private final Map<String, Long> enabledAt = new ConcurrentHashMap<>();

    /** Whether {@code token} is past every change of the feed: asks only when it is past every one seen so far. */
    boolean isAhead(long token, LongSupplier head) {
        if (token <= knownHead.get()) {
            return false;
        }
        return token > knownHead.accumulateAndGet(head.getAsLong(), Math::max);
    }

    /**
     * Whether a collection's feed is enabled, for a waiting reader: one that found it enabled within the last second
     * is not asked again, so a thousand streams do not each ask at every wake-up. Disabling is noticed within that.
     */
    boolean enabled(String collection, Predicate<String> check) {
        Long at = enabledAt.get(collection);
        if (at != null && System.nanoTime() - at < ENABLED_NANOS) {
            return true;
        }
        boolean enabled = check.test(collection);
        if (enabled) {
            enabledAt.put(collection, System.nanoTime());
        } else {
            enabledAt.remove(collection);
        }
        return enabled;
    }

    /** The answer to {@code question} for readers that saw {@code seen} before reading: shared, or read now. */
    Answer read(long seen, Question question, Supplier<Answer> read) {
        CompletableFuture<Answer> shared = null;
        CompletableFuture<Answer> mine = null;
        long now = System.nanoTime();
        synchronized (this) {
            if (seen > generation) {
                generation = seen;
                answers.clear();
            }
            if (seen == generation) {
                Shared found = answers.get(question);
                if (found != null && now - found.started() <= SHARED_NANOS) {
                    shared = found.answer();
                } else if (found != null || answers.size() < KEPT_QUESTIONS) {
                    mine = new CompletableFuture<>();
                    answers.put(question, new Shared(mine, now));
                }
            }
        }
        if (shared != null) {
            try {
                return shared.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Cancellation.checkpoint();
                throw new OperationCancelledException("Interrupted while waiting for a change-feed read", e);
            } catch (ExecutionException e) {
                return read.get(); // the one who read failed (cancelled, say): read alone
            }
        }
        if (mine == null) {
            return read.get();
        }
        try {
            Answer answer = read.get();
            mine.complete(answer);
            if (answer.batch().bytes() > KEPT_BYTES) {
                forget(question, mine);
            }
            return answer;
        } catch (RuntimeException | Error e) {
            forget(question, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private synchronized void forget(Question question, CompletableFuture<Answer> answer) {
        Shared found = answers.get(question);
        if (found != null && found.answer() == answer) {
            answers.remove(question);
        }
    }
}
