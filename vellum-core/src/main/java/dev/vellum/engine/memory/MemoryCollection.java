package dev.vellum.engine.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Change;
import dev.vellum.ConcurrencyException;
import dev.vellum.DuplicateRecordException;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.IndexInfo;
import dev.vellum.InvalidRecordException;
import dev.vellum.NewRecord;
import dev.vellum.Page;
import dev.vellum.Query;
import dev.vellum.Record;
import dev.vellum.RecordNotFoundException;
import dev.vellum.SortKey;
import dev.vellum.engine.Aggregates;
import dev.vellum.engine.BaseCollection;
import dev.vellum.engine.ChangeLog;
import dev.vellum.engine.Indexes;
import dev.vellum.engine.Projection;
import dev.vellum.engine.Records;
import dev.vellum.engine.Semantics;
import dev.vellum.internal.Cursors;
import dev.vellum.internal.FieldUpdates;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.RecordSizes;
import dev.vellum.internal.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A collection of the memory backend; the executable definition of the record semantics. */
final class MemoryCollection extends BaseCollection {
    private final MemoryStore store;
    private final String name;

    MemoryCollection(MemoryStore store, String name) {
        this.store = store;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    private TreeMap<String, Record> records() {
        return store.data.getOrDefault(name, new TreeMap<>());
    }

    private TreeMap<String, Record> recordsForWrite() {
        TreeMap<String, Record> records = store.data.get(name);
        if (records == null) {
            TreeMap<String, Record> created = new TreeMap<>();
            store.data.put(name, created);
            store.onUndo(() -> store.data.remove(name));
            return created;
        }
        return records;
    }

    private Map<String, Long> tombs() {
        return store.tombstones.computeIfAbsent(name, k -> new HashMap<>());
    }

    static Record copy(Record r) {
        return new Record(
                r.id(), r.fields().deepCopy(), r.metadata().deepCopy(), r.version(), r.createdAt(), r.updatedAt());
    }

    // ---- writes ----

    @Override
    public Record insert(String id, Object fields, Object metadata) {
        Record record = fresh(id, fields, metadata);
        return store.write(() -> copy(put(record, false)));
    }

    private Record fresh(String id, Object fields, Object metadata) {
        Instant now = Timestamps.now();
        return new Record(
                Records.id(id),
                Records.object(fields, "fields"),
                Records.optionalObject(metadata, "metadata"),
                1,
                now,
                now);
    }

    /** Stores a new record (version continues after a deleted one of the same id) or, for upserts, replaces one. */
    private Record put(Record record, boolean upsert) {
        TreeMap<String, Record> records = recordsForWrite();
        Record existing = records.get(record.id());
        Record stored;
        if (existing != null) {
            if (!upsert) {
                throw new DuplicateRecordException(
                        name, record.id(), "A record with id '" + record.id() + "' already exists in " + name);
            }
            stored = new Record(
                    record.id(),
                    record.fields(),
                    record.metadata().isEmpty() ? existing.metadata() : record.metadata(),
                    existing.version() + 1,
                    existing.createdAt(),
                    record.updatedAt());
        } else {
            Long tomb = tombs().get(record.id());
            stored = new Record(
                    record.id(),
                    record.fields(),
                    record.metadata(),
                    tomb == null ? 1 : tomb + 1,
                    record.createdAt(),
                    record.updatedAt());
            if (tomb != null) {
                tombs().remove(record.id());
                store.onUndo(() -> tombs().put(record.id(), tomb));
            }
        }
        checkStorable(stored);
        records.put(stored.id(), stored);
        store.onUndo(() -> {
            if (existing == null) {
                records.remove(stored.id());
            } else {
                records.put(existing.id(), existing);
            }
        });
        changed(existing == null ? Change.Op.INSERT : Change.Op.UPDATE, stored);
        return stored;
    }

    /** The checks every stored record passes: VELLUM_MAX_RECORD_SIZE, the indexes' value sizes, unique indexes. */
    private void checkStorable(Record candidate) {
        RecordSizes.check(candidate, store.limits.recordBytes());
        Indexes.SizeCheck.of(store.indexes.getOrDefault(name, Map.of()).values())
                .check(candidate);
        for (IndexInfo index : store.indexes.getOrDefault(name, Map.of()).values()) {
            if (!index.unique()) {
                continue;
            }
            String key = uniqueKey(candidate, index);
            if (key == null) {
                continue;
            }
            for (Record other : records().values()) {
                if (!other.id().equals(candidate.id()) && key.equals(uniqueKey(other, index))) {
                    throw new DuplicateRecordException(
                            name,
                            null,
                            "Unique index " + index.name() + " on " + index.paths()
                                    + " already has a record with these values in " + name);
                }
            }
        }
    }

    /** The canonical text of the indexed values, or null when one is missing (missing values never conflict). */
    private static String uniqueKey(Record record, IndexInfo index) {
        StringBuilder key = new StringBuilder();
        for (String path : index.paths()) {
            JsonNode v = Semantics.value(record, FieldPath.parse(path));
            if (JsonValues.isAbsent(v)) {
                return null;
            }
            key.append(JsonValues.canonical(v)).append('\u0001');
        }
        return key.toString();
    }

    @Override
    public long insertMany(Iterable<NewRecord> batch) {
        return store.write(() -> {
            long n = 0;
            for (NewRecord r : batch) {
                put(fresh(r.id(), r.fields(), r.metadata()), false);
                n++;
            }
            return n;
        });
    }

    @Override
    public long load(Iterable<Record> batch) {
        return store.write(() -> {
            TreeMap<String, Record> records = recordsForWrite();
            long n = 0;
            for (Record given : batch) {
                Record r = Records.loaded(given);
                if (records.containsKey(r.id())) {
                    throw new DuplicateRecordException(
                            name, r.id(), "A record with id '" + r.id() + "' already exists in " + name);
                }
                checkStorable(r);
                records.put(r.id(), r);
                store.onUndo(() -> records.remove(r.id()));
                changed(Change.Op.INSERT, r);
                n++;
            }
            return n;
        });
    }

    @Override
    public long upsertMany(Iterable<NewRecord> batch) {
        return store.write(() -> {
            long n = 0;
            for (NewRecord r : batch) {
                put(fresh(Records.id(r.id()), r.fields(), r.metadata()), true);
                n++;
            }
            return n;
        });
    }

    @Override
    public Record upsert(String id, Object fields) {
        if (id == null) {
            throw new InvalidRecordException("upsert needs an id");
        }
        Record record = fresh(id, fields, null);
        return store.write(() -> copy(put(record, true)));
    }

    @Override
    protected Record change(String id, ObjectNode value, Long expectedVersion, boolean isPatch) {
        return rewrite(
                id,
                expectedVersion,
                existing -> isPatch ? (ObjectNode) JsonValues.mergePatch(existing.fields(), value) : value);
    }

    @Override
    protected Record update(String id, FieldUpdates updates, Long expectedVersion) {
        return rewrite(id, expectedVersion, existing -> updates.apply(existing.fields(), id));
    }

    /** Writes the fields {@code newFields} computes from the record, if it is at the expected version. */
    private Record rewrite(String id, Long expectedVersion, java.util.function.Function<Record, ObjectNode> newFields) {
        Records.id(id);
        return store.write(() -> {
            Record existing = records().get(id);
            if (existing == null) {
                if (expectedVersion != null && tombs().containsKey(id)) {
                    throw new ConcurrencyException(name, id, expectedVersion, 0);
                }
                throw new RecordNotFoundException(name, id);
            }
            if (expectedVersion != null && existing.version() != expectedVersion) {
                throw new ConcurrencyException(name, id, expectedVersion, existing.version());
            }
            return copy(replaceFields(existing, newFields.apply(existing), Timestamps.now()));
        });
    }

    /** Stores the record with new fields and the next version, undone with the transaction. */
    private Record replaceFields(Record existing, ObjectNode fields, Instant now) {
        Record updated = new Record(
                existing.id(),
                fields,
                existing.metadata(),
                existing.version() + 1,
                existing.createdAt(),
                now.isBefore(existing.updatedAt()) ? existing.updatedAt() : now);
        checkStorable(updated);
        TreeMap<String, Record> records = recordsForWrite();
        records.put(updated.id(), updated);
        store.onUndo(() -> records.put(existing.id(), existing));
        changed(Change.Op.UPDATE, updated);
        return updated;
    }

    @Override
    protected boolean remove(String id, Long expectedVersion) {
        Records.id(id);
        return store.write(() -> {
            Record existing = records().get(id);
            if (existing == null) {
                if (expectedVersion != null && tombs().containsKey(id)) {
                    throw new ConcurrencyException(name, id, expectedVersion, 0);
                }
                return false;
            }
            if (expectedVersion != null && existing.version() != expectedVersion) {
                throw new ConcurrencyException(name, id, expectedVersion, existing.version());
            }
            drop(existing);
            return true;
        });
    }

    private void drop(Record existing) {
        TreeMap<String, Record> records = recordsForWrite();
        records.remove(existing.id());
        // a delete is a write: it takes the next version, and a re-created record continues after it
        long version = existing.version() + 1;
        Long previousTomb = tombs().put(existing.id(), version);
        store.changes.record(name, Change.Op.DELETE, existing.id(), version, null);
        store.onUndo(() -> {
            records.put(existing.id(), existing);
            if (previousTomb == null) {
                tombs().remove(existing.id());
            } else {
                tombs().put(existing.id(), previousTomb);
            }
        });
    }

    @Override
    protected long mergeMany(Filter filter, ObjectNode patch) {
        return rewriteMany(filter, existing -> (ObjectNode) JsonValues.mergePatch(existing.fields(), patch));
    }

    @Override
    protected long updateMany(Filter filter, FieldUpdates updates) {
        return rewriteMany(filter, existing -> updates.apply(existing.fields(), existing.id()));
    }

    private long rewriteMany(Filter filter, java.util.function.Function<Record, ObjectNode> newFields) {
        return store.write(() -> {
            List<Record> matching = records().values().stream()
                    .filter(r -> Semantics.matches(filter, r))
                    .toList();
            Instant now = Timestamps.now();
            for (Record existing : matching) {
                replaceFields(existing, newFields.apply(existing), now);
            }
            return (long) matching.size();
        });
    }

    @Override
    public long deleteMany(Filter filter) {
        return store.write(() -> {
            List<Record> matching = records().values().stream()
                    .filter(r -> Semantics.matches(filter, r))
                    .toList();
            matching.forEach(this::drop);
            return (long) matching.size();
        });
    }

    private void changed(Change.Op op, Record after) {
        store.changes.record(name, op, after.id(), after.version(), after);
    }

    // ---- change feed ----

    @Override
    public boolean enableChanges() {
        return store.write(() -> {
            recordsForWrite();
            boolean added = store.changes.enabled.add(name);
            if (added) {
                store.onUndo(() -> store.changes.enabled.remove(name));
            }
            return added;
        });
    }

    @Override
    public boolean disableChanges() {
        return store.write(() -> {
            boolean removed = store.changes.enabled.remove(name);
            if (removed) {
                store.onUndo(() -> store.changes.enabled.add(name));
            }
            return removed;
        });
    }

    @Override
    protected ChangeLog changeLog() {
        return store.changes;
    }

    // ---- reads ----

    @Override
    public Optional<Record> get(String id) {
        Records.id(id);
        return store.read(() -> Optional.ofNullable(records().get(id)).map(MemoryCollection::copy));
    }

    @Override
    public List<Record> getMany(Iterable<String> ids) {
        return store.read(() -> {
            Map<String, Record> found = new LinkedHashMap<>();
            for (String id : ids) {
                Record r = records().get(Records.id(id));
                if (r != null) {
                    found.putIfAbsent(id, copy(r));
                }
            }
            return new ArrayList<>(found.values());
        });
    }

    @Override
    public Page find(Query query) {
        List<SortKey> sort = query.sort();
        List<Boolean> descending = Semantics.fullDescending(sort);
        return store.read(() -> {
            List<Record> matching = sorted(query);
            int start = query.offset();
            if (query.cursor() != null) {
                Cursors.Position after = Cursors.decode(query, descending.size());
                start = 0;
                while (start < matching.size()
                        && Semantics.compareKeys(
                                        Semantics.fullKey(matching.get(start), sort),
                                        matching.get(start).id(),
                                        after.key(),
                                        after.id(),
                                        descending)
                                <= 0) {
                    start++;
                }
            }
            int end = (int) Math.min(matching.size(), (long) start + query.limit());
            List<Record> page = new ArrayList<>();
            long used = 0;
            for (int i = Math.min(start, matching.size()); i < end; i++) {
                // as the SQL backends: while the page's JSON text fits VELLUM_MAX_ANSWER_SIZE, at least one record
                long size = RecordSizes.textBytes(matching.get(i));
                if (!page.isEmpty() && used + size > store.limits.answerBytes()) {
                    end = i;
                    break;
                }
                used += size;
                page.add(Projection.of(copy(matching.get(i)), query));
            }
            String next = null;
            if (end < matching.size() && !page.isEmpty()) {
                Record last = matching.get(end - 1);
                next = Cursors.encode(query, Semantics.fullKey(last, sort), last.id());
            }
            return new Page(page, next);
        });
    }

    private List<Record> sorted(Query query) {
        List<Record> matching = new ArrayList<>(records().values().stream()
                .filter(r -> Semantics.matches(query.filter(), r))
                .toList());
        matching.sort(Semantics.comparator(query.sort()));
        return matching;
    }

    @Override
    public Stream<Record> stream(Query query) {
        List<Record> snapshot = store.read(
                () -> sorted(query).stream().map(MemoryCollection::copy).toList());
        return snapshot.stream().map(r -> Projection.of(r, query));
    }

    @Override
    public String explain(Query query) {
        return "memory: scan of " + name + ", then sort\n";
    }

    @Override
    protected List<Group> aggregate(Aggregates.Request request) {
        return store.read(() -> Aggregates.compute(
                records().values().stream().filter(r -> Semantics.matches(request.filter(), r))::iterator, request));
    }

    @Override
    protected dev.vellum.internal.SizeLimits limits() {
        return store.limits;
    }

    @Override
    public long count(Filter filter) {
        return store.read(() -> records().values().stream()
                .filter(r -> Semantics.matches(filter, r))
                .count());
    }

    // ---- indexes ----

    @Override
    public void createIndex(String indexName, List<String> paths, boolean unique) {
        IndexInfo index = Indexes.define(indexName, paths, unique);
        store.write(() -> {
            Map<String, IndexInfo> existing = store.indexes.computeIfAbsent(name, k -> new TreeMap<>());
            if (existing.containsKey(indexName)) {
                return null;
            }
            recordsForWrite();
            Indexes.SizeCheck sizes = Indexes.SizeCheck.of(List.of(index));
            records().values().forEach(sizes::check);
            existing.put(indexName, index);
            store.onUndo(() -> existing.remove(indexName));
            if (unique) {
                Map<String, String> seen = new HashMap<>();
                for (Record r : records().values()) {
                    String key = uniqueKey(r, index);
                    if (key != null && seen.putIfAbsent(key, r.id()) != null) {
                        throw new DuplicateRecordException(
                                name,
                                r.id(),
                                "Cannot create unique index " + indexName + ": records " + seen.get(key) + " and "
                                        + r.id() + " have the same " + paths);
                    }
                }
            }
            return null;
        });
    }

    @Override
    public boolean dropIndex(String indexName) {
        Records.indexName(indexName);
        return store.write(() -> {
            Map<String, IndexInfo> existing = store.indexes.get(name);
            IndexInfo removed = existing == null ? null : existing.remove(indexName);
            if (removed != null) {
                store.onUndo(() -> existing.put(indexName, removed));
            }
            return removed != null;
        });
    }

    @Override
    public void createDocumentIndex() {
        // the memory backend scans; there is nothing to index
    }

    @Override
    public boolean dropDocumentIndex() {
        return false;
    }

    @Override
    public boolean hasDocumentIndex() {
        return false;
    }

    @Override
    public List<IndexInfo> indexes() {
        return store.read(
                () -> new ArrayList<>(store.indexes.getOrDefault(name, Map.of()).values()));
    }
}
