package dev.vellum.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vellum.Change;
import dev.vellum.ChangePage;
import dev.vellum.Changes;
import dev.vellum.VellumJson;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Server-Sent Events streams without a thread each. A stream behind its feed catches up with reads of its own, on a
 * few shared threads; once caught up it joins its feed's dispatcher: one thread per feed that waits for commits,
 * reads each new page once and writes it to every stream following that feed. Writes never block: a stream whose
 * client falls a page behind leaves the dispatcher and catches up on its own again, so a slow client holds neither a
 * thread, nor more than about a page of memory, nor anyone else back.
 */
final class EventStreams {
    /**
     * How long a quiet stream goes without a byte. A client that left is only noticed when a write fails, so this
     * bounds how long its reader is held: two heartbeats, as the first write after it left may still be accepted.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** A stream holds at most about this much written but not yet taken by its client. */
    static final long QUEUED_BYTES = 1 << 20;
    /** Changes up to this size are serialized once for all the streams that send them. */
    private static final long SHARED_EVENT_BYTES = 64 * 1024;
    /** Events smaller than this are written together, one write for several. */
    private static final int COALESCED_BYTES = 16 * 1024;
    /** How many changes a dispatcher reads at once. */
    private static final int DISPATCH_LIMIT = 500;

    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT_LINE = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);
    /** Writes an event's data into a buffer that stays open for the event's end. */
    private static final ObjectWriter EVENT_DATA = VellumJson.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** Recent changes' events by token: a commit reaches every stream of a feed, each sending the same bytes. */
    private final Cache<String, byte[]> events = Caffeine.newBuilder()
            .maximumWeight(16 << 20)
            .weigher((String token, byte[] event) -> event.length)
            .expireAfterWrite(Duration.ofMinutes(1))
            .build();

    private final Map<String, Dispatcher> dispatchers = new ConcurrentHashMap<>();
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    /** Catch-up reads; each is bounded (a page, a scan window, a second), so a few threads serve every stream. */
    private final ExecutorService readers;

    private final BiFunction<String, Throwable, byte[]> errorEvent;
    private volatile boolean closed;

    /** {@code errorEvent}: the {@code event: error} that ends a stream of a path after a failure. */
    EventStreams(int readerThreads, BiFunction<String, Throwable, byte[]> errorEvent) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                readerThreads, readerThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "vellum-feed-reader-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true); // no stream catching up, no thread
        this.readers = pool;
        this.errorEvent = errorEvent;
    }

    /**
     * Takes over a request whose answer has started: {@code opening} and {@code first} are written, then the changes
     * after {@code first}'s next token, until the client leaves or the server stops. Completes when the stream ends;
     * {@code onEnd} runs once then.
     *
     * @param feedKey streams with the same key follow the same feed (path and filter) and share a dispatcher
     */
    CompletableFuture<Void> start(
            String feedKey,
            Changes feed,
            int limit,
            String opening,
            ChangePage first,
            HttpServletRequest request,
            HttpServletResponse response,
            Runnable onEnd)
            throws IOException {
        Stream stream = new Stream(feedKey, feed, limit, request.getRequestURI(), onEnd);
        open.add(stream);
        if (closed) {
            stream.finish();
            return stream.done;
        }
        AsyncContext async = request.getAsyncContext();
        async.setTimeout(0); // the stream ends when the client leaves or the server stops, never on a timer
        byte[][] firstEvents = null;
        Throwable failure = null;
        try {
            firstEvents = eventsOf(first.changes());
        } catch (RuntimeException | OutOfMemoryError e) {
            failure = e;
        }
        // a first page without changes is the end of the feed: the stream joins its dispatcher without reading again
        boolean caughtUp = firstEvents != null && first.changes().isEmpty();
        synchronized (stream) {
            stream.enqueue(opening.getBytes(StandardCharsets.UTF_8));
            if (firstEvents != null) {
                stream.take(tokensOf(first.changes()), firstEvents, Long.parseLong(first.next()));
            }
            stream.reading = caughtUp; // no catch-up read meanwhile
            stream.out = response.getOutputStream();
        }
        stream.out.setWriteListener(stream); // the container calls onWritePossible when it can take the first write
        if (failure != null) {
            stream.fail(failure);
        } else if (caughtUp) {
            stream.joinOrReadOn();
        }
        return stream.done;
    }

    /** Ends every stream, so the server can stop. */
    void close() {
        closed = true;
        for (Stream stream : open) {
            stream.finish();
        }
        readers.shutdownNow();
    }

    /** The events of {@code changes}, small ones shared with every other stream that sends them. */
    private byte[][] eventsOf(List<Change> changes) {
        byte[][] bytes = new byte[changes.size()][];
        for (int i = 0; i < bytes.length; i++) {
            Change change = changes.get(i);
            bytes[i] = isSmall(change) ? events.get(change.token(), token -> event(change)) : event(change);
        }
        return bytes;
    }

    private static boolean isSmall(Change change) {
        return change.record() == null
                || VellumJson.textSizeUpTo(change.record().fields(), SHARED_EVENT_BYTES)
                                + VellumJson.textSizeUpTo(change.record().metadata(), SHARED_EVENT_BYTES)
                        <= SHARED_EVENT_BYTES;
    }

    /** One event: {@code id:} the token, {@code event:} the op, {@code data:} the change as one line of JSON. */
    private static byte[] event(Change change) {
        ByteArrayOutputStream event = new ByteArrayOutputStream(512);
        try {
            event.write(("id: " + change.token() + "\nevent: " + change.op().wireName() + "\ndata: ")
                    .getBytes(StandardCharsets.UTF_8));
            EVENT_DATA.writeValue(event, change.toJson());
            event.write(EVENT_END);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from memory
        }
        return event.toByteArray();
    }

    private static long[] tokensOf(List<Change> changes) {
        long[] tokens = new long[changes.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Long.parseLong(changes.get(i).token());
        }
        return tokens;
    }

    /** Runs {@code task} on a reader thread, or ends {@code stream} when the server is stopping. */
    private void read(Stream stream, Runnable task) {
        try {
            readers.execute(task);
        } catch (RejectedExecutionException stopping) {
            stream.finish();
        }
    }

    /** One client's stream: events queued for it, written as fast as its connection takes them. */
    private final class Stream implements WriteListener {
        private final String feedKey;
        private final Changes feed;
        private final int limit;
        private final String path;
        private final Runnable onEnd;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        // guarded by this
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        private long queued;
        /** The token after which this stream's next change comes. */
        private long position;
        /** Following its feed's dispatcher, which hands it each new page. */
        private boolean live;
        /** A catch-up read is under way. */
        private boolean reading;

        private boolean unflushed;
        /** Ends once what is queued has been written (after an error event). */
        private boolean ending;

        private boolean ended;
        private long lastWrite = System.nanoTime();
        private ServletOutputStream out;

        Stream(String feedKey, Changes feed, int limit, String path, Runnable onEnd) {
            this.feedKey = feedKey;
            this.feed = feed;
            this.limit = limit;
            this.path = path;
            this.onEnd = onEnd;
        }

        private void enqueue(byte[] bytes) {
            queue.add(bytes);
            queued += bytes.length;
        }

        /**
         * Queues the changes after this stream's position while its client keeps up; returns false when it fell
         * behind (then it reads the rest itself, once what is queued is written).
         */
        private boolean take(long[] tokens, byte[][] bytes, long next) {
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] <= position) {
                    continue;
                }
                if (queued > QUEUED_BYTES) {
                    return false;
                }
                enqueue(bytes[i]);
                position = tokens[i];
            }
            position = Math.max(position, next);
            return true;
        }

        /**
         * From the dispatcher, after each wait: the new page, or a heartbeat for a quiet stream, so a client that
         * left is noticed. Returns false when this stream no longer follows the dispatcher.
         */
        synchronized boolean deliver(long[] tokens, byte[][] bytes, long next, long now) {
            if (ended || ending) {
                return false;
            }
            live = take(tokens, bytes, next);
            if (queue.isEmpty() && now - lastWrite >= HEARTBEAT.toNanos()) {
                enqueue(HEARTBEAT_LINE);
            }
            drain();
            return live;
        }

        @Override
        public synchronized void onWritePossible() {
            drain();
        }

        @Override
        public void onError(Throwable gone) {
            finish(); // the client went away: nothing to answer
        }

        /** Writes what is queued while the connection takes it; when all is written, reads on or ends. */
        private void drain() {
            if (ended || out == null) {
                return;
            }
            try {
                while (out.isReady()) {
                    if (!queue.isEmpty()) {
                        byte[] next = nextWrite();
                        queued -= next.length;
                        out.write(next);
                        unflushed = true;
                        lastWrite = System.nanoTime();
                    } else if (unflushed) {
                        unflushed = false;
                        out.flush();
                    } else {
                        if (ending) {
                            finish();
                        } else if (!live && !reading) {
                            reading = true;
                            read(this, this::catchUp);
                        }
                        return;
                    }
                }
            } catch (IOException | IllegalStateException gone) {
                finish();
            }
        }

        /** The next write: small events together, so a burst costs one write. */
        private byte[] nextWrite() {
            byte[] first = queue.poll();
            if (queue.isEmpty() || first.length + queue.peek().length > COALESCED_BYTES) {
                return first;
            }
            ByteArrayOutputStream joined = new ByteArrayOutputStream(COALESCED_BYTES);
            joined.writeBytes(first);
            while (!queue.isEmpty() && joined.size() + queue.peek().length <= COALESCED_BYTES) {
                joined.writeBytes(queue.poll());
            }
            return joined.toByteArray();
        }

        /** On a reader thread: the next page after this stream's position, or joining the dispatcher at the end. */
        private void catchUp() {
            long from;
            synchronized (this) {
                if (ended) {
                    return;
                }
                from = position;
            }
            ChangePage page;
            byte[][] bytes;
            try {
                page = feed.poll(Long.toString(from), limit);
                bytes = eventsOf(page.changes());
            } catch (RuntimeException | OutOfMemoryError e) {
                fail(e);
                return;
            }
            if (page.changes().isEmpty()) {
                synchronized (this) {
                    position = Math.max(position, Long.parseLong(page.next()));
                }
                joinOrReadOn();
                return;
            }
            synchronized (this) {
                reading = false;
                take(tokensOf(page.changes()), bytes, Long.parseLong(page.next()));
                drain();
            }
        }

        /**
         * With a read under way ({@code reading}) that found the end of the feed: joins the dispatcher, or reads again
         * when the dispatcher has moved past where that read ended.
         */
        private void joinOrReadOn() {
            if (!join()) {
                read(this, this::catchUp);
                return;
            }
            synchronized (this) {
                reading = false;
                drain(); // it may have fallen behind already, while this read was ending
            }
        }

        /** Joins this feed's dispatcher: false when it has passed this stream's position (read on first). */
        private boolean join() {
            while (true) {
                Dispatcher dispatcher = dispatchers.computeIfAbsent(feedKey, k -> new Dispatcher(k, feed));
                Boolean joined = dispatcher.join(this);
                if (joined != null) {
                    return joined;
                }
                // that dispatcher had just retired: a new one
            }
        }

        synchronized long position() {
            return position;
        }

        synchronized boolean follow() {
            if (ended || ending) {
                return false;
            }
            live = true;
            return true;
        }

        /** Ends the stream with an {@code event: error}, so its client resumes rather than waits on a dead stream. */
        void fail(Throwable e) {
            byte[] error;
            try {
                error = errorEvent.apply(path, e);
            } catch (RuntimeException | OutOfMemoryError unwritable) {
                finish();
                return;
            }
            synchronized (this) {
                if (ended) {
                    return;
                }
                live = false;
                reading = false;
                ending = true;
                enqueue(error);
                drain();
            }
        }

        /** Ends the stream now: nothing more is written. */
        void finish() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                live = false;
                queue.clear();
                queued = 0;
            }
            open.remove(this);
            try {
                onEnd.run();
            } finally {
                done.complete(null); // the request ends: the container completes it
            }
        }
    }

    /** One feed's reader: waits for commits, reads each new page once and hands it to every stream following. */
    private final class Dispatcher implements Runnable {
        private final String key;
        private final Changes feed;
        // guarded by this
        private final Set<Stream> streams = new LinkedHashSet<>();
        private long position;
        private boolean running;
        private boolean retired;

        Dispatcher(String key, Changes feed) {
            this.key = key;
            this.feed = feed;
        }

        /**
         * Adds a stream that has read up to its position: true when it follows now, false when this dispatcher has
         * passed that position (the stream reads on first), null when this dispatcher has retired.
         */
        synchronized Boolean join(Stream stream) {
            if (retired) {
                return null;
            }
            long at = stream.position();
            if (streams.isEmpty()) {
                position = at;
            } else if (at < position) {
                return false;
            }
            if (!stream.follow()) {
                return true; // it ended meanwhile: nothing to follow
            }
            streams.add(stream);
            if (!running) {
                running = true;
                Thread thread = new Thread(this, "vellum-feed-dispatcher");
                thread.setDaemon(true);
                thread.start();
            }
            return true;
        }

        @Override
        public void run() {
            try {
                while (dispatchOnce()) {
                    // until no stream follows
                }
            } catch (RuntimeException | Error e) {
                // not the feed's failure (that ends its streams with an error event) but a bug: end them all the same
                List<Stream> left;
                synchronized (this) {
                    left = new ArrayList<>(streams);
                    retire();
                }
                left.forEach(s -> s.fail(e));
                throw e;
            }
        }

        /** Waits for the next page and hands it on; false once no stream follows (this dispatcher has retired). */
        private boolean dispatchOnce() {
            long from;
            synchronized (this) {
                if (streams.isEmpty() || closed) {
                    retire();
                    return false;
                }
                from = position;
            }
            ChangePage page;
            byte[][] bytes;
            try {
                page = feed.poll(Long.toString(from), DISPATCH_LIMIT, HEARTBEAT);
                bytes = eventsOf(page.changes());
            } catch (RuntimeException | OutOfMemoryError e) {
                // the feed failed (disabled, expired, the database gone): every stream ends with the error
                List<Stream> failed;
                synchronized (this) {
                    failed = new ArrayList<>(streams);
                    streams.clear();
                }
                failed.forEach(s -> s.fail(e));
                return true;
            }
            long[] tokens = tokensOf(page.changes());
            long next = Long.parseLong(page.next());
            long now = System.nanoTime();
            synchronized (this) {
                if (position == from) { // else every stream left and a new one joined elsewhere: read from there
                    position = next;
                    streams.removeIf(s -> !s.deliver(tokens, bytes, next, now));
                }
            }
            return true;
        }

        private void retire() {
            streams.clear();
            running = false;
            retired = true;
            dispatchers.remove(key, this);
        }
    }
}
