package dev.vellum.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;

/** Times each of n calls, after a warm-up of the same calls. */
final class Latencies {
    private final long[] nanos;
    private final long totalNanos;

    private Latencies(long[] nanos, long totalNanos) {
        this.nanos = nanos;
        this.totalNanos = totalNanos;
    }

    static Latencies measure(int n, IntFunction<Object> call) {
        int warmup = Math.min(n, Math.max(20, n / 5));
        Object sink = null;
        for (int k = 0; k < warmup; k++) {
            sink = call.apply(k);
        }
        long[] nanos = new long[n];
        long start = System.nanoTime();
        for (int k = 0; k < n; k++) {
            long t = System.nanoTime();
            sink = call.apply(k);
            nanos[k] = System.nanoTime() - t;
        }
        long total = System.nanoTime() - start;
        if (sink == Latencies.class) {
            System.out.print("");
        }
        Arrays.sort(nanos);
        return new Latencies(nanos, total);
    }

    /**
     * Measures two implementations of the same call in alternating rounds, so that drift in the machine's speed
     * (other load, caches, background work) falls on both alike. The warm-up calls use the indexes from n on, so
     * each measured index is called once per side. Returns {first, second}.
     */
    static Latencies[] pair(int n, IntFunction<Object> first, IntFunction<Object> second) {
        int rounds = n >= 50 ? 5 : 1;
        int per = n / rounds;
        int warmup = Math.min(n, 200);
        for (int k = 0; k < warmup; k++) {
            first.apply(n + k);
            second.apply(n + k);
        }
        long[] a = new long[per * rounds];
        long[] b = new long[per * rounds];
        long totalA = 0;
        long totalB = 0;
        for (int r = 0; r < rounds; r++) {
            int offset = r * per;
            Latencies x = timed(per, k -> first.apply(offset + k));
            Latencies y = timed(per, k -> second.apply(offset + k));
            System.arraycopy(x.nanos, 0, a, offset, per);
            System.arraycopy(y.nanos, 0, b, offset, per);
            totalA += x.totalNanos;
            totalB += y.totalNanos;
        }
        Arrays.sort(a);
        Arrays.sort(b);
        return new Latencies[]{new Latencies(a, totalA), new Latencies(b, totalB)};
    }

    private static Latencies timed(int n, IntFunction<Object> call) {
        long[] nanos = new long[n];
        long start = System.nanoTime();
        for (int k = 0; k < n; k++) {
            long t = System.nanoTime();
            call.apply(k);
            nanos[k] = System.nanoTime() - t;
        }
        return new Latencies(nanos, System.nanoTime() - start);
    }

    double perSecond() {
        return nanos.length / (totalNanos / 1e9);
    }

    double meanMillis() {
        return totalNanos / 1e6 / nanos.length;
    }

    String p50() {
        return millis(nanos[nanos.length / 2]);
    }

    String p99() {
        return millis(nanos[Math.min(nanos.length - 1, (int) (nanos.length * 0.99))]);
    }

    private static String millis(long n) {
        return String.format(Locale.ROOT, "%.3f ms", n / 1e6);
    }
}
