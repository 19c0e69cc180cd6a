package dev.vellum.internal;

/**
 * A store's limits in bytes of JSON text: the largest record (VELLUM_MAX_RECORD_SIZE, each of its fields and its
 * metadata) and the largest answer to a read (VELLUM_MAX_ANSWER_SIZE: a page of records or changes ends early past
 * it, an aggregation past it is refused).
 */
public record SizeLimits(long recordBytes, long answerBytes) {
    /** The settings' defaults: 16 MB each. */
    public static final SizeLimits DEFAULT = new SizeLimits(16L << 20, 16L << 20);
}
