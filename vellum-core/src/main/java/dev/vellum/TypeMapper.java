package dev.vellum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;

/**
 * How a typed collection turns Java values into a record's fields and back ({@link RecordStore#collection(String,
 * Class, TypeMapper)}): Jackson 2 with Vellum's settings by default, {@link #jackson(ObjectMapper)} for a Jackson 2
 * mapper of your own, or any other JSON binding (the Spring Boot starter can give the application's Jackson 3
 * mapper). Trees are Vellum's JSON model, Jackson 2 nodes; a value that cannot be mapped is an exception whose
 * message says why, which Vellum reports as an {@link InvalidRecordException}.
 */
public interface TypeMapper {

    /** The value as a JSON tree: an object for a record or class with properties. */
    JsonNode toTree(Object value);

    /** The tree read as the type. */
    <T> T fromTree(JsonNode tree, Class<T> type);

    /** A Jackson 2 mapper, with its modules and settings. */
    static TypeMapper jackson(ObjectMapper mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return new TypeMapper() {
            @Override
            public JsonNode toTree(Object value) {
                return mapper.valueToTree(value);
            }

            @Override
            public <T> T fromTree(JsonNode tree, Class<T> type) {
                try {
                    return mapper.treeToValue(tree, type);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(e.getOriginalMessage(), e);
                }
            }
        };
    }
}
