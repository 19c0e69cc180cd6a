package dev.vellum.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.TypeMapper;
import dev.vellum.internal.JsonValues;
import tools.jackson.databind.ObjectMapper;

/**
 * Typed collections mapped by the application's Jackson 3 mapper (its modules, naming strategy and settings), through
 * JSON text: Vellum's records are Jackson 2 trees, and text is what both read the same, exact decimals included.
 */
final class Jackson3TypeMapper implements TypeMapper {
    private final ObjectMapper mapper;

    Jackson3TypeMapper(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public JsonNode toTree(Object value) {
        return JsonValues.parse(mapper.writeValueAsBytes(value), 0);
    }

    @Override
    public <T> T fromTree(JsonNode tree, Class<T> type) {
        return mapper.readValue(JsonValues.write(tree), type);
    }
}
