package dev.vellum.server;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.HEAD;
import static io.javalin.http.HandlerType.PUT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ChangePage;
import dev.vellum.Changes;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.QueryException;
import dev.vellum.RecordStore;
import dev.vellum.VellumJson;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The change feed over HTTP: enabling and disabling a collection's feed, long-polls answered as JSON, and
 * Server-Sent Events streams ({@link EventStreams} writes them). Waiting readers hold no store permit (they do no
 * store work while they wait), but their number is bounded too: VELLUM_HTTP_MAX_CONCURRENT more at once, and
 * VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT per client.
 */
final class ChangeFeedApi {
    /** The query parameter that carries a stream token ({@link StreamTokens}). */
    static final String ACCESS_TOKEN = "access_token";

    private static final Set<String> PARAMS = Set.of("after", "limit", "wait", "filter", ACCESS_TOKEN);
    private static final Pattern FEED_PATH = Pattern.compile("/v1/changes|/v1/collections/[^/?#]+/changes");
    private static final Pattern WAIT = Pattern.compile("(\\d{1,9})(ms|s)?");
    private static final int DEFAULT_LIMIT = 100;
    private static final String EVENT_STREAM = "text/event-stream";
    private static final Duration SLICE = Duration.ofSeconds(1);
    /** Threads that read for streams catching up with their feed. */
    private static final int STREAM_READERS = 4;

    private final RecordStore store;
    private final ServerSettings limits;
    private final Execution execution;
    private final Semaphore readers;
    private final EventStreams streams = new EventStreams(STREAM_READERS, this::errorEvent);
    /** Readers each client holds now, by API key or address; a client holding none has no entry. */
    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();

    private volatile boolean stopping;

    ChangeFeedApi(RecordStore store, ServerSettings limits, Execution execution) {
        this.store = store;
        this.limits = limits;
        this.execution = execution;
        this.readers = new Semaphore(limits.maxConcurrent());
    }

    void register(Api.Routes r) {
        String feed = "/v1/collections/{c}/changes";
        r.add(
                PUT,
                feed,
                ctx -> execution.bounded(ctx, Operation.ENABLE_CHANGES, () -> {
                    Collection c = store.collection(ctx.pathParam("c"));
                    boolean created = c.enableChanges();
                    return Reply.of(
                            created ? 201 : 200,
                            VellumJson.nodes()
                                    .objectNode()
                                    .put("collection", c.name())
                                    .put("enabled", true)
                                    .put("now", c.changes().now()));
                }));
        r.add(
                DELETE,
                feed,
                ctx -> execution.bounded(ctx, Operation.DISABLE_CHANGES, () -> {
                    Collection c = store.collection(ctx.pathParam("c"));
                    if (!c.disableChanges()) {
                        throw Problem.notFound("The change feed of collection '" + c.name() + "' is not enabled");
                    }
                    return Reply.empty(204);
                }));
        r.add(GET, feed, ctx -> read(ctx, store.collection(ctx.pathParam("c")).changes()));
        r.add(GET, "/v1/changes", ctx -> read(ctx, store.changes()));
    }

    /** True for the path of a change feed: what a stream token may open. */
    static boolean isFeedPath(String path) {
        return FEED_PATH.matcher(path).matches();
    }

    /** Lets streams and long-polls end: the server is stopping. */
    void stop() {
        stopping = true;
        streams.close();
    }

    /** The longest a request waits without a byte: half the idle timeout, so the connection is never cut. */
    private Duration maxWait() {
        Duration half = limits.idleTimeout().dividedBy(2);
        return half.isZero() || half.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : half;
    }

