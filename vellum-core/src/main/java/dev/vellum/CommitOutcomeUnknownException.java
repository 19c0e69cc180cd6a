package dev.vellum;

/**
 * The connection was lost while the database was committing: the transaction may or may not have been applied,
 * and no one can tell from here. Read what it wrote before retrying it (an insert retried blindly may meet its own
 * record as a duplicate).
 */
public class CommitOutcomeUnknownException extends ConnectionException {
    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
