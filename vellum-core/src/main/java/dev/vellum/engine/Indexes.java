package dev.vellum.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.IndexInfo;
import dev.vellum.InvalidRecordException;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Messages;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Validation of index definitions, shared by every backend. */
public final class Indexes {
    /** Most paths in one index (PostgreSQL allows 32 index columns, and a non-unique index adds the id). */
    static final int MAX_PATHS = 16;
    /**
     * Most bytes the values of one index may take in a record, measured as PostgreSQL's binary JSON stores them (see
     * {@link #indexedSize}): its btree rows hold at most 2704 bytes, and a row also carries the id (up to 255
     * characters). Checked on every backend, so a record one backend indexes every backend indexes.
     */
    public static final int MAX_INDEXED_BYTES = 1600;

    private Indexes() {}

    public static IndexInfo define(String name, List<String> paths, boolean unique) {
        Records.indexName(name);
        if (paths == null || paths.isEmpty()) {
            throw new QueryException(name, "Index " + name + " needs at least one path");
        }
        if (paths.size() > MAX_PATHS) {
            throw new QueryException(
                    name, "Index " + name + " has " + paths.size() + " paths; at most " + MAX_PATHS + " are accepted");
        }
        for (String p : paths) {
            FieldPath path = FieldPath.parse(p);
            if (path.kind() != FieldPath.Kind.FIELD && path.kind() != FieldPath.Kind.META) {
                throw new QueryException(p, "Index paths are field or $meta paths; " + p + " is indexed already");
            }
        }
        return new IndexInfo(name, paths, unique);
    }

    /**
     * The size rule for a set of indexes, with their paths parsed once: a bulk load checks every record against
     * it without parsing the paths again.
     */
    public static final class SizeCheck {
        public static final SizeCheck NONE = new SizeCheck(List.of());

        private final List<IndexInfo> indexes;
        private final List<List<FieldPath>> paths;

        private SizeCheck(java.util.Collection<IndexInfo> indexes) {
            this.indexes = List.copyOf(indexes);
            this.paths = this.indexes.stream()
                    .map(i -> i.paths().stream().map(FieldPath::parse).toList())
                    .toList();
        }

        public static SizeCheck of(java.util.Collection<IndexInfo> indexes) {
            return indexes.isEmpty() ? NONE : new SizeCheck(indexes);
        }

        /** Refuses a record whose values under one index would take more than {@link #MAX_INDEXED_BYTES}. */
        public Record check(Record record) {
            for (int i = 0; i < indexes.size(); i++) {
                long size = 0;
                for (FieldPath p : paths.get(i)) {
                    size += indexedSize(Semantics.value(record, p));
                }
                if (size > MAX_INDEXED_BYTES) {
                    IndexInfo index = indexes.get(i);
                    throw new InvalidRecordException("Record '" + Messages.abbreviate(record.id()) + "' has values "
                            + "of about " + size + " bytes under index " + index.name() + " " + index.paths()
                            + "; an index holds at most " + MAX_INDEXED_BYTES + " bytes of values per record. Drop "
                            + "the index or store a shorter value there; nothing was written.");
                }
            }
            return record;
        }

        /**
         * Whether an update's operators reach an indexed value (a step's path and an index's path, one within the
         * other): the new value there is only known once the update ran.
         */
        public boolean touches(dev.vellum.internal.FieldUpdates updates) {
            for (List<FieldPath> index : paths) {
                for (FieldPath p : index) {
                    for (dev.vellum.internal.FieldUpdates.Step step : updates.steps()) {
                        int common = Math.min(p.keys().size(), step.keys().size());
                        if (p.kind() == FieldPath.Kind.FIELD
                                && p.keys()
                                        .subList(0, common)
                                        .equals(step.keys().subList(0, common))) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        /**
         * Whether a merge patch merges an object into an indexed value (its value at an index's path is an object,
         * which joins the object stored there): the merged value is only known once the patch ran. Elsewhere the
         * patch's own values are what the index holds.
         */
        public boolean mergesInto(com.fasterxml.jackson.databind.node.ObjectNode patch) {
            for (List<FieldPath> index : paths) {
                for (FieldPath p : index) {
                    if (p.kind() != FieldPath.Kind.FIELD) {
                        continue;
                    }
                    com.fasterxml.jackson.databind.JsonNode at = patch;
                    for (String key : p.keys()) {
                        at = at.isObject() ? at.get(key) : null;
                        if (at == null) {
                            break;
                        }
                    }
                    if (at != null && at.isObject()) {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * Refuses a merge patch that sets an indexed path to values that are too large: the patch's own values, all
         * that is known before it runs (with {@link #mergesInto}, the merged record is checked after).
         */
        public void checkPatch(String id, com.fasterxml.jackson.databind.node.ObjectNode patch) {
            if (this != NONE) {
                check(new Record(
                        id, patch, JsonValues.NODES.objectNode(), 1, java.time.Instant.EPOCH, java.time.Instant.EPOCH));
            }
        }
    }

    /** About the bytes binary JSON takes for a value: each value a 4-byte header, numbers as numeric, strings as UTF-8. */
    static long indexedSize(JsonNode value) {
        if (JsonValues.isAbsent(value)) {
            return 0;
        }
        if (value.isTextual()) {
            return 4L + value.textValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (value.isNumber()) {
            return 12L + JsonValues.number(value).precision() / 2;
        }
        if (value.isArray()) {
            long size = 8;
            for (JsonNode element : value) {
                size += Math.max(4, indexedSize(element));
            }
            return size;
        }
        if (value.isObject()) {
            long size = 8;
            for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                size += 4 + e.getKey().getBytes(StandardCharsets.UTF_8).length + Math.max(4, indexedSize(e.getValue()));
            }
            return size;
        }
        return 4;
    }
}
