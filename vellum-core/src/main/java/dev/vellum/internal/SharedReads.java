package dev.vellum.internal;

import java.util.function.LongSupplier;

/**
 * One read of a value that only grows (a write-ahead log position) shared by the callers that each need a value
 * read after some moment of theirs: a read that began after a caller's moment serves it, so concurrent writers that
 * ask for a consistency token after their commits share one query instead of each taking a connection for one.
 * Reads run one at a time; one that fails serves nobody else.
 */
final class SharedReads {
    private boolean read;
    private long lastStarted;
    private long lastValue;
    private boolean reading;

    /** A value read after {@code moment} ({@link System#nanoTime}): a shared one when a read began after it. */
    long after(long moment, LongSupplier reader) {
        synchronized (this) {
            while (true) {
                if (read && lastStarted - moment >= 0) {
                    return lastValue;
                }
                if (!reading) {
                    reading = true;
                    break;
                }
                try {
                    wait(); // the read in flight may have begun before the moment: see, then read if need be
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return reader.getAsLong();
                }
            }
        }
        long started = System.nanoTime();
        boolean ok = false;
        long value = 0;
        try {
            value = reader.getAsLong();
            ok = true;
            return value;
        } finally {
            synchronized (this) {
                reading = false;
                if (ok) {
                    read = true;
                    lastStarted = started;
                    lastValue = value;
                }
                notifyAll();
            }
        }
    }
}
