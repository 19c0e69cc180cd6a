package dev.vellum.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-origin requests from the origins {@code VELLUM_HTTP_CORS_ORIGINS} lists (or any, with {@code *}): preflights
 * are answered here, before authentication (a browser sends no credentials with one), and answers to allowed origins
 * carry the headers a page needs to read (ETag, Location, the consistency token, the request id). No cookies are
 * involved, so no credentials are allowed: an API key travels in {@code Authorization}, and an {@code EventSource}
 * uses a stream token. Without origins configured, no CORS header is sent and browsers keep pages on other origins out.
 */
final class Cors {
    static final String METHODS = "GET, POST, PUT, PATCH, DELETE";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match, Last-Event-ID, "
            + "X-Request-Id, Vellum-Consistency";
    static final String EXPOSED_HEADERS =
            "ETag, Location, Vellum-Consistency, X-Request-Id, Retry-After, " + "WWW-Authenticate";
    private static final Set<String> ALLOWED_HEADER_NAMES = List.of(ALLOWED_HEADERS.split(", ")).stream()
            .map(h -> h.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    /** How long a browser may keep a preflight's answer. */
    private static final String MAX_AGE = "600";

    private final Set<String> origins;
    private final boolean anyOrigin;

    Cors(List<String> origins) {
        this.anyOrigin = origins.contains("*");
        this.origins = Set.copyOf(origins);
    }

    boolean enabled() {
        return anyOrigin || !origins.isEmpty();
    }

    /**
     * Adds the CORS headers to an answer for an allowed origin; answers a preflight itself (true: nothing else runs).
     */
    boolean handle(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return false;
        }
        boolean allowed = anyOrigin || origins.contains(origin);
        boolean preflight = ctx.method() == HandlerType.OPTIONS && ctx.header("Access-Control-Request-Method") != null;
        ctx.header("Vary", "Origin");
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
        if (!preflight) {
            return false;
        }
        if (!allowed) {
            throw new Problem(
                    403,
                    "origin-not-allowed",
                    "Origin not allowed",
                    "Pages from " + abbreviated(origin)
                            + " may not call this server. Add the origin to VELLUM_HTTP_CORS_ORIGINS (comma-separated, e.g. "
                            + "https://app.example.com) to allow them.");
        }
        String method = ctx.header("Access-Control-Request-Method").trim().toUpperCase(Locale.ROOT);
        String headers = ctx.header("Access-Control-Request-Headers");
        if (!List.of(METHODS.split(", ")).contains(method)
                || headers != null
                        && !List.of(headers.split(",")).stream()
                                .map(h -> h.trim().toLowerCase(Locale.ROOT))
                                .filter(h -> !h.isEmpty())
                                .allMatch(ALLOWED_HEADER_NAMES::contains)) {
            throw new Problem(
                    403,
                    "cors-request-not-allowed",
                    "Cross-origin request not allowed",
                    "Cross-origin " + "requests may use the methods " + METHODS + " and the headers " + ALLOWED_HEADERS
                            + ".");
        }
        ctx.header("Access-Control-Allow-Methods", METHODS);
        ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ctx.header("Access-Control-Max-Age", MAX_AGE);
        ctx.status(204);
        return true;
    }

    private static String abbreviated(String origin) {
        return dev.vellum.VellumException.quote(origin);
    }
}
