package dev.vellum;

/**
 * The work was cancelled (see {@link Cancellation}) before it committed: nothing it would have written was written.
 */
public class OperationCancelledException extends VellumException {
    public OperationCancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}
