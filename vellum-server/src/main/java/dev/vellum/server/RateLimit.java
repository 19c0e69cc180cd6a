package dev.vellum.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** At most one event of each kind per interval; counts the ones held back, for the next to report. */
final class RateLimit {
    private final long intervalNanos;
    private final Map<String, long[]> kinds = new ConcurrentHashMap<>();

    RateLimit(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** How many of this kind were held back since the last one admitted, or -1 when this one is held back too. */
    long admit(String kind) {
        long[] state = kinds.computeIfAbsent(kind, k -> new long[] {System.nanoTime() - intervalNanos, 0});
        synchronized (state) {
            long now = System.nanoTime();
            if (now - state[0] < intervalNanos) {
                state[1]++;
                return -1;
            }
            long held = state[1];
            state[0] = now;
            state[1] = 0;
            return held;
        }
    }
}
