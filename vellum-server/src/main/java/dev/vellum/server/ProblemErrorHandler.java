package dev.vellum.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.VellumJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors, the ones raised before a request reaches the API (a malformed request line or URI encoding,
 * 414, 431, a body that arrives too slowly), as problem+json like every other error, instead of an HTML page. The
 * detail is Vellum's own text for the status: Jetty's message may name its internals.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final long drained;

    /** @param drained bodies up to this size are read before the answer */
    ProblemErrorHandler(long drained) {
        this.drained = drained;
    }

    /** Every method gets its problem (Jetty's own pages are for GET, POST and HEAD only). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        Problem problem = forStatus(code);
        ObjectNode body = problem.body(null);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (problem.retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(problem.retryAfter));
        }
        ByteBuffer bytes = ByteBuffer.wrap(VellumJson.write(body).getBytes(StandardCharsets.UTF_8));
        long length = request.getLength();
        if (code == 408 || code == 413 || length <= 0 || length > drained) {
            response.write(true, bytes, callback);
            return;
        }
        // a request refused before its body was read (say a URI Jetty finds ambiguous) has it read first: closing on a
        // client still sending it would reset the connection before the client reads this answer
        Content.Source.consumeAll(
                request,
                Callback.from(
                        () -> response.write(true, bytes, callback),
                        unreadable -> response.write(true, bytes, callback)));
    }

    static Problem forStatus(int code) {
        return switch (code) {
            case 400 ->
                Problem.badRequest("The request is malformed: check the request line, the URI's "
                        + "percent-encoding (as UTF-8) and the headers.");
            case 408 ->
                new Problem(
                        408,
                        "request-timeout",
                        "Request timeout",
                        "The request (or its body) arrived "
                                + "too slowly (VELLUM_HTTP_MIN_BODY_RATE, VELLUM_HTTP_IDLE_TIMEOUT); nothing was written.");
            case 413 ->
                new Problem(
                        413,
                        "body-too-large",
                        "Request body too large",
                        "The request body is larger " + "than this server accepts (VELLUM_HTTP_MAX_BODY).");
            case 414 ->
                new Problem(
                        414,
                        "uri-too-long",
                        "URI too long",
                        "The request URI is longer than this server "
                                + "accepts; send long filters in the body of POST /v1/collections/{c}/query.");
            case 431 ->
                new Problem(
                        431,
                        "headers-too-large",
                        "Request headers too large",
                        "The request headers are " + "larger than this server accepts.");
            case 503 ->
                new Problem(
                                503,
                                "unavailable",
                                "Service unavailable",
                                "The server cannot take the request " + "right now; retry.")
                        .retryAfter(1);
            default ->
                code >= 500
                        ? new Problem(code, "internal", "Internal error", "The server failed to complete the request.")
                        : new Problem(
                                code,
                                "http-" + code,
                                "HTTP " + code,
                                "The request could not be handled (HTTP " + code + ").");
        };
    }
}
