package dev.vellum.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Vellum;
import dev.vellum.VellumJson;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 description of the API, kept as a resource beside the code it describes. Served with this build's
 * version and, as its server, the address the request came to (so a client generated from a running server calls that
 * server); the resource itself says {@code /}, relative to wherever the document is read from.
 */
final class OpenApi {
    private static final ObjectNode DOCUMENT = load();
    /** A Host header that is a plain host[:port]: anything else keeps the relative server. */
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9.\\-]{1,253}(:\\d{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:\\d{1,5})?");

    private OpenApi() {}

    /** The document as the resource has it, with this build's version. */
    static ObjectNode document() {
        return DOCUMENT.deepCopy();
    }

    /** The document for one request: its server is the address the request reached. */
    static String document(Context ctx) {
        ObjectNode document = document();
        String host = ctx.header("Host");
        if (host != null && HOST.matcher(host).matches()) {
            document.putArray("servers")
                    .addObject()
                    .put("url", ctx.scheme() + "://" + host)
                    .put("description", "this server");
        }
        return VellumJson.write(document);
    }

    private static ObjectNode load() {
        try (InputStream in = OpenApi.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server jar");
            }
            ObjectNode document = (ObjectNode) VellumJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            ((ObjectNode) document.get("info")).put("version", Vellum.version());
            return document;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
