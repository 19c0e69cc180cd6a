package dev.vellum.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every caller gets a value read after its moment; concurrent callers share reads. */
class SharedReadsTest {
    private final SharedReads shared = new SharedReads();
    private final AtomicInteger reads = new AtomicInteger();

    /** Reads "the clock": a value read after a moment is at least that moment. */
    private long readClock() {
        reads.incrementAndGet();
        long now = System.nanoTime();
        try {
            Thread.sleep(2); // a round trip's worth, so that callers overlap
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return now;
    }

    @Test
    void aCallerAfterTheLastReadReadsAgain() {
        long first = shared.after(System.nanoTime(), this::readClock);
        long moment = System.nanoTime();
        long second = shared.after(moment, this::readClock);
        assertThat(second - moment).isGreaterThanOrEqualTo(0);
        assertThat(second).isNotEqualTo(first);
        assertThat(reads).hasValue(2);
    }

    @Test
    void aCallerBeforeTheLastReadSharesIt() {
        long moment = System.nanoTime();
        long first = shared.after(moment, this::readClock);
        assertThat(shared.after(moment, this::readClock)).isEqualTo(first);
        assertThat(reads).hasValue(1);
    }

    @Test
    void concurrentCallersShareReadsAndEachGetsOneBegunAfterItsMoment() throws Exception {
        int threads = 16;
        int calls = 50;
        List<Thread> workers = new ArrayList<>();
        AtomicInteger stale = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i = 0; i < calls; i++) {
                    long moment = System.nanoTime();
                    if (shared.after(moment, this::readClock) - moment < 0) {
                        stale.incrementAndGet();
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertThat(stale).hasValue(0);
        assertThat(reads.get()).isLessThan(threads * calls);
    }

    @Test
    void aFailedReadServesNobodyElse() {
        assertThatThrownBy(() -> shared.after(System.nanoTime(), () -> {
                    throw new IllegalStateException("down");
                }))
                .hasMessage("down");
        long moment = System.nanoTime();
        assertThat(shared.after(moment, this::readClock) - moment).isGreaterThanOrEqualTo(0);
    }
}
