package dev.vellum;

/**
 * A write would store a record larger than {@code VELLUM_MAX_RECORD_SIZE} (its fields, or its metadata, as JSON
 * text): refused before it commits, nothing written. Over HTTP a 413 {@code record-too-large}.
 */
public class RecordTooLargeException extends InvalidRecordException {
    private final long size;
    private final long limit;

    public RecordTooLargeException(String message, long size, long limit) {
        super(message);
        this.size = size;
        this.limit = limit;
    }

    /** The size the record would have had, in bytes of JSON text. */
    public long size() {
        return size;
    }

    /** The largest record this store keeps ({@code VELLUM_MAX_RECORD_SIZE}), in bytes. */
    public long limit() {
        return limit;
    }
}
