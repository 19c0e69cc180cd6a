package dev.vellum.server;

import dev.vellum.ConfigurationException;
import dev.vellum.RecordStore;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import io.javalin.Javalin;
import io.javalin.config.JettyConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP JSON API over a {@link RecordStore}.
 *
 * <pre>{@code
 * try (RecordStore store = Vellum.open();
 *      VellumServer server = VellumServer.configure().store(store).start()) {
 *     System.out.println("listening on " + server.uri());
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * Closing the server stops accepting connections, lets requests in flight finish (up to the shutdown grace), and
 * leaves the store open: whoever opened the store closes it.
 */
public final class VellumServer implements AutoCloseable {
    private static final Logger ACCESS = LoggerFactory.getLogger("vellum.http");
    private static final Logger LOG = LoggerFactory.getLogger(VellumServer.class);
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    /** Refused bodies up to this size (or VELLUM_HTTP_MAX_BODY if larger) are read and dropped before the answer. */
    private static final long DRAINED_BYTES = 64L << 20;

    static final String REQUEST_ID_KEY = "vellum.requestId";

    private final Javalin app;
    private final Api api;
    private final ExecutorService workers;
    private final ServerSettings settings;
    /** Refusals (503s) logged at most once per kind in this interval, with the count of the rest. */
    private final RateLimit refusals = new RateLimit(java.time.Duration.ofSeconds(10));

    private final Object stopped = new Object();
    private boolean closed;

    private VellumServer(RecordStore store, ServerSettings settings) {
        this.settings = settings;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vellum-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Metrics metrics = new Metrics(store.database().orElse(null));
        StreamTokens tokens =
                new StreamTokens(settings.apiKeys(), settings.streamTokenTtl(), java.time.Clock.systemUTC());
        this.api = new Api(store, settings, metrics, workers, tokens);
        List<byte[]> keyDigests =
                settings.apiKeys().stream().map(VellumServer::digest).toList();
        Cors cors = new Cors(settings.corsOrigins());
        HostCheck hosts = keyDigests.isEmpty() ? new HostCheck(settings.host(), settings.allowedHosts()) : null;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.http.prefer405over404 = true;
            // an OutOfMemoryError outside the store's work (which answers it itself) is still a problem, not an
            // empty 500: its body is ready beforehand, as there may be no memory left to build one
            config.router.javaLangErrorHandler((res, error) -> shortOfMemory(res, error));
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            configureJetty(config.jetty, settings);
            config.requestLogger.http((ctx, millis) -> {
                String route = ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
                metrics.request(ctx.method().name(), route, ctx.statusCode(), (long) (millis * 1_000_000));
                ACCESS.info(
                        "{} {} {} {}ms id={}",
                        ctx.method().name(),
                        ctx.path(),
                        ctx.statusCode(),
                        String.format(java.util.Locale.ROOT, "%.1f", millis),
                        ctx.<String>attribute(REQUEST_ID_KEY));
            });
            config.routes.before(ctx -> {
                String given = ctx.header("X-Request-Id");
                String id = given != null && REQUEST_ID.matcher(given).matches() ? given : requestId();
                ctx.attribute(REQUEST_ID_KEY, id);
                ctx.header("X-Request-Id", id);
                requireCleanPath(ctx);
                if (hosts != null) {
                    hosts.check(ctx);
                }
                if (cors.enabled() && cors.handle(ctx)) {
                    ctx.skipRemainingHandlers(); // a preflight, answered: no credentials come with one
                }
            });
            if (!keyDigests.isEmpty()) {
                config.routes.before("/v1", ctx -> authorize(ctx, settings.apiKeys(), keyDigests, tokens));
                // open to probes, but what they say of the topology is for callers with a key
                for (String probe : List.of("/ready", "/metrics")) {
                    config.routes.before(probe, ctx -> recognize(ctx, settings.apiKeys(), keyDigests));
                }
                config.routes.before("/v1/*", ctx -> authorize(ctx, settings.apiKeys(), keyDigests, tokens));
            }
            api.register(config.routes);
            config.routes.exception(Exception.class, (e, ctx) -> problem(ctx, e));
            config.routes.error(404, ctx -> {
                if (!isProblem(ctx)) {
                    problem(
                            ctx,
                            Problem.notFound("No endpoint " + ctx.method().name() + " " + ctx.path()
                                    + ". GET /openapi.json lists every endpoint."));
                }
            });
            config.routes.error(405, ctx -> {
                if (!isProblem(ctx)) {
                    problem(
                            ctx,
                            new Problem(
                                    405,
                                    "method-not-allowed",
                                    "Method not allowed",
                                    ctx.method().name() + " is not allowed on " + ctx.path()
                                            + ". GET /openapi.json lists every endpoint."));
                }
            });
        });
    }

    /** Jetty's part in bounded work: threads, timeouts, the slowest body accepted, errors as problems. */
    private static void configureJetty(JettyConfig jetty, ServerSettings settings) {
        // threads beyond the store's permits: a request body being trickled in holds one until Jetty cuts it off
        // (VELLUM_HTTP_MIN_BODY_RATE), and normal requests must still find a thread meanwhile
        jetty.threadPool = new QueuedThreadPool(Math.max(64, settings.maxConcurrent() * 4), 8, 60_000);
        // such paths reach requireCleanPath instead of the servlet layer's own 400
        jetty.modifyServletContextHandler(handler -> handler.getServletHandler().setDecodeAmbiguousURIs(true));
        jetty.modifyServer(server -> {
            server.setStopTimeout(settings.shutdownGrace().toMillis());
            server.setErrorHandler(new ProblemErrorHandler(drainedBytes(settings)));
            // the connectors exist once the server starts: silent connections are closed after the idle timeout
            server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    for (Connector c : server.getConnectors()) {
                        if (c instanceof AbstractConnector connector) {
                            connector.setIdleTimeout(settings.idleTimeout().toMillis());
                        }
                    }
                }
            });
        });
        jetty.modifyHttpConfiguration(http -> {
            http.setIdleTimeout(settings.idleTimeout().toMillis());
            // a body trickled in to hold a thread is cut off (408) instead of holding it for minutes
            setMinRequestDataRate(http, settings.minBodyRate());
            // paths Jetty finds ambiguous or badly encoded reach the API, which refuses them after reading the body
            // (requireCleanPath): Jetty's own refusal closes on a client still sending one
            http.setUriCompliance(UriCompliance.DEFAULT.with(
                    "vellum",
                    UriCompliance.Violation.BAD_UTF8_ENCODING,
                    UriCompliance.Violation.TRUNCATED_UTF8_ENCODING,
                    UriCompliance.Violation.UTF16_ENCODINGS,
                    UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                    UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
                    UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                    UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
                    UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
                    UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
        });
    }

    /** Flyway-style: {@code VellumServer.configure().store(store).start()}. */
    public static Builder configure() {
        return new Builder();
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return app.port();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + port());
    }

    /** "METHOD path" of every route, for the test that holds {@code /openapi.json} to the truth. */
    List<String> routes() {
        return List.copyOf(api.routes);
    }

    /** Blocks until {@link #close()} has run (from another thread or a shutdown hook). */
    public void awaitStop() throws InterruptedException {
        synchronized (stopped) {
            while (!closed) {
                stopped.wait();
            }
        }
    }

    /** Stops accepting, lets requests in flight finish (up to the shutdown grace), then stops. Idempotent. */
    @Override
    public void close() {
        synchronized (stopped) {
            if (closed) {
                return;
            }
        }
        try {
            api.stop();
            app.stop();
            workers.shutdown();
            workers.awaitTermination(settings.shutdownGrace().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (stopped) {
                closed = true;
                stopped.notifyAll();
            }
        }
    }

    private VellumServer start() {
        app.start();
        return this;
    }

    /**
     * Jetty 12.1 marks this for removal in favour of a handler that would sit in front of Javalin's; until Javalin
     * exposes that seam, the connector-wide rate is the one that holds every route.
     */
    @SuppressWarnings("removal")
    private static void setMinRequestDataRate(HttpConfiguration http, long bytesPerSecond) {
        http.setMinRequestDataRate(bytesPerSecond);
    }

    // ---- auth ----

    /**
     * Compares digests of every key in constant time, so neither timing nor length tells a caller anything. A change
     * feed may instead be opened with a stream token for its path ({@code access_token}): what a browser's
     * EventSource, which cannot send headers, has.
     */
    private static void authorize(Context ctx, List<String> keys, List<byte[]> keyDigests, StreamTokens tokens) {
        String header = ctx.header("Authorization");
        boolean ok = false;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = digest(header.substring(7).strip());
            for (int i = 0; i < keyDigests.size(); i++) {
                if (MessageDigest.isEqual(given, keyDigests.get(i))) {
                    ok = true;
                    ctx.attribute(Api.API_KEY, keys.get(i));
                }
            }
        } else if (header == null && ctx.queryParam(ChangeFeedApi.ACCESS_TOKEN) != null) {
            ok = ctx.method() == io.javalin.http.HandlerType.GET
                    && tokens.verify(ctx.queryParam(ChangeFeedApi.ACCESS_TOKEN), ctx.path())
                            .isPresent();
            if (!ok) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"vellum\", error=\"invalid_token\"");
                throw new Problem(
                        401,
                        "unauthorized",
                        "Unauthorized",
                        "The stream token is not valid for "
                                + ctx.path()
                                + ": it has expired or was issued for another stream. Get a new one with POST "
                                + "/v1/stream-tokens.");
            }
        }
        if (!ok) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"vellum\"");
            throw new Problem(
                    401,
                    "unauthorized",
                    "Unauthorized",
                    header == null
                            ? "This server needs an API key: send 'Authorization: Bearer <key>'."
                            : "The API key is not valid for this server.");
        }
    }

    /** Notes the API key a request carries, if it is a valid one; a request without one is still served. */
    private static void recognize(Context ctx, List<String> keys, List<byte[]> keyDigests) {
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] given = digest(header.substring(7).strip());
            for (int i = 0; i < keyDigests.size(); i++) {
                if (MessageDigest.isEqual(given, keyDigests.get(i))) {
                    ctx.attribute(Api.API_KEY, keys.get(i));
                }
            }
        }
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- errors ----

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(Problem.MEDIA_TYPE);
    }

    /**
     * A path Jetty would refuse as ambiguous or badly encoded (a segment that decodes to something with {@code /},
     * {@code \\} or a control character in it, or to {@code .} or {@code ..}; percent-encoding that is not UTF-8, say
     * {@code %C0%AF}, an overlong {@code /}) is refused here, where the refusal reads the request's body first: Jetty
     * would close the connection on a client still sending one.
     */
    private static void requireCleanPath(Context ctx) {
        String raw = ctx.req().getRequestURI();
        if (plainPath(raw)) {
            return;
        }
        for (String segment : raw.split("/", -1)) {
            String decoded = decodeSegment(segment);
            if (decoded == null
                    || decoded.equals(".")
                    || decoded.equals("..")
                    || decoded.chars().anyMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f)) {
                throw Problem.badRequest("The request path is malformed: its percent-encoding must be UTF-8, and no "
                        + "segment may decode to '.', '..', or text with '/', '\\' or a control character in it.");
            }
        }
    }

    /** No escapes, dot segments, backslashes or control characters: nothing to decode or refuse. */
    private static boolean plainPath(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c == '\\' || c < 0x20 || c == 0x7f || (c == '.' && (i == 0 || raw.charAt(i - 1) == '/'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A random version-4 UUID for a request that brought no id of its own. Request ids tie log lines together and
     * need not be unguessable: ThreadLocalRandom, not the SecureRandom of {@link UUID#randomUUID}, which every
     * request thread would queue on.
     */
    private static String requestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /** A path segment's percent-encoding as UTF-8, or null when it is not that. */
    private static String decodeSegment(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                bytes.write(c);
            } else if (i + 2 < segment.length()
                    && Character.digit(segment.charAt(i + 1), 16) >= 0
                    && Character.digit(segment.charAt(i + 2), 16) >= 0) {
                bytes.write(Integer.parseInt(segment, i + 1, i + 3, 16));
                i += 2;
            } else {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * A request refused before its body was read (a 405, a 401, a 404, a 413) has it read and dropped first, up to
     * {@link #drainedBytes}: closing on a client still sending it would reset the connection before it reads the
     * answer, and most clients then report a broken pipe instead of the problem. A client that asked
     * {@code Expect: 100-continue} has sent nothing yet and is not asked to send it.
     */
    private void drainUnreadBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        long bound = drainedBytes(settings);
        if (length == 0 || length > bound || "100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
            return;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] dropped = new byte[8192];
            long left = bound;
            for (int n; left > 0 && (n = in.read(dropped, 0, (int) Math.min(dropped.length, left))) > 0; ) {
                left -= n;
            }
        } catch (IOException | RuntimeException ignored) {
            // read already, cut off, or too slow (Jetty's minimum rate): the answer goes out as it is
        }
    }

    /** The largest refused body read and dropped before the answer. */
    private static long drainedBytes(ServerSettings settings) {
        return Math.max(DRAINED_BYTES, settings.maxBodyBytes());
    }

    private static final byte[] SHORT_OF_MEMORY =
            VellumJson.write(Problem.shortOfMemory().body(null)).getBytes(StandardCharsets.UTF_8);

    private static void shortOfMemory(HttpServletResponse res, Error error) {
        LOG.error("A request failed: {}", error.toString());
        if (res.isCommitted()) {
            return;
        }
        try {
            res.reset();
            res.setStatus(503);
            res.setHeader("Retry-After", "1");
            res.setContentType(Problem.MEDIA_TYPE);
            res.getOutputStream().write(SHORT_OF_MEMORY);
        } catch (IOException | RuntimeException ignored) {
            // the client went away, or the response cannot be written at all: nothing more to do
        }
    }

    private void problem(Context ctx, Exception e) {
        drainUnreadBody(ctx);
        Problem p = Problem.from(e);
        String requestId = ctx.attribute(REQUEST_ID_KEY);
        if (p.status == 500) {
            LOG.error("{} {} failed (request id {})", ctx.method().name(), ctx.path(), requestId, e);
        } else if (p.status > 500) {
            // unavailable, saturated or timed out: the cause is known and said, no stack trace needed; a storm of
            // them (every refused reader of a flood) is one line per kind every few seconds, with the count left out
            long left = refusals.admit(p.type);
            if (left >= 0) {
                LOG.warn(
                        "{} {}: {} (request id {}){}",
                        ctx.method().name(),
                        ctx.path(),
                        p.getMessage(),
                        requestId,
                        left == 0 ? "" : "; " + left + " more like it since the last such line");
            }
        }
        if (p.retryAfter > 0) {
            ctx.header("Retry-After", String.valueOf(p.retryAfter));
        }
        // bytes, not a String: Jetty would encode a String as ISO-8859-1 for a media type it does not know is UTF-8
        ctx.status(p.status)
                .contentType(Problem.MEDIA_TYPE)
                .result(VellumJson.write(p.body(requestId)).getBytes(StandardCharsets.UTF_8));
    }

    /** Builds and starts a server. Settings come from a {@link VellumConfig} (the environment by default). */
    public static final class Builder {
        private RecordStore store;
        private ServerSettings settings;

        private Builder() {}

        public Builder store(RecordStore recordStore) {
            this.store = recordStore;
            return this;
        }

        /** Host, port, API keys and limits; {@code VellumConfig#server()} reads them from {@code VELLUM_HTTP_*}. */
        public Builder settings(ServerSettings serverSettings) {
            this.settings = serverSettings;
            return this;
        }

        /**
         * Starts listening.
         *
         * @throws ConfigurationException when the address is not loopback and there are no API keys, or the port is
         *                                taken
         */
        public VellumServer start() {
            if (store == null) {
                throw new IllegalStateException("VellumServer.configure().store(store) is required");
            }
            ServerSettings s = settings == null ? ServerSettings.from(VellumConfig.fromEnvironment()) : settings;
            if (s.apiKeys().isEmpty() && !isLoopback(s.host())) {
                throw new ConfigurationException("Refusing to listen on " + s.host() + " without API keys: anyone who "
                        + "can reach it could read and change every record. Set " + HttpSettings.API_KEYS.key()
                        + " (e.g. "
                        + "to the output of 'openssl rand -hex 32'), or listen on 127.0.0.1 (" + HttpSettings.HOST.key()
                        + ").");
            }
            VellumServer server = new VellumServer(store, s);
            try {
                return server.start();
            } catch (RuntimeException e) {
                server.workers.shutdownNow();
                throw new ConfigurationException(
                        "Cannot listen on " + s.host() + ":" + s.port() + ": " + rootMessage(e)
                                + ". Choose another port with " + HttpSettings.PORT.key() + ".",
                        e);
            }
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new ConfigurationException(
                        HttpSettings.HOST.key() + " names '" + host + "', which does not " + "resolve");
            }
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
    }
}
