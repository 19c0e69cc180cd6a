package dev.vellum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Store work beyond VELLUM_HTTP_MAX_CONCURRENT waits its turn up to VELLUM_HTTP_QUEUE_TIMEOUT, then is a 503. */
class ExecutionQueueTest {
    private final RecordStore store =
            Vellum.open(VellumConfig.builder().isolated().url("memory:").build());
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        workers.shutdownNow();
        store.close();
    }

    private Execution execution(String queueTimeout) {
        VellumConfig config = VellumConfig.builder()
                .isolated()
                .url("memory:")
                .set("VELLUM_HTTP_MAX_CONCURRENT", "1")
                .set("VELLUM_HTTP_QUEUE_TIMEOUT", queueTimeout)
                .build();
        return new Execution(store, ServerSettings.from(config), new Metrics(null), workers);
    }

    /** Takes the only permit and holds it until the test releases it. */
    private CompletableFuture<String> holdThePermit(Execution execution) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<String> holder = CompletableFuture.supplyAsync(
                () -> execution.withPermit(() -> {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "first";
                }),
                workers);
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
        return holder;
    }

    @Test
    void aRequestBeyondThePermitsWaitsItsTurn() throws Exception {
        Execution execution = execution("10s");
        CompletableFuture<String> first = holdThePermit(execution);
        CompletableFuture<String> second =
                CompletableFuture.supplyAsync(() -> execution.withPermit(() -> "second"), workers);
        Thread.sleep(200);
        assertThat(second).isNotDone();
        release.countDown();
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("second");
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
    }

    @Test
    void aRequestThatWaitsTooLongIsTurnedAwayWithTheSettingToChange() throws Exception {
        Execution execution = execution("200ms");
        holdThePermit(execution);
        long started = System.nanoTime();
        assertThatThrownBy(() -> execution.withPermit(() -> "second")).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status).isEqualTo(503);
            assertThat(p.type).isEqualTo("saturated");
            assertThat(p.getMessage()).contains("VELLUM_HTTP_QUEUE_TIMEOUT");
        });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(150L);
    }

    @Test
    void withoutAQueueTheRefusalIsImmediate() throws Exception {
        Execution execution = execution("0");
        CompletableFuture<String> first = holdThePermit(execution);
        assertThatThrownBy(() -> execution.withPermit(() -> "second"))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.type).isEqualTo("saturated"));
        assertThat(first).isNotDone(); // refused while the permit was still held: no wait for it
    }
}
