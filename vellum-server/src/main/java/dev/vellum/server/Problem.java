package dev.vellum.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.CommitOutcomeUnknownException;
import dev.vellum.ConcurrencyException;
import dev.vellum.ConfigurationException;
import dev.vellum.ConnectionException;
import dev.vellum.DuplicateRecordException;
import dev.vellum.InvalidRecordException;
import dev.vellum.OperationCancelledException;
import dev.vellum.QueryException;
import dev.vellum.RecordNotFoundException;
import dev.vellum.StorageFullException;
import dev.vellum.VellumException;
import dev.vellum.VellumJson;

/**
 * An RFC 9457 problem: the status, a stable {@code type} per kind of error, a title, a detail a person can act on,
 * and extra members (the offending part of a query, the versions of a conflict). Thrown by handlers; rendered by
 * the server as {@code application/problem+json}.
 */
final class Problem extends RuntimeException {
    static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://vellum.dev/problems/";

    final int status;
    final String type;
    final String title;
    final ObjectNode extra = VellumJson.nodes().objectNode();
    /** Seconds for a Retry-After header; 0 for none. */
    int retryAfter;

    Problem(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    Problem with(String key, Object value) {
        extra.set(key, VellumJson.toTree(value));
        return this;
    }

    Problem retryAfter(int seconds) {
        retryAfter = seconds;
        return this;
    }

    /**
     * The heap ran short while serving: said as such rather than as an empty 500. A write may have committed before
     * that, so its outcome is unknown; a read wrote nothing.
     */
    static Problem shortOfMemory(boolean write) {
        return (write
                        ? new Problem(
                                503,
                                "outcome-unknown",
                                "Outcome unknown",
                                "The server ran short of memory while "
                                        + "running this write, perhaps after it committed. Read the record(s) to see whether it was applied "
                                        + "before you retry, and send less at once (smaller batches or records).")
                        : new Problem(
                                503,
                                "saturated",
                                "Server short of memory",
                                "The server ran short of memory building "
                                        + "this answer; nothing was written. Retry shortly, or ask for less at once (a smaller limit, fewer "
                                        + "fields)."))
                .retryAfter(1);
    }

    /** The heap ran short serving a request that may have been a read or a write. */
    static Problem shortOfMemory() {
        return new Problem(
                        503,
                        "saturated",
                        "Server short of memory",
                        "The server ran short of memory serving this "
                                + "request. If it was a write, read the record(s) to see whether it was applied before you retry; "
                                + "otherwise retry shortly, or ask for less at once.")
                .retryAfter(1);
    }

    /**
     * Whether the heap ran short somewhere below {@code e}: the PostgreSQL driver, for one, catches its own
     * {@link OutOfMemoryError} while reading a result and throws an SQL exception that carries it.
     */
    static boolean isShortOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    static Problem badRequest(String detail) {
        return new Problem(400, "bad-request", "Bad request", detail);
    }

    static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not found", detail);
    }

