package dev.vellum.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.FieldPath;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.internal.JsonValues;
import java.util.List;

/** Keeps only the listed field paths of a fields object. */
public final class Projection {
    private Projection() {}

    /** The record with only the query's {@code fields} (all of them when the query lists none). */
    public static Record of(Record record, Query query) {
        if (query.fields().isEmpty()) {
            return record;
        }
        return new Record(
                record.id(),
                apply(record.fields(), query.fields()),
                record.metadata(),
                record.version(),
                record.createdAt(),
                record.updatedAt());
    }

    static ObjectNode apply(ObjectNode fields, List<String> paths) {
        ObjectNode out = JsonValues.NODES.objectNode();
        for (String path : paths) {
            List<String> keys = FieldPath.parse(path).keys();
            JsonNode value = JsonValues.at(fields, keys);
            if (value == null) {
                continue;
            }
            ObjectNode target = out;
            for (int i = 0; i < keys.size() - 1; i++) {
                JsonNode child = target.get(keys.get(i));
                target = child instanceof ObjectNode o ? o : target.putObject(keys.get(i));
            }
            target.set(keys.get(keys.size() - 1), value.deepCopy());
        }
        return out;
    }
}
