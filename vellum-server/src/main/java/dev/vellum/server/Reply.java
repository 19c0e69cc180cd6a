package dev.vellum.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a bounded operation answers: status, headers, and a JSON body (or none). */
final class Reply {
    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    private final int status;
    private final JsonNode body;
    private final List<String[]> headers = new ArrayList<>(2);

    private Reply(int status, JsonNode body) {
        this.status = status;
        this.body = body;
    }

    /** The status it answers with. */
    int status() {
        return status;
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
            Api.json(ctx, status, body);
            return;
        }
        if (prefersMinimal(ctx)) {
            ctx.header("Preference-Applied", "return=minimal");
            ctx.status(status == 200 ? 204 : status);
            return;
        }
        try {
            JsonAnswer.send(ctx, status, Api.JSON, body);
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
                if (preference.trim().toLowerCase(Locale.ROOT).replace(" ", "").equals("return=minimal")) {
                    return true;
                }
            }
        }
        return false;
    }
}
