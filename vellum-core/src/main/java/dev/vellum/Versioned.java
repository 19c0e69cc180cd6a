package dev.vellum;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.internal.JsonValues;
import java.time.Instant;
import java.util.Map;

/**
 * A typed value with what the store keeps beside it: its id, version (for optimistic writes), timestamps and
 * metadata.
 */
public record Versioned<T>(
        T value,
        String id,
        long version,
        Instant createdAt,
        Instant updatedAt,
        @JsonIgnore ObjectNode metadata) {

    /** The metadata as any Jackson mapper (2, or 3 as in Spring Boot 4) writes it. */
    @JsonProperty("metadata")
    Map<String, Object> metadataJson() {
        return JsonValues.toJavaMap(metadata);
    }
}
