package dev.vellum;

/** A filter, sort, path, cursor or query is malformed. {@link #part()} names the offending piece. */
public class QueryException extends VellumException {
    private final String part;

    public QueryException(String part, String message) {
        super(message);
        this.part = part;
    }

    /** The offending part as the user wrote it, e.g. {@code $gtx} or {@code address..city}. */
    public String part() {
        return part;
    }
}
