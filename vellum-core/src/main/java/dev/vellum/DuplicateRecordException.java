package dev.vellum;

/** A record with this id (or this value of a unique index) exists already. Nothing was written. */
public class DuplicateRecordException extends VellumException {
    private final String collection;
    private final String id;

    public DuplicateRecordException(String collection, String id, String message) {
        super(message);
        this.collection = collection;
        this.id = id;
    }

    public String collection() {
        return collection;
    }

    /** The duplicate id, or null when a unique index (not the id) was violated and the id is not known. */
    public String id() {
        return id;
    }
}
