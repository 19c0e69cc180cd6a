package dev.vellum.server;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.PATCH;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Accumulator;
import dev.vellum.Cancellation;
import dev.vellum.Collection;
import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.Health;
import dev.vellum.IndexInfo;
import dev.vellum.NewRecord;
import dev.vellum.OperationCancelledException;
import dev.vellum.Page;
import dev.vellum.PoolExhaustedException;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordNotFoundException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumException;
import dev.vellum.VellumJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The endpoints: each reads its request, does one record-store operation, and answers JSON. */
final class Api {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    static final String NDJSON = "application/x-ndjson";
    private static final String JSON = "application/json";
    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final Set<String> QUERY_PARAMS = Set.of("filter", "sort", "limit", "cursor", "offset", "fields");
    /** Keys of an exported record that a batch import accepts and ignores: the store assigns them anew. */
    private static final List<String> ASSIGNED_KEYS = List.of("version", "createdAt", "updatedAt");
    /** How long /ready waits for the database before it answers 503. */
    private static final long READY_DEADLINE_MILLIS = 800;
    /**
     * How long a timed-out request waits, once cancelled, to learn whether its work rolled back or committed: a
     * cancelled statement stops within milliseconds; only a commit in flight on a broken connection takes longer.
     */
    private static final long OUTCOME_WAIT_MILLIS = 10_000;
    /** How long a read past its deadline may take to say why it stopped. */
    private static final long READ_GRACE_MILLIS = 250;
    /** Cancels reads past their deadline off the request's thread. */
    private static final java.util.concurrent.Executor CANCELLER =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "vellum-cancel");
                t.setDaemon(true);
                return t;
            });

    private final RecordStore store;
    private final ServerSettings limits;
    private final Metrics metrics;
    private final ExecutorService workers;
    /** Store work in progress; bounded so that a flood is answered 503 at once instead of queueing without end. */
    private final java.util.concurrent.Semaphore permits;

    private final ChangeFeedApi feeds;
    private final StreamTokens tokens;
    /** The request attribute holding the API key a request was authorized with (none without keys). */
    static final String API_KEY = "vellum.apiKey";

    Api(RecordStore store, ServerSettings limits, Metrics metrics, ExecutorService workers, StreamTokens tokens) {
        this.store = store;
        this.limits = limits;
        this.metrics = metrics;
        this.workers = workers;
        this.tokens = tokens;
        this.permits = new java.util.concurrent.Semaphore(limits.maxConcurrent());
        this.feeds = new ChangeFeedApi(store, limits, this);
    }

    /** Runs store work under a permit, or answers 503 at once when every permit is taken. */
    private <T> T withPermit(Supplier<T> work) {
        if (!permits.tryAcquire()) {
            throw new Problem(
                            503,
                            "saturated",
                            "Server busy",
                            "The server is doing as much store work at once as it "
                                    + "takes (VELLUM_HTTP_MAX_CONCURRENT); retry shortly.")
                    .retryAfter(1);
        }
        try {
            return work.get();
        } finally {
            permits.release();
        }
    }

    /** The header that carries a consistency token: answered by writes, honoured by reads. */
    static final String CONSISTENCY = "Vellum-Consistency";

    /** "METHOD path" of every registered route: {@code /openapi.json} must describe the same list (a test checks). */
    final List<String> routes = new ArrayList<>();

    void register(RoutesConfig config) {
        Routes r = new Routes(config, routes);
        r.add(GET, "/health", ctx -> json(ctx, 200, object().put("status", "up")));
        r.add(GET, "/ready", this::ready);
        r.add(
                GET,
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.scrape(mayKnowTopology(ctx))));
        r.add(GET, "/openapi.json", ctx -> ctx.contentType(JSON).result(OpenApi.document(ctx)));
        r.add(GET, "/", ctx -> json(ctx, 200, welcome()));
        r.add(GET, "/v1", ctx -> json(ctx, 200, welcome()));
        r.add(POST, "/v1/stream-tokens", this::streamToken);

        r.add(GET, "/v1/collections", ctx -> bounded(ctx, Operation.COLLECTIONS, this::listCollections));
        r.add(
                DELETE,
                "/v1/collections/{c}",
                ctx -> bounded(ctx, Operation.DROP_COLLECTION, () -> {
                    String name = collectionName(ctx);
                    if (!store.dropCollection(name)) {
                        throw Problem.notFound("No collection named '" + name + "'");
                    }
                    return Reply.empty(204);
                }));

        String records = "/v1/collections/{c}/records";
        r.add(POST, records, this::insert);
        r.add(POST, records + ":batch", this::batch);
        r.add(GET, records, ctx -> find(ctx, queryFromParameters(ctx)));
        r.add(GET, records + "/{id}", this::get);
        r.add(PUT, records + "/{id}", this::replace);
        r.add(PATCH, records + "/{id}", this::patch);
        r.add(DELETE, records + "/{id}", this::delete);

        String collection = "/v1/collections/{c}";
        r.add(POST, collection + "/query", ctx -> find(ctx, queryFromBody(ctx)));
        r.add(POST, collection + "/count", this::count);
        r.add(POST, collection + "/aggregate", this::aggregate);
        r.add(POST, collection + "/distinct", this::distinct);
        r.add(POST, collection + "/update", this::updateMany);
        r.add(POST, collection + "/delete", this::deleteMany);
        r.add(GET, collection + "/export", this::export);
        r.add(
                GET,
                collection + "/indexes",
                ctx -> bounded(ctx, Operation.INDEXES, () -> Reply.of(200, indexList(collection(ctx)))));
        r.add(POST, collection + "/indexes", this::createIndex);
        r.add(DELETE, collection + "/indexes/{name}", ctx -> dropIndex(ctx, ctx.pathParam("name")));
        r.add(DELETE, collection + "/indexes", ctx -> dropIndex(ctx, text(body(ctx, Set.of("name")), "name", true)));
        feeds.register(r);
    }

    /**
     * What a person who opens the server's address finds: what it is, and where to go next. Open like
     * {@code /openapi.json} at {@code /}; under {@code /v1}, behind the API keys like the rest of it.
     */
    private ObjectNode welcome() {
        ObjectNode body = object().put("name", "Vellum")
                .put("version", Vellum.version())
                .put("backend", store.backendName())
                .put("api", "/v1");
        ObjectNode links = body.putObject("links");
        links.put("openapi", "/openapi.json")
                .put("collections", "/v1/collections")
                .put("changes", "/v1/changes")
                .put("streamTokens", "/v1/stream-tokens")
                .put("health", "/health")
                .put("ready", "/ready")
                .put("metrics", "/metrics");
        return body;
    }

    /**
     * A token that opens one change-feed stream without an {@code Authorization} header: what a browser's
     * EventSource needs. Body {@code {"path":"/v1/changes"}} (or a collection's feed); answer
     * {@code {"token","path","expiresAt"}}.
     */
    private void streamToken(Context ctx) {
        JsonNode body = body(ctx, Set.of("path"));
        String path = text(body, "path", true);
        if (!ChangeFeedApi.isFeedPath(path)) {
            throw new QueryException(
                    "path",
                    "path must be a change feed: /v1/changes or " + "/v1/collections/{name}/changes, got '"
                            + dev.vellum.internal.Messages.abbreviate(path) + "'");
        }
        StreamTokens.Issued issued = tokens.issue(ctx.attribute(API_KEY), path);
        json(
                ctx,
                201,
                object().put("token", issued.token())
                        .put("path", issued.path())
                        .put("expiresAt", issued.expiresAt().toString()));
    }

    /** Ends change-feed streams and long-polls, so the server can stop. */
    void stop() {
        feeds.stop();
    }

    /** Registers with Javalin and remembers what it registered. */
    record Routes(RoutesConfig config, List<String> seen) {
        void add(HandlerType method, String path, io.javalin.http.Handler handler) {
            seen.add(method.name() + " " + path);
            config.addEndpoint(new io.javalin.router.Endpoint(method, path, handler, Set.of()));
            if (method == HandlerType.GET) {
                // HEAD is GET without the body (RFC 9110): the same handler, so a missing record is a 404 to HEAD
                // too (Javalin otherwise answers 200 to HEAD on any GET route); the server sends no body for it
                config.addEndpoint(new io.javalin.router.Endpoint(HandlerType.HEAD, path, handler, Set.of()));
            }
        }
    }

    // ---- operations ----

    private void ready(Context ctx) {
        Optional<Database> database = store.database();
        if (database.isEmpty()) {
            json(ctx, 200, object().put("status", "ready").put("backend", store.backendName()));
            return;
        }
        Problem unavailable = new Problem(
                        503, "unavailable", "Database unavailable", "The database does not answer. Retry later.")
                .retryAfter(1);
        try {
            // a load balancer asks often and waits briefly: answer within a second even when the database hangs
            Health health =
                    withDeadline(() -> database.get().health(), READY_DEADLINE_MILLIS, false, () -> unavailable);
            if (health.pendingMigrations() > 0) {
                ctx.header("Retry-After", "5");
                json(
                        ctx,
                        503,
                        object().put("status", "migrations pending")
                                .put("backend", health.backend())
                                .put("pendingMigrations", health.pendingMigrations()));
                return;
            }
            ObjectNode body = object().put("status", "ready")
                    .put("backend", health.backend())
                    .put("schemaVersion", health.schemaVersion());
            if (!health.replicas().members().isEmpty() && mayKnowTopology(ctx)) {
                // the primary serves every read a replica cannot, so replicas inform but never decide readiness
                ArrayNode replicas = body.putArray("replicas");
                health.replicas()
                        .members()
                        .forEach(m -> replicas.addObject()
                                .put("name", m.name())
                                .put("state", m.state())
                                .put("lagMillis", m.lag().toMillis()));
            }
            json(ctx, 200, body);
        } catch (Problem p) {
            throw p;
        } catch (RuntimeException e) {
            throw unavailable;
        }
    }

    /**
     * Whether the answer may name replicas (hosts, ports, databases, roles): always without API keys; with them, only
     * to a caller that sent a valid one, since the probes are open.
     */
    private boolean mayKnowTopology(Context ctx) {
        return limits.apiKeys().isEmpty() || ctx.attribute(API_KEY) != null;
    }

    private Reply listCollections() {
        ArrayNode list = VellumJson.nodes().arrayNode();
        for (String name : store.collections()) {
            list.addObject()
                    .put("name", name)
                    .put("count", store.collection(name).count());
        }
        ObjectNode body = object();
        body.set("collections", list);
        return Reply.of(200, body);
    }

    private void insert(Context ctx) {
        Collection c = collection(ctx);
        NewRecord record = NewRecord.fromJson(body(ctx, null), "The body");
        bounded(ctx, Operation.INSERT, () -> {
            Record stored = c.insert(record.id(), record.fields(), record.metadata());
            return Reply.of(201, stored.toJson())
                    .header("Location", recordPath(c.name(), stored.id()))
                    .header("ETag", etag(stored.version()));
        });
    }

    private void get(Context ctx) {
        Collection c = collection(ctx);
        String id = ctx.pathParam("id");
        bounded(ctx, Operation.GET, () -> {
            Record r = c.get(id).orElseThrow(() -> new RecordNotFoundException(c.name(), id));
            String etag = etag(r.version());
            if (matches(ctx.header("If-None-Match"), etag)) {
                return Reply.empty(304).header("ETag", etag);
            }
            return Reply.of(200, r.toJson()).header("ETag", etag);
        });
    }

    private void replace(Context ctx) {
        Collection c = collection(ctx);
        String id = ctx.pathParam("id");
        JsonNode body = body(ctx, Set.of("id", "fields"));
        if (body.hasNonNull("id") && !body.get("id").asText().equals(id)) {
            throw Problem.badRequest("The body's id '" + body.get("id").asText() + "' differs from the path's '" + id
                    + "'; leave it out or make them agree.");
        }
        if (!body.path("fields").isObject()) {
            throw Problem.badRequest("A replace body is {\"fields\":{…}}: the record's new fields.");
        }
        Long expected = ifMatch(ctx);
        bounded(
                ctx,
                Operation.REPLACE,
                () -> written(
                        expected == null
                                ? c.replace(id, body.get("fields"))
                                : c.replace(id, body.get("fields"), expected)));
    }

    private void patch(Context ctx) {
        Collection c = collection(ctx);
        String id = ctx.pathParam("id");
        requireContentType(ctx, MERGE_PATCH);
        JsonNode patch = parse(readLimited(ctx));
        Long expected = ifMatch(ctx);
        bounded(
                ctx,
                Operation.PATCH,
                () -> written(expected == null ? c.patch(id, patch) : c.patch(id, patch, expected)));
    }

    private void delete(Context ctx) {
        Collection c = collection(ctx);
        String id = ctx.pathParam("id");
        Long expected = ifMatch(ctx);
        bounded(ctx, Operation.DELETE, () -> {
            boolean deleted = expected == null ? c.delete(id) : c.delete(id, expected);
            if (!deleted) {
                throw new RecordNotFoundException(c.name(), id);
            }
            return Reply.empty(204);
        });
    }

    private void find(Context ctx, Query query) {
        Collection c = collection(ctx);
        bounded(ctx, Operation.FIND, () -> {
            Page page = c.find(query);
            ObjectNode body = object();
            ArrayNode list = body.putArray("records");
            page.records().forEach(r -> list.add(r.toJson()));
            body.put("nextCursor", page.nextCursor());
            return Reply.of(200, body);
        });
    }

    private void count(Context ctx) {
        Collection c = collection(ctx);
        Filter filter = filter(body(ctx, Set.of("filter")), false);
        bounded(ctx, Operation.COUNT, () -> Reply.of(200, object().put("count", c.count(filter))));
    }

    private void aggregate(Context ctx) {
        Collection c = collection(ctx);
        JsonNode body = body(ctx, Set.of("filter", "groupBy", "accumulators"));
        Filter filter = filter(body, false);
        JsonNode groupBy = body.path("groupBy");
        if (!groupBy.isMissingNode() && !groupBy.isArray()) {
            throw new QueryException("groupBy", "groupBy is a list of paths, such as [\"city\"]");
        }
        List<String> paths = new ArrayList<>();
        for (JsonNode p : groupBy) {
            if (!p.isTextual()) {
                throw new QueryException("groupBy", "groupBy is a list of paths, such as [\"city\"]");
            }
            paths.add(p.textValue());
        }
        Map<String, Accumulator> accumulators =
                body.has("accumulators") ? Accumulator.parseAll(body.get("accumulators")) : Map.of();
        bounded(ctx, Operation.AGGREGATE, () -> {
            ObjectNode reply = object();
            ArrayNode groups = reply.putArray("groups");
            c.aggregate(filter, paths, accumulators).forEach(g -> groups.add(g.toJson()));
            return Reply.of(200, reply);
        });
    }

    private void distinct(Context ctx) {
        Collection c = collection(ctx);
        JsonNode body = body(ctx, Set.of("filter", "path"));
        Filter filter = filter(body, false);
        String path = text(body, "path", true);
        bounded(ctx, Operation.DISTINCT, () -> {
            ObjectNode reply = object();
            reply.putArray("values").addAll(c.distinct(path, filter));
            return Reply.of(200, reply);
        });
    }

    private void updateMany(Context ctx) {
        Collection c = collection(ctx);
        JsonNode body = body(ctx, Set.of("filter", "patch", "update"));
        Filter filter = filter(body, true);
        // "update" reads better for operators ({"$inc":…}); either key takes a merge patch or operators
        String key = body.has("update") ? "update" : "patch";
        if (body.has("update") == body.has("patch") || !body.get(key).isObject()) {
            throw Problem.badRequest(
                    "Send the change as \"patch\" (a JSON merge patch, e.g. {\"status\":\"archived\"}) "
                            + "or as \"update\" (field operators, e.g. {\"$inc\":{\"visits\":1}}): one object, not both.");
        }
        bounded(
                ctx,
                Operation.UPDATE_MANY,
                () -> Reply.of(200, object().put("count", c.updateMany(filter, body.get(key)))));
    }

    private void deleteMany(Context ctx) {
        Collection c = collection(ctx);
        Filter filter = filter(body(ctx, Set.of("filter")), true);
        bounded(ctx, Operation.DELETE_MANY, () -> Reply.of(200, object().put("count", c.deleteMany(filter))));
    }

    /** Every record as NDJSON, streamed from the database cursor: constant memory for any size. */
    private void export(Context ctx) throws IOException {
        Collection c = collection(ctx);
        ctx.status(200).contentType(NDJSON);
        String token = ctx.header(CONSISTENCY);
        withPermit(() -> metrics.time(Operation.EXPORT.metricName(), () -> {
            try (Stream<Record> records = store.readAfter(token, () -> c.stream(Query.all()));
                    Writer out = new BufferedWriter(
                            new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8), 1 << 16)) {
                Iterator<Record> it = records.iterator();
                while (it.hasNext()) {
                    out.write(VellumJson.write(it.next().toJson()));
                    out.write('\n');
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /**
     * All-or-nothing batch insert (or upsert with {@code ?upsert=true}): a JSON array within the body limit, or
     * NDJSON of any size, read as it arrives. Ids are assigned here so the answer can list them; for NDJSON they are
     * spooled to a temporary file, so memory stays constant too.
     */
    private void batch(Context ctx) throws IOException {
        Collection c = collection(ctx);
        boolean upsert = booleanParameter(ctx, "upsert");
        String type = mediaType(ctx);
        if (type.equals(NDJSON)) {
            Path ids = Files.createTempFile("vellum-batch", ".ids");
            try {
                long count;
                try (BufferedWriter spool = Files.newBufferedWriter(ids)) {
                    // a decoder that reports malformed input: invalid UTF-8 is a 400, never rewritten to U+FFFD
                    BufferedReader reader = new BufferedReader(
                            new InputStreamReader(ctx.bodyInputStream(), StandardCharsets.UTF_8.newDecoder()), 1 << 16);
                    Iterator<NewRecord> lines = NewRecord.readNdjson(reader);
                    Iterable<NewRecord> assigned = () -> java.util.stream.StreamSupport.stream(
                                    java.util.Spliterators.spliteratorUnknownSize(lines, 0), false)
                            .map(line -> {
                                NewRecord r = withId(line);
                                try {
                                    spool.write(r.id());
                                    spool.write('\n');
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                                return r;
                            })
                            .iterator();
                    count = withPermit(() -> metrics.time(
                            Operation.BATCH.metricName(),
                            () -> upsert ? c.upsertMany(assigned) : c.insertMany(assigned)));
                }
                ctx.header(CONSISTENCY, store.consistencyToken()).status(200).contentType(NDJSON);
                try (BufferedReader spooled = Files.newBufferedReader(ids);
                        Writer out = new BufferedWriter(
                                new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8), 1 << 16)) {
                    for (String id = spooled.readLine(); id != null; id = spooled.readLine()) {
                        out.write(VellumJson.write(object().put("id", id)));
                        out.write('\n');
                    }
                    out.write(VellumJson.write(object().put("count", count)));
                    out.write('\n');
                }
            } finally {
                Files.deleteIfExists(ids);
            }
            return;
        }
        if (!isJson(type)) {
            throw unsupported(type, JSON + " (an array of records) or " + NDJSON + " (one record per line)");
        }
        JsonNode body = parse(readLimited(ctx));
        if (!body.isArray()) {
            throw Problem.badRequest("A JSON batch is an array of records: [{\"id\"?, \"fields\":{…}, "
                    + "\"metadata\"?}, …]. Send NDJSON (" + NDJSON + ") for large batches.");
        }
        List<NewRecord> batch = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            batch.add(withId(NewRecord.fromJson(stripAssigned(body.get(i)), "element " + i)));
        }
        bounded(ctx, Operation.BATCH, () -> {
            long count = upsert ? c.upsertMany(batch) : c.insertMany(batch);
            ObjectNode answer = object().put("count", count);
            ArrayNode list = answer.putArray("ids");
            batch.forEach(r -> list.add(r.id()));
            return Reply.of(200, answer);
        });
    }

    private void createIndex(Context ctx) {
        Collection c = collection(ctx);
        JsonNode body = body(ctx, Set.of("name", "paths", "unique"));
        String name = text(body, "name", true);
        JsonNode pathsNode = body.path("paths");
        if (!pathsNode.isArray() || pathsNode.isEmpty()) {
            throw Problem.badRequest("\"paths\" must be a non-empty list of field paths, e.g. [\"city\", \"age\"].");
        }
        List<String> paths = new ArrayList<>();
        pathsNode.forEach(p -> {
            if (!p.isTextual()) {
                throw Problem.badRequest("Every element of \"paths\" must be a string, got " + p);
            }
            paths.add(p.textValue());
        });
        JsonNode uniqueNode = body.path("unique");
        if (!uniqueNode.isMissingNode() && !uniqueNode.isBoolean()) {
            throw Problem.badRequest("\"unique\" must be true or false.");
        }
        boolean unique = uniqueNode.asBoolean(false);
        IndexInfo wanted = new IndexInfo(name, paths, unique);
        bounded(ctx, Operation.CREATE_INDEX, () -> {
            Optional<IndexInfo> existing =
                    c.indexes().stream().filter(i -> i.name().equals(name)).findFirst();
            if (existing.isPresent()) {
                if (!existing.get().equals(wanted)) {
                    throw new Problem(
                                    409,
                                    "index-exists",
                                    "Index exists",
                                    "An index named '" + name + "' already "
                                            + "exists with another definition; drop it first.")
                            .with("index", existing.get());
                }
                return Reply.of(200, VellumJson.toTree(wanted));
            }
            c.createIndex(name, paths, unique);
            return Reply.of(201, VellumJson.toTree(wanted));
        });
    }

    private void dropIndex(Context ctx, String name) {
        Collection c = collection(ctx);
        bounded(ctx, Operation.DROP_INDEX, () -> {
            if (!c.dropIndex(name)) {
                throw Problem.notFound("No index named '" + name + "' on " + c.name());
            }
            return Reply.empty(204);
        });
    }

    private ObjectNode indexList(Collection c) {
        ObjectNode body = object();
        body.set("indexes", VellumJson.toTree(c.indexes()));
        return body;
    }

    // ---- request reading ----

    private Collection collection(Context ctx) {
        return store.collection(collectionName(ctx));
    }

    private static String collectionName(Context ctx) {
        return ctx.pathParam("c");
    }

    /** A JSON object body; {@code keys} (when given) are the only members allowed. */
    private JsonNode body(Context ctx, Set<String> keys) {
        String type = mediaType(ctx);
        if (!isJson(type)) {
            throw unsupported(type, JSON);
        }
        JsonNode body = parse(readLimited(ctx));
        if (!body.isObject()) {
            throw Problem.badRequest("The body must be a JSON object.");
        }
        if (keys != null) {
            for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!keys.contains(key)) {
                    throw Problem.badRequest("Unknown member \"" + key + "\"; this endpoint takes "
                            + String.join(", ", keys.stream().sorted().toList()) + ".");
                }
            }
        }
        return body;
    }

    private void requireContentType(Context ctx, String expected) {
        String type = mediaType(ctx);
        if (!type.equals(expected) && !type.equals(JSON)) {
            throw unsupported(type, expected);
        }
    }

    private static Problem unsupported(String type, String expected) {
        return new Problem(
                415,
                "unsupported-media-type",
                "Unsupported media type",
                (type.isEmpty() ? "The request has no Content-Type" : "Content-Type " + type + " is not accepted here")
                        + ": send " + expected + ".");
    }

    /** The media type without parameters, lower case; empty when absent. */
    private static String mediaType(Context ctx) {
        String type = ctx.contentType();
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean isJson(String type) {
        return type.equals(JSON) || type.startsWith("application/") && type.endsWith("+json");
    }

    /** Reads the body, refusing more than the configured limit without reading it all first. */
    private byte[] readLimited(Context ctx) {
        long limit = limits.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = ctx.bodyInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 1 << 20)));
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
            byte[] body = out.toByteArray();
            Problem.requireUtf8(body);
            return body;
        } catch (IOException e) {
            throw Problem.unreadableBody(e);
        }
    }

    private static Problem tooLarge(long limit) {
        return new Problem(
                413,
                "body-too-large",
                "Request body too large",
                "The body is larger than " + limit
                        + " bytes (VELLUM_HTTP_MAX_BODY). Send large batches as NDJSON (" + NDJSON + ") to "
                        + "/v1/collections/{c}/records:batch, which is streamed.");
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new Problem(
                    400, "malformed-json", "Malformed JSON", "The request body is empty; send a JSON " + "document.");
        }
        try {
            return VellumJson.inputReader().readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Problem(
                    400,
                    "malformed-json",
                    "Malformed JSON",
                    "The request body is not valid JSON: " + VellumJson.reason(e));
        } catch (IOException e) {
            throw Problem.unreadableBody(e);
        }
    }

    /** GET …/records?filter=…&sort=…: the same query object as POST …/query, built from parameters. */
    private Query queryFromParameters(Context ctx) {
        ObjectNode node = object();
        for (String name : ctx.queryParamMap().keySet()) {
            if (!QUERY_PARAMS.contains(name)) {
                throw new QueryException(
                        name,
                        "Unknown query parameter '" + name + "'; parameters are "
                                + String.join(
                                        ", ", QUERY_PARAMS.stream().sorted().toList()));
            }
        }
        String filter = ctx.queryParam("filter");
        if (filter != null) {
            try {
                node.set("filter", VellumJson.inputReader().readTree(filter));
            } catch (IOException e) {
                throw new QueryException("filter", "filter must be a JSON filter such as {\"age\":{\"$gte\":30}}");
            }
        }
        splitParameter(ctx, "sort", node);
        splitParameter(ctx, "fields", node);
        integerParameter(ctx, "limit", node);
        integerParameter(ctx, "offset", node);
        if (ctx.queryParam("cursor") != null) {
            node.put("cursor", ctx.queryParam("cursor"));
        }
        return checked(node);
    }

    private Query queryFromBody(Context ctx) {
        JsonNode body = body(ctx, null);
        return checked((ObjectNode) body);
    }

    /** Applies the server's page-size default and limits and its filter limits. */
    private Query checked(ObjectNode node) {
        JsonNode limit = node.get("limit");
        if (limit == null || limit.isNull()) {
            node.put("limit", limits.defaultPageSize());
        } else if (limit.canConvertToInt() && limit.intValue() > limits.maxPageSize()) {
            throw new QueryException(
                    "limit",
                    "limit must be at most " + limits.maxPageSize()
                            + " on this server (VELLUM_HTTP_MAX_PAGE_SIZE); use the cursor for the next page");
        }
        Query query = Query.fromJson(node);
        FilterLimits.check(query.filter(), limits.maxFilterDepth(), limits.maxFilterConditions());
        return query;
    }

    /** The "filter" member; {@code required} for bulk writes, so an empty body never means "everything". */
    private Filter filter(JsonNode body, boolean required) {
        JsonNode node = body.get("filter");
        if (node == null || node.isNull()) {
            if (required) {
                throw new QueryException("filter", "\"filter\" is required here; use {} to mean every record");
            }
            return Filter.all();
        }
        Filter filter = Filter.fromJson(node);
        FilterLimits.check(filter, limits.maxFilterDepth(), limits.maxFilterConditions());
        return filter;
    }

    private static void splitParameter(Context ctx, String name, ObjectNode node) {
        String value = ctx.queryParam(name);
        if (value != null && !value.isBlank()) {
            ArrayNode list = node.putArray(name);
            for (String part : value.split(",")) {
                list.add(part.strip());
            }
        }
    }

    private static void integerParameter(Context ctx, String name, ObjectNode node) {
        String value = ctx.queryParam(name);
        if (value != null) {
            try {
                node.put(name, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                throw new QueryException(name, name + " must be a whole number, got '" + value + "'");
            }
        }
    }

    private static boolean booleanParameter(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true") || value.isEmpty()) {
            return true;
        }
        throw Problem.badRequest(name + " must be true or false, got '" + value + "'");
    }

    private static String text(JsonNode body, String key, boolean required) {
        JsonNode node = body.get(key);
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            if (!required && (node == null || node.isNull())) {
                return null;
            }
            throw Problem.badRequest("\"" + key + "\" must be a non-empty string.");
        }
        return node.textValue();
    }

    /** The version an {@code If-Match: "N"} header names; null without the header or for {@code *}. */
    private static Long ifMatch(Context ctx) {
        String header = ctx.header("If-Match");
        if (header == null || header.trim().equals("*")) {
            return null;
        }
        String value = header.trim();
        String digits = value.length() >= 3 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : "";
        if (!digits.isEmpty() && digits.length() <= 19 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException pastLong) {
                // fall through to the message
            }
        }
        throw Problem.badRequest("If-Match must be the record's ETag, e.g. \"3\" (with the quotes), got " + value);
    }

    /** Whether an {@code If-None-Match} list names this ETag (weak or strong, as RFC 9110 asks for GET). */
    private static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    private static NewRecord withId(NewRecord r) {
        return r.id() == null ? r.withId(Vellum.newId()) : r;
    }

    private static JsonNode stripAssigned(JsonNode node) {
        if (node instanceof ObjectNode o && ASSIGNED_KEYS.stream().anyMatch(o::has)) {
            ObjectNode copy = o.deepCopy();
            copy.remove(ASSIGNED_KEYS);
            return copy;
        }
        return node;
    }

    // ---- answers ----

    private static Reply written(Record r) {
        return Reply.of(200, r.toJson()).header("ETag", etag(r.version()));
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    private static String recordPath(String collection, String id) {
        return "/v1/collections/" + encode(collection) + "/records/" + encode(id);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ObjectNode object() {
        return VellumJson.nodes().objectNode();
    }

    /** A JSON answer to a read: when the heap runs short building it, a 503 that says so (nothing was written). */
    static void json(Context ctx, int status, JsonNode body) {
        try {
            JsonAnswer.send(ctx, status, JSON, body);
        } catch (JsonAnswer.NotSent e) {
            throw Problem.shortOfMemory(false);
        }
    }

    /**
     * Runs one store operation, timed, within the request timeout. The work runs on a worker so the request thread
     * can give up at the deadline; the answer is written from the request thread. At the deadline the work is
     * cancelled (its statement in the database too), and the answer is what really happened: 503 when it rolled
     * back or never started, its own answer when it had already begun to commit. No error answer hides a write.
     */
    void bounded(Context ctx, Operation operation, Supplier<Reply> work) {
        String token = ctx.header(CONSISTENCY);
        boolean write = operation.writes();
        Supplier<Reply> timed = () -> metrics.time(operation.metricName(), () -> {
            // reads see the write a client's token names (any replica within the lag bound without one); a write
            // answers the token that makes later reads, on any node, see it
            Reply reply = store.readAfter(token, work);
            return write && reply.status < 300 ? reply.header(CONSISTENCY, store.consistencyToken()) : reply;
        });
        long timeout = limits.requestTimeout().toMillis();
        Supplier<Problem> timedOut = () -> new Problem(
                        503,
                        "timeout",
                        "Request timed out",
                        "The request took longer "
                                + "than " + timeout
                                + " ms (VELLUM_HTTP_REQUEST_TIMEOUT) and was cancelled; nothing was written. If it "
                                + "reads much, narrow the filter, add an index, or page with a smaller limit; GET /ready shows whether "
                                + "the database is slow to answer.")
                .retryAfter(1);
        Reply reply;
        try {
            reply = withPermit(() -> timeout == 0 ? timed.get() : withDeadline(timed, timeout, write, timedOut));
        } catch (Problem | VellumException known) {
            throw Problem.isShortOfMemory(known) ? Problem.shortOfMemory(write) : known;
        } catch (OutOfMemoryError e) {
            throw Problem.shortOfMemory(write);
        } catch (RuntimeException | Error unexpected) {
            if (!write) {
                throw unexpected;
            }
            // whatever failed may have failed after the commit: the answer must not say nothing was written
            LOG.error(
                    "{} {} failed unexpectedly; its outcome is unknown (request id {})",
                    ctx.method().name(),
                    ctx.path(),
                    ctx.<String>attribute(VellumServer.REQUEST_ID_KEY),
                    unexpected);
            throw new Problem(
                            503,
                            "outcome-unknown",
                            "Outcome unknown",
                            "The write failed in an unexpected way, "
                                    + "perhaps after it committed. Read the record(s) to see whether it was applied before you "
                                    + "retry.")
                    .retryAfter(1);
        }
        reply.writeTo(ctx, write);
    }

    /**
     * Runs work on a worker for at most {@code millis}; past that cancels it and, when {@code awaitOutcome} (work
     * that may write), answers its true outcome; a read-only probe answers at once.
     */
    private <T> T withDeadline(Supplier<T> work, long millis, boolean awaitOutcome, Supplier<Problem> timedOut) {
        Cancellation cancellation = new Cancellation();
        Future<T> future;
        try {
            future = workers.submit(() -> cancellation.run(work));
        } catch (RejectedExecutionException e) {
            throw stopping();
        }
        try {
            try {
                return future.get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!awaitOutcome) {
                    // a read answers now: cancelling it may wait on a server that does not answer (a hung replica)
                    CANCELLER.execute(cancellation::cancel);
                    try {
                        // a read stopped while it waited for a connection says why in a moment
                        return future.get(READ_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException stillRunning) {
                        throw timedOut.get();
                    }
                }
                cancellation.cancel();
                try {
                    return future.get(OUTCOME_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    throw new Problem(
                                    503,
                                    "outcome-unknown",
                                    "Outcome unknown",
                                    "The request timed out while its "
                                            + "write was committing, and the database has not said whether it succeeded. Read the "
                                            + "record(s) to see whether it was applied before you retry.")
                            .retryAfter(1);
                }
            }
        } catch (InterruptedException e) {
            cancellation.cancel();
            Thread.currentThread().interrupt();
            throw stopping();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OperationCancelledException cancelled) {
                // cut short while waiting for a connection: the database is unreachable, or the pool is busy
                if (cancelled.getCause() instanceof ConnectionException
                        || cancelled.getCause() instanceof PoolExhaustedException) {
                    throw (RuntimeException) cancelled.getCause();
                }
                throw timedOut.get();
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static Problem stopping() {
        return new Problem(503, "unavailable", "Server stopping", "The server is stopping; retry.").retryAfter(1);
    }

    /** What a bounded operation answers: status, headers, and a JSON body (or none). */
    static final class Reply {
        private final int status;
        private final JsonNode body;
        private final List<String[]> headers = new ArrayList<>(2);

        private Reply(int status, JsonNode body) {
            this.status = status;
            this.body = body;
        }

        static Reply of(int status, JsonNode body) {
            return new Reply(status, body);
        }

        static Reply empty(int status) {
            return new Reply(status, null);
        }

        Reply header(String name, String value) {
            headers.add(new String[] {name, value});
            return this;
        }

        /**
         * Answers. A committed write answers 2xx whatever happens here: with {@code Prefer: return=minimal}, or when
         * its body cannot be built (the heap runs short), it answers without the body — 201, or 204 for a 200 — and
         * its ETag, Location and consistency token still say what was written.
         */
        void writeTo(Context ctx, boolean committedWrite) {
            headers.forEach(h -> ctx.header(h[0], h[1]));
            if (body == null) {
                ctx.status(status);
                return;
            }
            if (!committedWrite || status >= 300) {
                json(ctx, status, body);
                return;
            }
            if (prefersMinimal(ctx)) {
                ctx.header("Preference-Applied", "return=minimal");
                ctx.status(status == 200 ? 204 : status);
                return;
            }
            try {
                JsonAnswer.send(ctx, status, JSON, body);
            } catch (JsonAnswer.NotSent e) {
                LOG.warn(
                        "{} {} was written, but its answer could not be built ({}); answered without a body "
                                + "(request id {})",
                        ctx.method().name(),
                        ctx.path(),
                        e.getCause().getClass().getSimpleName(),
                        ctx.<String>attribute(VellumServer.REQUEST_ID_KEY));
                ctx.status(status == 200 ? 204 : status);
            }
        }

        /** RFC 7240: the client wants no representation back. */
        private static boolean prefersMinimal(Context ctx) {
            for (String prefer : Collections.list(ctx.req().getHeaders("Prefer"))) {
                for (String preference : prefer.split(",")) {
                    if (preference
                            .trim()
                            .toLowerCase(Locale.ROOT)
                            .replace(" ", "")
                            .equals("return=minimal")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
