package dev.vellum;

/** The collection's change feed is off: {@code collection.enableChanges()} or {@code PUT /v1/collections/{name}/changes}. */
public class ChangesNotEnabledException extends VellumException {
    private final String collection;

    public ChangesNotEnabledException(String collection) {
        super("The change feed of collection '" + collection + "' is not enabled: enable it with "
                + "collection.enableChanges() (HTTP: PUT /v1/collections/" + collection + "/changes); it records "
                + "writes from then on");
        this.collection = collection;
    }

    public String collection() {
        return collection;
    }
}
