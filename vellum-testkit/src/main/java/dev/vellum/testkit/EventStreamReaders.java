package dev.vellum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many Server-Sent Events streams of {@code vellum serve} read by plain sockets on one selector thread, which hands
 * on the record id of each event: enough to check delivery and time it while the client spends its CPU on reading,
 * not on a general HTTP client's per-line work (a thousand streams of the JDK's client take a core of their own).
 */
public final class EventStreamReaders implements AutoCloseable {
    private static final byte[] ID = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);

    /** Gets each event's record id, and the stream's number (0 to streams - 1), on the reading thread. */
    public interface Listener {
        void onEvent(int stream, String recordId);
    }

    private final Selector selector = Selector.open();
    private final CountDownLatch open;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;
    private volatile int errors;

    /** Opens {@code streams} streams of {@code path} on 127.0.0.1:{@code port} and starts reading them. */
    public EventStreamReaders(int port, String path, int streams, Listener listener) throws IOException {
        this.open = new CountDownLatch(streams);
        this.listener = listener;
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < streams; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.write(ByteBuffer.wrap(request));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new Line(i));
        }
        thread = new Thread(this::run, "event-stream-readers");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until every stream has answered. */
    public void awaitOpen(Duration max) throws InterruptedException {
        if (!open.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(open.getCount() + " streams did not answer");
        }
    }

    /** How many {@code event: error} lines the streams got. */
    public int errors() {
        return errors;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try {
            while (!closed) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    buffer.clear();
                    int n = ((SocketChannel) key.channel()).read(buffer);
                    if (n < 0) {
                        key.cancel();
                        continue;
                    }
                    ((Line) key.attachment()).take(buffer.array(), n);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }

    /** One stream's line so far. */
    private final class Line {
        private final int stream;
        private final byte[] line = new byte[1 << 16];
        private int length;
        private boolean answered;

        Line(int stream) {
            this.stream = stream;
        }

        void take(byte[] bytes, int n) {
            if (!answered) {
                answered = true;
                open.countDown();
            }
            for (int i = 0; i < n; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    line();
                    length = 0;
                } else if (length < line.length) {
                    line[length++] = b;
                }
            }
        }

        private void line() {
            if (startsWith("event: error")) {
                errors++;
            }
            if (!startsWith("data: ")) {
                return;
            }
            int at = indexOf(ID);
            if (at < 0) {
                return;
            }
            int from = at + ID.length;
            int end = from;
            while (end < length && line[end] != '"') {
                end++;
            }
            listener.onEvent(stream, new String(line, from, end - from, StandardCharsets.US_ASCII));
        }

        private boolean startsWith(String prefix) {
            if (length < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (line[i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(byte[] pattern) {
            outer:
            for (int i = 0; i + pattern.length <= length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (line[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
