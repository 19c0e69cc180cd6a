package dev.vellum;

import dev.vellum.engine.TypeMapping;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A collection seen through a Java type: {@code store.collection("users", User.class)}. The same records, storage
 * and semantics as {@link Collection} (which {@link #untyped()} returns); values are mapped by Jackson — Java records
 * first, POJOs with Jackson annotations, enums, {@code Instant}, {@code LocalDate}, {@code UUID}, {@code BigDecimal},
 * {@code Optional}, nested records and lists. The id is the component named {@code id} or marked {@link Id} (null on
 * insert: a new id is generated); a type without one still has it in {@link Versioned#id()}. Filter and sort paths are
 * the type's JSON names; for a Java record a path that is not one of its components is a {@link QueryException}
 * (see {@link #uncheckedPaths()}).
 */
public final class TypedCollection<T> {
    private final Collection records;
    private final TypeMapping<T> mapping;
    private final boolean checkPaths;

    TypedCollection(Collection records, Class<T> type, TypeMapper mapper) {
        this(records, new TypeMapping<>(type, mapper == null ? TypeMapping.DEFAULT_MAPPER : mapper), true);
    }

    private TypedCollection(Collection records, TypeMapping<T> mapping, boolean checkPaths) {
        this.records = records;
        this.mapping = mapping;
        this.checkPaths = checkPaths;
    }

    public String name() {
        return records.name();
    }

    public Class<T> type() {
        return mapping.type();
    }

    /** The same collection as records of JSON. */
    public Collection untyped() {
        return records;
    }

    /**
     * The collection's change feed with its records read as this type (enable it with
     * {@code untyped().enableChanges()}).
     */
    public TypedChanges<T> changes() {
        return new TypedChanges<>(records.changes(), mapping::read, filter -> {
            if (checkPaths) {
                mapping.checkPaths(filter);
            }
        });
    }

    /** The same collection without the check of query paths against a record type's components. */
    public TypedCollection<T> uncheckedPaths() {
        return new TypedCollection<>(records, mapping, false);
    }

    /**
     * Inserts the value; returns it as stored (with its generated id, when the type has an id).
     *
     * @throws DuplicateRecordException when the id exists
     */
    public T insert(T value) {
        return insertVersioned(value).value();
    }

    /** {@link #insert}, with the id, version and timestamps. */
    public Versioned<T> insertVersioned(T value) {
        TypeMapping.Written w = mapping.write(value);
        return versioned(records.insert(w.id(), w.fields(), null));
    }

    public Optional<T> get(String id) {
        return records.get(id).map(mapping::read);
    }

    public Optional<Versioned<T>> getVersioned(String id) {
        return records.get(id).map(this::versioned);
    }

    /** The values with these ids that exist, in the order of {@code ids}. */
    public List<T> getMany(Iterable<String> ids) {
        return records.getMany(ids).stream().map(mapping::read).toList();
    }

    public TypedPage<T> find(Query query) {
        check(query);
        Page page = records.find(query);
        return new TypedPage<>(page.records().stream().map(mapping::read).toList(), page.nextCursor());
    }

    /** Every match in the query's order, in constant memory; close it (try-with-resources). */
    public Stream<T> stream(Query query) {
        check(query);
        return records.stream(query).map(mapping::read);
    }

    public long count(Filter filter) {
        if (checkPaths) {
            mapping.checkPaths(filter);
        }
        return records.count(filter);
    }

    public long count() {
        return records.count();
    }

    /** Replaces the stored value with this one (found by its id). */
    public Versioned<T> replace(T value) {
        TypeMapping.Written w = withId(value, "replace");
        return versioned(records.replace(w.id(), w.fields()));
    }

    /** {@link #replace(Object)} only if the record is at {@code expectedVersion}, else {@link ConcurrencyException}. */
    public Versioned<T> replace(T value, long expectedVersion) {
        TypeMapping.Written w = withId(value, "replace");
        return versioned(records.replace(w.id(), w.fields(), expectedVersion));
    }

    /**
     * Applies an RFC 7386 merge patch given as a map or a JSON object, or field operators ({@link Update}), as
     * {@link Collection#patch(String, Object)} does. The values of a map or an {@code Update} are converted by this
     * collection's mapper, as its records are (an {@code Instant} is stored as the record's own would be).
     */
    public Versioned<T> patch(String id, Object patch) {
        return versioned(records.patch(id, converted(patch)));
    }

    public Versioned<T> patch(String id, Object patch, long expectedVersion) {
        return versioned(records.patch(id, converted(patch), expectedVersion));
    }

    /** {@link Collection#updateMany}: a merge patch or field operators on every matching record, all or nothing. */
    public long updateMany(Filter filter, Object patch) {
        if (checkPaths) {
            mapping.checkPaths(filter);
        }
        return records.updateMany(filter, converted(patch));
    }

    /** {@link Collection#aggregate}: groups and accumulators, computed in the database. */
    public List<Group> aggregate(Filter filter, List<String> groupBy, java.util.Map<String, Accumulator> accumulators) {
        if (checkPaths && filter != null && groupBy != null && accumulators != null) {
            mapping.checkPaths(filter);
            groupBy.forEach(mapping::checkPath);
            accumulators.values().stream()
                    .filter(a -> a != null && a.path() != null)
                    .forEach(a -> mapping.checkPath(a.path()));
        }
        return records.aggregate(filter, groupBy, accumulators);
    }

    /** {@link Collection#distinct}: the distinct present values at the path, in sort order. */
    public List<com.fasterxml.jackson.databind.JsonNode> distinct(String path, Filter filter) {
        if (checkPaths && filter != null) {
            mapping.checkPath(path);
            mapping.checkPaths(filter);
        }
        return records.distinct(path, filter);
    }

    /** {@link Collection#deleteMany}: every matching record, in one statement. */
    public long deleteMany(Filter filter) {
        if (checkPaths) {
            mapping.checkPaths(filter);
        }
        return records.deleteMany(filter);
    }

    /** Inserts the value, or replaces the stored one with its id. */
    public Versioned<T> upsert(T value) {
        TypeMapping.Written w = withId(value, "upsert");
        return versioned(records.upsert(w.id(), w.fields()));
    }

    public boolean delete(String id) {
        return records.delete(id);
    }

    public boolean delete(String id, long expectedVersion) {
        return records.delete(id, expectedVersion);
    }

    /** Inserts every value or none, through the bulk path, in constant memory for a lazy iterable. */
    public long insertMany(Iterable<T> values) {
        return records.insertMany(newRecords(values));
    }

    /** {@link #insertMany}, answering the ids in the order of the values (the generated ones included). */
    public List<String> insertManyReturningIds(Iterable<T> values) {
        return records.insertManyReturningIds(newRecords(values));
    }

    /** Upserts every value or none; within the batch the last write of an id wins. */
    public long upsertMany(Iterable<T> values) {
        return records.upsertMany(newRecords(values));
    }

    private Iterable<NewRecord> newRecords(Iterable<T> values) {
        return () -> StreamSupport.stream(values.spliterator(), false)
                .map(v -> {
                    TypeMapping.Written w = mapping.write(v);
                    return new NewRecord(w.id(), w.fields(), null);
                })
                .iterator();
    }

    private TypeMapping.Written withId(T value, String operation) {
        TypeMapping.Written w = mapping.write(value);
        if (w.id() == null) {
            throw new InvalidRecordException(operation + " needs the value's id"
                    + (mapping.idName() == null
                            ? ", and " + mapping.type().getSimpleName() + " has none (name a "
                                    + "component id, or mark one @Id)"
                            : " (" + mapping.idName() + " is null)"));
        }
        return w;
    }

    /** The patch checked against the type's paths, its Java values converted by this collection's mapper. */
    private Object converted(Object patch) {
        Object json = patch instanceof Update update
                ? update.toJson(mapping::tree)
                : patch instanceof java.util.Map<?, ?> map ? mapping.tree(map) : patch;
        if (checkPaths) {
            mapping.checkUpdatePaths(json);
        }
        return json;
    }

    private void check(Query query) {
        if (checkPaths) {
            mapping.checkPaths(query);
        }
    }

    private Versioned<T> versioned(Record r) {
        return new Versioned<>(mapping.read(r), r.id(), r.version(), r.createdAt(), r.updatedAt(), r.metadata());
    }
}
