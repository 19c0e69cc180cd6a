package dev.vellum.spi;

import java.time.Duration;

/**
 * The generation counter behind every {@link ChangeSignal}: whoever learns of a commit calls {@link #changed()}, and
 * waiting readers wake. Without a source of notices it is a polling signal: a wait lasts at most
 * {@code pollInterval}, after which the reader looks again.
 */
public class ChangeNotices implements ChangeSignal {
    private final Duration pollInterval;
    private long generation;

    public ChangeNotices(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    /** A signal that only polls: waiters look again every {@code interval}. */
    public static ChangeNotices polling(Duration interval) {
        return new ChangeNotices(interval);
    }

    public synchronized void changed() {
        generation++;
        notifyAll();
    }

    /** Called before each read of the generation: a backend starts its watcher lazily here. */
    protected void start() {}

    @Override
    public synchronized long generation() {
        start();
        return generation;
    }

    @Override
    public synchronized void await(long seen, Duration max) throws InterruptedException {
        start();
        long deadline = System.nanoTime() + Math.min(max.toNanos(), pollInterval.toNanos());
        while (generation == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000), 0);
        }
    }

    @Override
    public void close() {}
}