    /** Refuses a body that is not valid UTF-8 (overlong forms, encoded surrogates, stray bytes): never rewritten. */
    static void requireUtf8(byte[] body) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw invalidUtf8();
        }
    }

    private static Problem invalidUtf8() {
        return new Problem(
                400,
                "invalid-utf8",
                "Invalid UTF-8",
                "The request body is not valid UTF-8 (JSON must " + "be UTF-8); nothing was written.");
    }

    /** A body that broke off or could not be decoded: the client's fault, so a 400 and no stack trace. */
    static Problem unreadableBody(java.io.IOException e) {
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return invalidUtf8();
        }
        return new Problem(
                400,
                "body-unreadable",
                "Request body unreadable",
                "The request body ended early or " + "could not be read; nothing was written.");
    }

    /** The one place a library exception becomes an HTTP status. Messages are the library's own: no SQL, no secrets. */
    static Problem from(Throwable e) {
        if (e instanceof Problem p) {
            return p;
        }
        if (isShortOfMemory(e)) {
            return shortOfMemory();
        }
        if (e instanceof QueryException q) {
            return new Problem(400, "invalid-query", "Invalid query", q.getMessage()).with("part", q.part());
        }
        if (e instanceof dev.vellum.ChangesNotEnabledException) {
            return new Problem(404, "changes-not-enabled", "Change feed not enabled", e.getMessage());
        }
        if (e instanceof dev.vellum.ChangeTokenExpiredException) {
            return new Problem(410, "token-expired", "Change token expired", e.getMessage());
        }
        if (e instanceof dev.vellum.RecordTooLargeException big) {
            Problem p = new Problem(413, "record-too-large", "Record too large", e.getMessage());
            return big.size() < 0 ? p : p.with("size", big.size()).with("limit", big.limit());
        }
        if (e instanceof InvalidRecordException) {
            return new Problem(400, "invalid-record", "Invalid record", e.getMessage());
        }
        if (e instanceof RecordNotFoundException) {
            return notFound(e.getMessage());
        }
        if (e instanceof DuplicateRecordException d) {
            Problem p = new Problem(409, "duplicate", "Duplicate record", d.getMessage());
            return d.id() == null ? p : p.with("id", d.id());
        }
        if (e instanceof ConcurrencyException c) {
            return new Problem(412, "stale-version", "Precondition failed", c.getMessage())
                    .with("id", c.id())
                    .with("expectedVersion", c.expectedVersion())
                    .with("actualVersion", c.actualVersion());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            // Jetty's own verdict on the request (a body that arrives too slowly: 408), wherever it surfaced
            if (t instanceof org.eclipse.jetty.http.HttpException http
                    && http.getCode() >= 400
                    && http.getCode() < 500) {
                return ProblemErrorHandler.forStatus(http.getCode());
            }
        }
        if (e instanceof java.io.UncheckedIOException io) {
            return unreadableBody(io.getCause());
        }
        if (e instanceof OperationCancelledException) {
            return new Problem(
                            503,
                            "timeout",
                            "Request cancelled",
                            "The request was cancelled before it " + "committed; nothing was written. Retry.")
                    .retryAfter(1);
        }
        if (e instanceof CommitOutcomeUnknownException) {
            return new Problem(
                            503,
                            "outcome-unknown",
                            "Outcome unknown",
                            "The connection to the database broke while "
                                    + "it was committing this request's write: it may or may not have been applied. Read the record(s) "
                                    + "to see before you retry.")
                    .retryAfter(1);
        }
        if (e instanceof StorageFullException) {
            return new Problem(
                            507,
                            "storage-full",
                            "Insufficient storage",
                            "The database has no room to write "
                                    + "(disk full); nothing of this request was written. Reads keep working; writes work again "
                                    + "once an operator frees space.")
                    .retryAfter(30);
        }
        if (e instanceof dev.vellum.PoolExhaustedException) {
            return new Problem(
                            503,
                            "saturated",
                            "Server busy",
                            "Every database connection stayed in use for as long "
                                    + "as this request could wait; nothing was written. Retry shortly.")
                    .retryAfter(1);
        }
        if (e instanceof ConnectionException) {
            return new Problem(
                            503,
                            "unavailable",
                            "Database unavailable",
                            "The database cannot be reached right now. Retry later.")
                    .retryAfter(5);
        }
        if (e instanceof ConfigurationException) {
            return new Problem(500, "configuration", "Server misconfigured", e.getMessage());
        }
        if (e instanceof VellumException) {
            // a StorageException may quote a driver message: keep it in the log, not in the answer
            return new Problem(
                    500,
                    "storage",
                    "Storage error",
                    "The database could not complete the request. The server log has the details (request id).");
        }
        return new Problem(
                500,
                "internal",
                "Internal error",
                "The server failed to complete the request. The server log has the details (request id).");
    }

    ObjectNode body(String instance) {
        ObjectNode body = VellumJson.nodes().objectNode();
        body.put("type", TYPE_BASE + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", getMessage());
        if (instance != null) {
            body.put("instance", instance);
        }
        body.setAll(extra);
        return body;
    }
}
