package dev.vellum;

/** The database failed to do what was asked. The driver's exception is kept as the cause. */
public class StorageException extends VellumException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
