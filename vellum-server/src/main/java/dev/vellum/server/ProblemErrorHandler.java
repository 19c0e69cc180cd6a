package dev.vellum.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Jetty's own errors, the ones raised before a request reaches the API (a malformed request line or URI encoding,
 * 414, 431, a body that arrives too slowly), as problem+json like every other error, instead of an HTML page. The
 * detail is Vellum's own text for the status: Jetty's message may name its internals.
 */
final class ProblemErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        Problem problem = forStatus(code);
        ObjectNode body = problem.body(null);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (problem.retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(problem.retryAfter));
        }
        byte[] bytes = JsonValues.write(body).getBytes(StandardCharsets.UTF_8);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    static Problem forStatus(int code) {
        return switch (code) {
            case 400 -> Problem.badRequest("The request is malformed: check the request line, the URI's "
                    + "percent-encoding (as UTF-8) and the headers.");
            case 408 -> new Problem(408, "request-timeout", "Request timeout", "The request (or its body) arrived "
                    + "too slowly (VELLUM_HTTP_MIN_BODY_RATE, VELLUM_HTTP_IDLE_TIMEOUT); nothing was written.");
            case 413 -> new Problem(413, "body-too-large", "Request body too large", "The request body is larger "
                    + "than this server accepts (VELLUM_HTTP_MAX_BODY).");
            case 414 -> new Problem(414, "uri-too-long", "URI too long", "The request URI is longer than this server "
                    + "accepts; send long filters in the body of POST /v1/collections/{c}/query.");
            case 431 -> new Problem(431, "headers-too-large", "Request headers too large", "The request headers are "
                    + "larger than this server accepts.");
            case 503 -> new Problem(503, "unavailable", "Service unavailable", "The server cannot take the request "
                    + "right now; retry.").retryAfter(1);
            default -> code >= 500
                    ? new Problem(code, "internal", "Internal error", "The server failed to complete the request.")
                    : new Problem(code, "http-" + code, "HTTP " + code, "The request could not be handled (HTTP "
                    + code + ").");
        };
    }
}
