package dev.vellum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.VellumJson;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A JSON answer written straight from its tree: held in memory while small, so that if building it fails (the heap
 * runs short) nothing has gone out and the answer can still change; streamed once it is larger, so a big body is
 * never also copied into a String and a byte array.
 */
final class JsonAnswer extends OutputStream {
    /** Bodies up to this size go out whole, with a length; larger ones are streamed. */
    private static final int HELD_BYTES = 64 * 1024;

    private final Context ctx;
    private final int status;
    private final String contentType;
    private ByteArrayOutputStream held = new ByteArrayOutputStream(512);
    private OutputStream streamed;

    private JsonAnswer(Context ctx, int status, String contentType) {
        this.ctx = ctx;
        this.status = status;
        this.contentType = contentType;
    }

    /**
     * Answers {@code body}. When building it fails, throws {@link NotSent} if nothing went out (the caller may still
     * answer otherwise); a failure once streaming began leaves a cut-off body, which no client reads as complete.
     */
    static void send(Context ctx, int status, String contentType, JsonNode body) {
        JsonAnswer answer = new JsonAnswer(ctx, status, contentType);
        try {
            VellumJson.writer().writeValue(answer, body);
            answer.finish();
        } catch (IOException e) {
            if (answer.streamed == null) {
                throw new NotSent(e);
            }
            throw new UncheckedIOException(e); // the client went away mid-body
        } catch (RuntimeException | OutOfMemoryError e) {
            if (answer.streamed == null) {
                throw new NotSent(e);
            }
            throw e;
        }
    }

    /** Building the body failed before any of it was sent. */
    static final class NotSent extends RuntimeException {
        NotSent(Throwable cause) {
            super("the answer could not be built", cause, false, false);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (streamed == null && held.size() + length <= HELD_BYTES) {
            held.write(bytes, offset, length);
            return;
        }
        if (streamed == null) {
            ctx.status(status).contentType(contentType);
            streamed = ctx.outputStream();
            held.writeTo(streamed);
            held = null;
        }
        streamed.write(bytes, offset, length);
    }

    /** Jackson closes its target, also when it fails: only {@link #finish} sends. */
    @Override
    public void close() {}

    private void finish() throws IOException {
        if (streamed == null) {
            ctx.status(status).contentType(contentType).result(held.toByteArray());
        } else {
            streamed.flush();
        }
    }
}
