package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads a Server-Sent Events stream line by line on a thread of its own. */
final class EventStream implements AutoCloseable {
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final CompletableFuture<HttpResponse<Stream<String>>> response;
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    final List<String> comments = new java.util.concurrent.CopyOnWriteArrayList<>();

    EventStream(Http http, String path, String... headers) {
        var request = http.request(path).header("Accept", "text/event-stream").GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        response = Http.CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
        response.thenAccept(r -> {
            Thread t = new Thread(() -> {
                try {
                    r.body().forEach(lines::add);
                } catch (RuntimeException e) {
                    // closed
                }
                ended.complete(null);
            });
            t.setDaemon(true);
            t.start();
        });
    }

    /** The next event's lines (up to the blank line), skipping comments. */
    List<String> nextEvent() throws InterruptedException {
        List<String> event = new ArrayList<>();
        while (true) {
            String line = lines.poll(20, TimeUnit.SECONDS);
            assertThat(line).as("an event within 20 s").isNotNull();
            if (line.isEmpty() && !event.isEmpty()) {
                return event;
            }
            if (line.startsWith(":")) {
                comments.add(line);
            } else if (!line.isEmpty() && !line.startsWith("retry:")) {
                event.add(line);
            }
        }
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
    }
}
