package dev.vellum;

/**
 * The database has no room to write: its disk (or quota) is full. Nothing of the failed write was kept; reads keep
 * working, and writes succeed again once space is freed.
 */
public class StorageFullException extends StorageException {
    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
