package dev.vellum;

/** A record, id, collection name or patch breaks the rules (bad key, bad id, NUL in a string, …). Nothing was written. */
public class InvalidRecordException extends VellumException {
    public InvalidRecordException(String message) {
        super(message);
    }
}
