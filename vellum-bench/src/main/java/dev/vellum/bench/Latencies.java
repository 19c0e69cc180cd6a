package dev.vellum.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntFunction;

/** Per-call latencies of two implementations of the same call, measured side by side. */
final class Latencies {
    private final long[] nanos;
    private final long totalNanos;

    private Latencies(long[] nanos, long totalNanos) {
        this.nanos = nanos;
        this.totalNanos = totalNanos;
    }

    /**
     * Measures two implementations of the same call interleaved call by call (in alternating order, so neither
     * always runs second), so that drift in the machine's speed (other load, caches, background work, JIT and GC)
     * falls on both alike. The warm-up calls use the indexes from n on, so each measured index is called once per
     * side. Returns {first, second}.
     */
    static Latencies[] pair(int n, IntFunction<Object> first, IntFunction<Object> second) {
        int warmup = Math.min(n, 200);
        for (int k = 0; k < warmup; k++) {
            first.apply(n + k);
            second.apply(n + k);
        }
        long[] a = new long[n];
        long[] b = new long[n];
        for (int k = 0; k < n; k++) {
            if ((k & 1) == 0) {
                a[k] = time(first, k);
                b[k] = time(second, k);
            } else {
                b[k] = time(second, k);
                a[k] = time(first, k);
            }
        }
        return new Latencies[] {of(a), of(b)};
    }

    private static long time(IntFunction<Object> call, int k) {
        long t = System.nanoTime();
        call.apply(k);
        return System.nanoTime() - t;
    }

    private static Latencies of(long[] nanos) {
        long total = 0;
        for (long n : nanos) {
            total += n;
        }
        Arrays.sort(nanos);
        return new Latencies(nanos, total);
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
