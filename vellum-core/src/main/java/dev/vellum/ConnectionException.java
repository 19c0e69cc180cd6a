package dev.vellum;

/** The database could not be reached or refused the connection. */
public class ConnectionException extends StorageException {
    public ConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
