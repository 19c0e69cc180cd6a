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
import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.Filter;
import dev.vellum.Health;
import dev.vellum.IndexInfo;
import dev.vellum.NewRecord;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.RecordNotFoundException;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;

/** The endpoints: each reads its request, does one record-store operation, and answers JSON. */
final class Api {
    static final String NDJSON = "application/x-ndjson";
    static final String JSON = "application/json";
    static final String MERGE_PATCH = "application/merge-patch+json";
    /** How long /ready waits for the database before it answers 503. */
    private static final long READY_DEADLINE_MILLIS = 800;

    private final RecordStore store;
    private final ServerSettings limits;
    private final Metrics metrics;
    private final Execution execution;
    private final Requests requests;

    private final ChangeFeedApi feeds;
    private final StreamTokens tokens;
    /** The request attribute holding the API key a request was authorized with (none without keys). */
    static final String API_KEY = "vellum.apiKey";

    Api(RecordStore store, ServerSettings limits, Metrics metrics, ExecutorService workers, StreamTokens tokens) {
        this.store = store;
        this.limits = limits;
        this.metrics = metrics;
        this.tokens = tokens;
        this.execution = new Execution(store, limits, metrics, workers);
        this.requests = new Requests(store, limits);
        this.feeds = new ChangeFeedApi(store, limits, execution);
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
        r.add(
                GET,
                "/openapi.json",
                ctx -> ctx.contentType(JSON).result(OpenApi.document(ctx).getBytes(StandardCharsets.UTF_8)));
        r.add(GET, "/", ctx -> json(ctx, 200, welcome()));
        r.add(GET, "/v1", ctx -> json(ctx, 200, welcome()));
        r.add(POST, "/v1/stream-tokens", this::streamToken);

        r.add(GET, "/v1/collections", ctx -> execution.bounded(ctx, Operation.COLLECTIONS, this::listCollections));
        r.add(
                DELETE,
                "/v1/collections/{c}",
                ctx -> execution.bounded(ctx, Operation.DROP_COLLECTION, () -> {
                    String name = Requests.collectionName(ctx);
                    if (!store.dropCollection(name)) {
                        throw Problem.notFound("No collection named '" + name + "'");
                    }
                    return Reply.empty(204);
                }));

        String records = "/v1/collections/{c}/records";
        r.add(POST, records, this::insert);
        r.add(POST, records + ":batch", this::batch);
        r.add(GET, records, ctx -> find(ctx, requests.queryFromParameters(ctx)));
        r.add(GET, records + "/{id}", this::get);
        r.add(PUT, records + "/{id}", this::replace);
        r.add(PATCH, records + "/{id}", this::patch);
        r.add(DELETE, records + "/{id}", this::delete);

        String collection = "/v1/collections/{c}";
        r.add(POST, collection + "/query", ctx -> find(ctx, requests.queryFromBody(ctx)));
        r.add(POST, collection + "/count", this::count);
        r.add(POST, collection + "/aggregate", this::aggregate);
        r.add(POST, collection + "/distinct", this::distinct);
        r.add(POST, collection + "/update", this::updateMany);
        r.add(POST, collection + "/delete", this::deleteMany);
        r.add(GET, collection + "/export", this::export);
        r.add(
                GET,
                collection + "/indexes",
                ctx -> execution.bounded(
                        ctx, Operation.INDEXES, () -> Reply.of(200, indexList(requests.collection(ctx)))));
        r.add(POST, collection + "/indexes", this::createIndex);
        r.add(DELETE, collection + "/indexes/{name}", ctx -> dropIndex(ctx, ctx.pathParam("name")));
        r.add(
                DELETE,
                collection + "/indexes",
                ctx -> dropIndex(ctx, Requests.text(requests.body(ctx, Set.of("name")), "name", true)));
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
        JsonNode body = requests.body(ctx, Set.of("path"));
        String path = Requests.text(body, "path", true);
        if (!ChangeFeedApi.isFeedPath(path)) {
            throw new QueryException(
                    "path",
                    "path must be a change feed: /v1/changes or " + "/v1/collections/{name}/changes, got '"
                            + dev.vellum.VellumException.quote(path) + "'");
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
            Health health = execution.withDeadline(
                    () -> database.get().health(), READY_DEADLINE_MILLIS, false, () -> unavailable);
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
        Collection c = requests.collection(ctx);
        NewRecord record = NewRecord.fromJson(requests.body(ctx, null), "The body");
        execution.bounded(ctx, Operation.INSERT, () -> {
            Record stored = c.insert(record.id(), record.fields(), record.metadata());
            return Reply.of(201, stored.toJson())
                    .header("Location", recordPath(c.name(), stored.id()))
                    .header("ETag", etag(stored.version()));
        });
    }

    private void get(Context ctx) {
        Collection c = requests.collection(ctx);
        String id = ctx.pathParam("id");
        execution.bounded(ctx, Operation.GET, () -> {
            Record r = c.get(id).orElseThrow(() -> new RecordNotFoundException(c.name(), id));
            String etag = etag(r.version());
            if (Requests.matches(ctx.header("If-None-Match"), etag)) {
                return Reply.empty(304).header("ETag", etag);
            }
            return Reply.of(200, r.toJson()).header("ETag", etag);
        });
    }

    private void replace(Context ctx) {
        Collection c = requests.collection(ctx);
        String id = ctx.pathParam("id");
        JsonNode body = requests.body(ctx, Set.of("id", "fields"));
        if (body.hasNonNull("id") && !body.get("id").asText().equals(id)) {
            throw Problem.badRequest("The body's id '" + body.get("id").asText() + "' differs from the path's '" + id
                    + "'; leave it out or make them agree.");
        }
        if (!body.path("fields").isObject()) {
            throw Problem.badRequest("A replace body is {\"fields\":{…}}: the record's new fields.");
        }
        Long expected = Requests.ifMatch(ctx);
        execution.bounded(
                ctx,
                Operation.REPLACE,
                () -> written(
                        expected == null
                                ? c.replace(id, body.get("fields"))
                                : c.replace(id, body.get("fields"), expected)));
    }

    private void patch(Context ctx) {
        Collection c = requests.collection(ctx);
        String id = ctx.pathParam("id");
        requests.requireContentType(ctx, MERGE_PATCH);
        JsonNode patch = Requests.parse(requests.readLimited(ctx));
        Long expected = Requests.ifMatch(ctx);
        execution.bounded(
                ctx,
                Operation.PATCH,
                () -> written(expected == null ? c.patch(id, patch) : c.patch(id, patch, expected)));
    }

    private void delete(Context ctx) {
        Collection c = requests.collection(ctx);
        String id = ctx.pathParam("id");
        Long expected = Requests.ifMatch(ctx);
        execution.bounded(ctx, Operation.DELETE, () -> {
            boolean deleted = expected == null ? c.delete(id) : c.delete(id, expected);
            if (!deleted) {
                throw new RecordNotFoundException(c.name(), id);
            }
            return Reply.empty(204);
        });
    }

    private void find(Context ctx, Query query) {
        Collection c = requests.collection(ctx);
        execution.bounded(ctx, Operation.FIND, () -> {
            Page page = c.find(query);
            ObjectNode body = object();
            ArrayNode list = body.putArray("records");
            page.records().forEach(r -> list.add(r.toJson()));
            body.put("nextCursor", page.nextCursor());
            return Reply.of(200, body);
        });
    }

    private void count(Context ctx) {
        Collection c = requests.collection(ctx);
        Filter filter = requests.filter(requests.body(ctx, Set.of("filter")), false);
        execution.bounded(ctx, Operation.COUNT, () -> Reply.of(200, object().put("count", c.count(filter))));
    }

    private void aggregate(Context ctx) {
        Collection c = requests.collection(ctx);
        JsonNode body = requests.body(ctx, Set.of("filter", "groupBy", "accumulators"));
        Filter filter = requests.filter(body, false);
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
        execution.bounded(ctx, Operation.AGGREGATE, () -> {
            ObjectNode reply = object();
            ArrayNode groups = reply.putArray("groups");
            c.aggregate(filter, paths, accumulators).forEach(g -> groups.add(g.toJson()));
            return Reply.of(200, reply);
        });
    }

    private void distinct(Context ctx) {
        Collection c = requests.collection(ctx);
        JsonNode body = requests.body(ctx, Set.of("filter", "path"));
        Filter filter = requests.filter(body, false);
        String path = Requests.text(body, "path", true);
        execution.bounded(ctx, Operation.DISTINCT, () -> {
            ObjectNode reply = object();
            reply.putArray("values").addAll(c.distinct(path, filter));
            return Reply.of(200, reply);
        });
    }

    private void updateMany(Context ctx) {
        Collection c = requests.collection(ctx);
        JsonNode body = requests.body(ctx, Set.of("filter", "patch", "update"));
        Filter filter = requests.filter(body, true);
        // "update" reads better for operators ({"$inc":…}); either key takes a merge patch or operators
        String key = body.has("update") ? "update" : "patch";
        if (body.has("update") == body.has("patch") || !body.get(key).isObject()) {
            throw Problem.badRequest(
                    "Send the change as \"patch\" (a JSON merge patch, e.g. {\"status\":\"archived\"}) "
                            + "or as \"update\" (field operators, e.g. {\"$inc\":{\"visits\":1}}): one object, not both.");
        }
        execution.bounded(
                ctx,
                Operation.UPDATE_MANY,
                () -> Reply.of(200, object().put("count", c.updateMany(filter, body.get(key)))));
    }

    private void deleteMany(Context ctx) {
        Collection c = requests.collection(ctx);
        Filter filter = requests.filter(requests.body(ctx, Set.of("filter")), true);
        execution.bounded(ctx, Operation.DELETE_MANY, () -> Reply.of(200, object().put("count", c.deleteMany(filter))));
    }

    /** Every record as NDJSON, streamed from the database cursor: constant memory for any size. */
    private void export(Context ctx) throws IOException {
        Collection c = requests.collection(ctx);
        ctx.status(200).contentType(NDJSON);
        String token = ctx.header(CONSISTENCY);
        execution.withPermit(() -> metrics.time(Operation.EXPORT.metricName(), () -> {
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
        Collection c = requests.collection(ctx);
        boolean upsert = Requests.booleanParameter(ctx, "upsert");
        String type = Requests.mediaType(ctx);
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
                                NewRecord r = Requests.withId(line);
                                try {
                                    spool.write(r.id());
                                    spool.write('\n');
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                                return r;
                            })
                            .iterator();
                    count = execution.withPermit(() -> metrics.time(
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
        if (!Requests.isJson(type)) {
            throw Requests.unsupported(type, JSON + " (an array of records) or " + NDJSON + " (one record per line)");
        }
        JsonNode body = Requests.parse(requests.readLimited(ctx));
        if (!body.isArray()) {
            throw Problem.badRequest("A JSON batch is an array of records: [{\"id\"?, \"fields\":{…}, "
                    + "\"metadata\"?}, …]. Send NDJSON (" + NDJSON + ") for large batches.");
        }
        List<NewRecord> batch = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            batch.add(Requests.withId(NewRecord.fromJson(Requests.stripAssigned(body.get(i)), "element " + i)));
        }
        execution.bounded(ctx, Operation.BATCH, () -> {
            long count = upsert ? c.upsertMany(batch) : c.insertMany(batch);
            ObjectNode answer = object().put("count", count);
            ArrayNode list = answer.putArray("ids");
            batch.forEach(r -> list.add(r.id()));
            return Reply.of(200, answer);
        });
    }

    private void createIndex(Context ctx) {
        Collection c = requests.collection(ctx);
        JsonNode body = requests.body(ctx, Set.of("name", "paths", "unique"));
        String name = Requests.text(body, "name", true);
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
        execution.bounded(ctx, Operation.CREATE_INDEX, () -> {
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
        Collection c = requests.collection(ctx);
        execution.bounded(ctx, Operation.DROP_INDEX, () -> {
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
}
