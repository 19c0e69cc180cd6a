package dev.vellum.engine;

import dev.vellum.Cancellation;
import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.ChangeSubscription;
import dev.vellum.ChangeTokenExpiredException;
import dev.vellum.Changes;
import dev.vellum.ChangesNotEnabledException;
import dev.vellum.Filter;
import dev.vellum.QueryException;
import dev.vellum.internal.Messages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The change feed API over any backend's {@link ChangeLog}: tokens, pages, filters, waits, subscriptions and
 * publishers are the same code on every backend; only how changes are stored and signalled differs.
 */
public final class Feed implements Changes {
    /**
     * How far a collection's or a filtered poll looks per read (in change numbers), and how many reads and how long
     * it spends before it answers with what it found (perhaps nothing, its token moved past what it looked at).
     */
    private static final long SCAN_WINDOW = 5_000;

    private static final int SCAN_READS = 20;
    private static final long SCAN_NANOS = Duration.ofSeconds(1).toNanos();
    /** How long a subscription's reader waits per poll before it checks whether it was closed. */
    private static final Duration SUBSCRIBER_WAIT = Duration.ofSeconds(1);

    private final ChangeLog log;
    private final String collection;
    private final Filter filter;
    /** The most a page holds, in bytes of JSON. */
    private final long pageBytes;

    public Feed(ChangeLog log, String collection, Filter filter) {
        this(log, collection, filter, log.maxAnswerBytes());
    }

    private Feed(ChangeLog log, String collection, Filter filter, long pageBytes) {
        this.log = log;
        this.collection = collection;
        this.filter = filter;
        this.pageBytes = pageBytes;
    }

    @Override
    public Changes withMaxPageBytes(long maxBytes) {
        Changes.super.withMaxPageBytes(maxBytes);
        return new Feed(log, collection, filter, Math.min(maxBytes, log.maxAnswerBytes()));
    }

