package dev.vellum;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Timestamps;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One committed write to a collection whose change feed is enabled.
 *
 * @param token      where this change is in the feed: pass it as {@code after} to read the changes that follow it
 * @param op         what the write did
 * @param version    the record's version after the write; a delete is a write too, so it has the next version
 * @param at         when the write ran (its statement's time; the commit follows within the transaction)
 * @param record     the record after the write; null for a delete
 */
public record Change(String token, Op op, String collection, String id, long version, Instant at, Record record) {

    public Change {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
    }

    /** The kinds of change, named on the wire in lower case. */
    public enum Op {
        INSERT,
        UPDATE,
        DELETE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The wire form: {@code {"token","op","collection","id","version","at","record"}}; no record for a delete. */
    public ObjectNode toJson() {
        ObjectNode out = JsonValues.NODES.objectNode();
        out.put("token", token);
        out.put("op", op.wireName());
        out.put("collection", collection);
        out.put("id", id);
        out.put("version", version);
        out.put("at", Timestamps.format(at));
        if (record != null) {
            out.set("record", record.toJson());
        }
        return out;
    }

    /** What any Jackson mapper (2, or 3 as in Spring Boot 4) writes for it: {@link #toJson()}. */
    @JsonValue
    Map<String, Object> jsonValue() {
        return JsonValues.toJavaMap(toJson());
    }
}
