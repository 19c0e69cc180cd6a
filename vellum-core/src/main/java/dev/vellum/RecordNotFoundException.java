package dev.vellum;

/** No record with this id exists in the collection. */
public class RecordNotFoundException extends VellumException {
    private final String collection;
    private final String id;

    public RecordNotFoundException(String collection, String id) {
        super("No record '" + id + "' in collection " + collection);
        this.collection = collection;
        this.id = id;
    }

    public String collection() {
        return collection;
    }

    public String id() {
        return id;
    }
}