    /** A token is ASCII digits within a long: Unicode digits ({@code ١٢}) and numbers past 2^63 are not tokens. */
    static long parseToken(String token) {
        if (token != null
                && !token.isEmpty()
                && token.length() <= 19
                && token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Long.parseLong(token);
            } catch (NumberFormatException pastLong) {
                // 19 digits above 9223372036854775807: the message below
            }
        }
        throw new QueryException(
                "after",
                "'" + Messages.abbreviate(String.valueOf(token)) + "' is not a change token: "
                        + "use a token the feed returned, 0 for the oldest retained change, or none to start from now");
    }

    /**
     * A collection's feed must be on. A waiting reader (a stream, a long-poll) takes a recent "on" from the others a
     * commit wakes with it rather than each asking the database.
     */
    private void checkEnabled(boolean waits) {
        if (collection != null
                && !(waits ? log.sharedReads().enabled(collection, log::enabled) : log.enabled(collection))) {
            throw new ChangesNotEnabledException(collection);
        }
    }

    @Override
    public long removeExpired() {
        return log.purgeNow();
    }

    @Override
    public String now() {
        checkEnabled(false);
        return Long.toString(log.head());
    }

    @Override
    public ChangePage poll(String after, int limit, Duration wait) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new QueryException("limit", "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (wait.isNegative()) {
            throw new QueryException("wait", "wait must not be negative");
        }
        boolean waits = !wait.isZero();
        checkEnabled(waits);
        log.purgeExpired();
        long from = after == null ? log.head() : parseToken(after);
        long deadline = System.nanoTime() + Math.min(wait.toNanos(), MAX_WAIT.toNanos());
        boolean first = true;
        while (true) {
            // read before looking, so a commit in between still wakes the wait; only a waiting poll starts the
            // backend's watcher (a LISTEN connection, a data-version check)
            long generation = waits ? log.signal().generation() : 0;
            ChangePage page = read(from, limit, after, waits ? generation : null);
            if (first
                    && page.changes().isEmpty()
                    && from > 0
                    && page.next().equals(Long.toString(from))
                    && log.sharedReads().isAhead(from, log::head)) {
                throw new QueryException(
                        "after",
                        "Change token " + from + " is ahead of this feed: it was not made by "
                                + "this database (after a copy or restore, start again from 0 or from now)");
            }
            first = false;
            long left = deadline - System.nanoTime();
            if (!page.changes().isEmpty() || left <= 0) {
                return page;
            }
            from = Long.parseLong(page.next());
            try {
                log.signal().await(generation, Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Cancellation.checkpoint();
                return page;
            }
        }
    }

    /**
     * One page after {@code from}; a collection's or a filtered feed reads on through changes that are not its own,
     * within a bound, and its token moves past them.
     */
    private ChangePage read(long from, int limit, String givenToken, Long generation) {
        List<Change> out = new ArrayList<>();
        long position = from;
        long bytesLeft = pageBytes;
        boolean selective = filter != null || collection != null;
        long started = System.nanoTime();
        long purged = -1;
        for (int reads = 1; ; reads++) {
            SharedReads.Question question = new SharedReads.Question(
                    position,
                    limit - out.size(),
                    collection,
                    filter,
                    selective ? SCAN_WINDOW : Long.MAX_VALUE,
                    bytesLeft,
                    out.isEmpty());
            ChangeLog.Batch batch;
            if (generation == null) {
                batch = ask(question);
            } else {
                SharedReads.Answer answer = log.sharedReads()
                        .read(generation, question, () -> new SharedReads.Answer(ask(question), log.purgedThrough()));
                batch = answer.batch();
                purged = Math.max(purged, answer.purgedThrough());
            }
            out.addAll(batch.changes());
            position = batch.position();
            bytesLeft -= batch.bytes();
            if (batch.full() || batch.reachedEnd() || reads == SCAN_READS || System.nanoTime() - started > SCAN_NANOS) {
                break;
            }
            Cancellation.checkpoint();
        }
        checkNotExpired(from, givenToken, purged >= 0 ? purged : log.purgedThrough());
        return new ChangePage(out, Long.toString(position));
    }

    private ChangeLog.Batch ask(SharedReads.Question q) {
        return log.read(q.after(), q.limit(), q.collection(), q.filter(), q.window(), q.maxBytes(), q.oneAnyway());
    }

    /**
     * A token is good while the change it names is kept: once retention has removed it, it is older than the
     * retention and refused, whether or not later changes were removed too. Checked after reading: a purge that
     * committed before the read shows here, so no gap is ever returned.
     */
    private void checkNotExpired(long from, String givenToken, long purgedThrough) {
        if (from > 0 && from <= purgedThrough) {
            throw new ChangeTokenExpiredException(givenToken == null ? Long.toString(from) : givenToken);
        }
    }

    /** Whether a change is one of a feed's: its collection's (null: any), matching its filter; every delete does. */
    public static boolean matches(Change change, String collection, Filter filter) {
        if (collection != null && !collection.equals(change.collection())) {
            return false;
        }
        return filter == null || change.record() == null || Semantics.matches(filter, change.record());
    }

    @Override
    public Changes filter(Filter filter) {
        java.util.Objects.requireNonNull(filter, "filter");
        return new Feed(log, collection, this.filter == null ? filter : Filter.and(this.filter, filter), pageBytes);
    }

    @Override
    public ChangeSubscription subscribe(String after, Consumer<Change> onChange) {
        java.util.Objects.requireNonNull(onChange, "onChange");
        String start = after == null ? now() : after;
        parseToken(start);
        Subscription subscription = new Subscription(start, onChange);
        subscription.thread.start();
        return subscription;
    }

    /** A reader thread that polls with a wait and hands each change to the callback. */
    private final class Subscription implements ChangeSubscription {
        private final AtomicReference<String> token;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Thread thread;

        Subscription(String start, Consumer<Change> onChange) {
            this.token = new AtomicReference<>(start);
            this.thread =
                    new Thread(() -> run(onChange), "vellum-changes-" + (collection == null ? "all" : collection));
            thread.setDaemon(true);
        }

        private void run(Consumer<Change> onChange) {
            try {
                while (!closed.get()) {
                    for (Change change : poll(token.get(), 100, SUBSCRIBER_WAIT).changes()) {
                        if (closed.get()) {
                            return;
                        }
                        onChange.accept(change);
                        token.set(change.token());
                    }
                }
            } catch (Throwable t) {
                if (!closed.get()) {
                    failure.set(t);
                }
            }
        }

        @Override
        public String token() {
            return token.get();
        }

        @Override
        public Optional<Throwable> failure() {
            return Optional.ofNullable(failure.get());
        }

        @Override
        public boolean isRunning() {
            return thread.isAlive();
        }

        @Override
        public void close() {
            closed.set(true);
            if (Thread.currentThread() != thread) {
                try {
                    thread.join(SUBSCRIBER_WAIT.toMillis() * 5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public Flow.Publisher<Change> publisher(String after) {
        String start = after == null ? now() : after;
        parseToken(start);
        return subscriber -> {
            java.util.Objects.requireNonNull(subscriber, "subscriber");
            new Delivery(start, subscriber).start();
        };
    }

    /** One subscriber's reader: reads no further ahead than the subscriber has asked for. */
    private final class Delivery implements Flow.Subscription {
        private final Flow.Subscriber<? super Change> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicReference<IllegalArgumentException> badRequest = new AtomicReference<>();
        private final Object lock = new Object();
        private String token;

        Delivery(String start, Flow.Subscriber<? super Change> subscriber) {
            this.token = start;
            this.subscriber = subscriber;
        }

        void start() {
            Thread thread = new Thread(this::run, "vellum-changes-publisher");
            thread.setDaemon(true);
            subscriber.onSubscribe(this);
            thread.start();
        }

        private void run() {
            try {
                while (!cancelled.get()) {
                    long wanted = awaitDemand();
                    if (badRequest.get() != null) {
                        throw badRequest.get();
                    }
                    if (wanted == 0) {
                        continue;
                    }
                    ChangePage page = poll(token, (int) Math.min(wanted, 500), SUBSCRIBER_WAIT);
                    for (Change change : page.changes()) {
                        if (cancelled.get()) {
                            return;
                        }
                        demand.decrementAndGet();
                        subscriber.onNext(change);
                    }
                    token = page.next();
                }
            } catch (Throwable t) {
                if (cancelled.compareAndSet(false, true)) {
                    subscriber.onError(t);
                }
            }
        }

        private long awaitDemand() throws InterruptedException {
            synchronized (lock) {
                if (demand.get() == 0 && !cancelled.get() && badRequest.get() == null) {
                    lock.wait(SUBSCRIBER_WAIT.toMillis());
                }
            }
            return demand.get();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                // signalled by the delivering thread, so the subscriber's signals stay serial (§1.3)
                badRequest.compareAndSet(
                        null,
                        new IllegalArgumentException(
                                "request(" + n + "): n must be positive " + "(Reactive Streams §3.9)"));
                synchronized (lock) {
                    lock.notifyAll();
                }
                return;
            }
            demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        @Override
        public void cancel() {
            cancelled.set(true);
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }
}
