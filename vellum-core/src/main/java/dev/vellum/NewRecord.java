package dev.vellum;

/**
 * A record to write in a batch.
 *
 * @param id       null to generate one (UUIDv7, so new ids sort by creation time)
 * @param fields   a JSON object: a Jackson {@code ObjectNode}, a {@code Map}, or any object Jackson can convert
 * @param metadata like fields; null for none (on upsert: keep the stored metadata)
 */
public record NewRecord(String id, Object fields, Object metadata) {
    public static NewRecord of(Object fields) {
        return new NewRecord(null, fields, null);
    }

    public static NewRecord of(String id, Object fields) {
        return new NewRecord(id, fields, null);
    }
}
