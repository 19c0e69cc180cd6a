package dev.vellum.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.TypeMapper;
import dev.vellum.VellumJson;
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
        return VellumJson.parse(mapper.writeValueAsBytes(value));
    }

    @Override
    public <T> T fromTree(JsonNode tree, Class<T> type) {
        return mapper.readValue(VellumJson.write(tree), type);
    }
}
