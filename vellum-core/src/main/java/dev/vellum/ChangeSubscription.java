package dev.vellum;

import java.util.Optional;

/** A running subscription to a change feed: delivers changes to its callback on its own thread until closed. */
public interface ChangeSubscription extends AutoCloseable {

    /**
     * The token after the last change whose callback returned normally: store it, and a new subscription from it
     * resumes exactly, with no change missed or repeated.
     */
    String token();

    /** What ended the subscription other than {@link #close()}: the callback's exception or the feed's error. */
    Optional<Throwable> failure();

    boolean isRunning();

    /** Stops delivering and waits for a callback in progress to return. */
    @Override
    void close();
}
