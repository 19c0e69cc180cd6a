package dev.vellum.spi;

import java.time.Duration;

/**
 * Wakes change-feed readers that wait for new changes. A backend tells of commits in other processes as well as its
 * own (PostgreSQL: LISTEN/NOTIFY; SQLite: the file's data version). A signal only hints: readers always read the
 * changes themselves, so a spurious wake-up costs one read and a missed one at most the wait.
 */
public interface ChangeSignal extends AutoCloseable {

    /** A number that grows whenever changes may have committed; read it before looking for changes. */
    long generation();

    /** Returns when the generation passes {@code seen}, or after {@code max}, or when interrupted. */
    void await(long seen, Duration max) throws InterruptedException;

    @Override
    void close();
}