    private void read(Context ctx, Changes feed) throws IOException {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!PARAMS.contains(name)) {
                throw new QueryException(
                        name, "Unknown query parameter '" + name + "'; parameters are after, " + "filter, limit, wait");
            }
        }
        String consistency = ctx.header(Api.CONSISTENCY);
        if (consistency != null) {
            // feed reads go to the primary, which has every write; a token that is not one is refused as on any read
            store.readAfter(consistency, () -> null);
        }
        Changes filtered = filter(ctx, feed);
        int limit = limit(ctx);
        Duration wait = waitParameter(ctx);
        boolean stream = accepts(ctx, EVENT_STREAM);
        // A browser's EventSource reconnects to the same URL (after=0 and all) and says where it got to in
        // Last-Event-ID: that wins, or every reconnect would deliver the changes since 0 again.
        String lastEventId = stream ? ctx.header("Last-Event-ID") : null;
        String after = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim() : ctx.queryParam("after");
        Runnable leave = admit(ctx);
        if (!readers.tryAcquire()) {
            leave.run();
            throw new Problem(
                            503,
                            "saturated",
                            "Server busy",
                            "The server has as many change-feed readers "
                                    + "waiting as it takes (VELLUM_HTTP_MAX_CONCURRENT); retry shortly.")
                    .retryAfter(1);
        }
        Runnable release = once(() -> {
            readers.release();
            leave.run();
        });
        boolean streaming = false;
        try {
            if (stream) {
                streaming = stream(ctx, filtered.withMaxPageBytes(EventStreams.QUEUED_BYTES), after, limit, release);
            } else {
                Api.json(ctx, 200, body(poll(filtered, after, limit, wait)));
            }
        } finally {
            if (!streaming) {
                release.run();
            }
        }
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    /**
     * Counts the reader against its client (its API key, or its address), so one client cannot hold every slot:
     * returns what gives the reader back.
     */
    private Runnable admit(Context ctx) {
        int max = limits.maxFeedReadersPerClient();
        if (max == 0) {
            return () -> {};
        }
        String key = ctx.attribute(Api.API_KEY);
        String client = key != null ? "key " + key : "address " + ctx.req().getRemoteAddr();
        boolean[] admitted = new boolean[1];
        perClient.compute(client, (k, held) -> {
            int now = held == null ? 0 : held;
            admitted[0] = now < max;
            return admitted[0] ? now + 1 : held;
        });
        if (!admitted[0]) {
            throw new Problem(
                            429,
                            "too-many-readers",
                            "Too many feed readers",
                            "This client already holds " + max
                                    + " change-feed readers (streams and long-polls) at once, as many as one client may "
                                    + "(VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT). Close one first, or read several collections in "
                                    + "one stream of /v1/changes with a filter.")
                    .retryAfter(1);
        }
        return once(() -> perClient.compute(client, (k, held) -> held == null || held <= 1 ? null : held - 1));
    }

    /** A poll that waits in short slices, so a stopping server does not wait out a long-poll. */
    private ChangePage poll(Changes feed, String after, int limit, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        // a waiting poll from the start: long-polls woken by one commit share its reads
        ChangePage page =
                feed.poll(after, limit, wait.isZero() ? Duration.ZERO : wait.compareTo(SLICE) < 0 ? wait : SLICE);
        while (page.changes().isEmpty() && !stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            page = feed.poll(page.next(), limit, Duration.ofNanos(Math.min(left, SLICE.toNanos())));
        }
        return page;
    }

    private static ObjectNode body(ChangePage page) {
        ObjectNode body = VellumJson.nodes().objectNode();
        ArrayNode list = body.putArray("changes");
        page.changes().forEach(c -> list.add(c.toJson()));
        body.put("next", page.next());
        return body;
    }

    /**
     * Server-Sent Events: {@code id:} the token, {@code event:} the op, {@code data:} the change. A comment line
     * goes out whenever nothing else has for a second, so proxies keep the connection and a client that left is
     * noticed; a client reconnecting with {@code Last-Event-ID} resumes after the last event it got. The request's
     * thread is free once the answer starts: {@link EventStreams} writes the rest.
     */
    private boolean stream(Context ctx, Changes feed, String after, int limit, Runnable onEnd) {
        // the first read happens before the answer starts, so a bad token or a feed that is off is a plain problem
        String start = after == null ? feed.now() : after;
        ChangePage page = feed.poll(start, limit);
        ctx.status(200)
                .contentType(EVENT_STREAM + "; charset=utf-8")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no");
        if (ctx.method() == HEAD) {
            return false; // the headers are the answer
        }
        String opening = "retry: 1000\n: vellum change feed after " + start + "\n\n";
        String feedKey = ctx.path() + "?" + Objects.toString(ctx.queryParam("filter"), "");
        ctx.future(() -> {
            try {
                return streams.start(feedKey, feed, limit, opening, page, ctx.req(), ctx.res(), onEnd);
            } catch (IOException | RuntimeException e) {
                onEnd.run();
                return CompletableFuture.failedFuture(e);
            }
        });
        return true;
    }

    /** The {@code event: error} that ends a stream after a failure, so its client resumes. */
    private byte[] errorEvent(String path, Throwable e) {
        Problem problem = Problem.isShortOfMemory(e) ? Problem.shortOfMemory(false) : Problem.from(e);
        return ("event: error\ndata: " + VellumJson.write(problem.body(path)) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private Changes filter(Context ctx, Changes feed) {
        String text = ctx.queryParam("filter");
        if (text == null) {
            return feed;
        }
        JsonNode node;
        try {
            node = VellumJson.inputReader().readTree(text);
        } catch (IOException e) {
            throw new QueryException("filter", "filter must be a JSON filter such as {\"status\":\"open\"}");
        }
        Filter filter = Filter.fromJson(node);
        FilterLimits.check(filter, limits.maxFilterDepth(), limits.maxFilterConditions());
        return feed.filter(filter);
    }

    private int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null) {
            return Math.min(DEFAULT_LIMIT, limits.maxPageSize());
        }
        int limit;
        try {
            limit = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new QueryException("limit", "limit must be a whole number, got '" + value + "'");
        }
        if (limit < 1 || limit > limits.maxPageSize()) {
            throw new QueryException(
                    "limit",
                    "limit must be between 1 and " + limits.maxPageSize()
                            + " on this server (VELLUM_HTTP_MAX_PAGE_SIZE)");
        }
        return limit;
    }

    /** {@code wait=10s}, {@code 500ms} or seconds as a number; longer than the server's bound waits that bound. */
    private Duration waitParameter(Context ctx) {
        String value = ctx.queryParam("wait");
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        Matcher m = WAIT.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new QueryException("wait", "wait must be a duration such as 10s or 500ms, got '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration wait = "ms".equals(m.group(2)) ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
        return wait.compareTo(maxWait()) > 0 ? maxWait() : wait;
    }

    private static boolean accepts(Context ctx, String type) {
        String accept = ctx.header("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(type);
    }
}
