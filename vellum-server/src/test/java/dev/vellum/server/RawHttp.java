package dev.vellum.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Requests as raw bytes over a socket, for what a well-behaved client cannot send: bad percent-encoding, invalid
 * UTF-8, oversized headers.
 */
final class RawHttp {
    private RawHttp() {}

    /** A parsed answer: status, the raw head, the body. */
    record Answer(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    static Answer send(URI base, String method, String target, String contentType, byte[] body, String... headers) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            boolean ownHost = false;
            for (int i = 0; i < headers.length; i += 2) {
                ownHost |= headers[i].equalsIgnoreCase("Host");
            }
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n"
                    + (ownHost ? "" : "Host: " + base.getHost() + "\r\n") + "Connection: close\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            head.append("Content-Length: ")
                    .append(body == null ? 0 : body.length)
                    .append("\r\n\r\n");
            request.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                request.write(body);
            }
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.toByteArray());
                out.flush();
            } catch (IOException writeFailed) {
                // the server may answer before the body is all sent (a GET that ignores it, a body past a limit)
                // and close: as curl and browsers do, read the answer it sent before giving up
                try {
                    Answer early = read(socket.getInputStream());
                    if (early.status() > 0) {
                        return early;
                    }
                } catch (IOException noAnswer) {
                    writeFailed.addSuppressed(noAnswer);
                }
                throw writeFailed;
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Answer read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        String text = new String(all, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 4);
        if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        String[] statusLine = head.split(" ", 3);
        return new Answer(statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1, head, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < chunked.length()) {
            int nl = chunked.indexOf("\r\n", i);
            if (nl < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(i, nl).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, nl + 2, Math.min(chunked.length(), nl + 2 + size));
            i = nl + 2 + size + 2;
        }
        return out.toString();
    }
}
