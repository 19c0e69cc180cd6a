package dev.vellum;

/** A write named an expected version that the record no longer has. Nothing was written. */
public class ConcurrencyException extends VellumException {
    private final String id;
    private final long expectedVersion;
    private final long actualVersion;

    public ConcurrencyException(String collection, String id, long expectedVersion, long actualVersion) {
        super("Record '" + id + "' in " + collection + " is at version " + actualVersion + ", not the expected "
                + expectedVersion + ": someone else changed it. Read it again and retry.");
        this.id = id;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public String id() {
        return id;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version the record has now; 0 when it was deleted. */
    public long actualVersion() {
        return actualVersion;
    }
}
