package dev.vellum;

import dev.vellum.engine.Aggregates;
import dev.vellum.engine.Records;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The records of one collection. Field values are JSON; {@code fields} arguments take a Jackson {@code ObjectNode}, a
 * {@code Map}, or any object Jackson can convert. Every write is atomic; batch writes are all-or-nothing.
 */
public interface Collection {

    String name();

    /** Inserts with a generated id (UUIDv7). */
    Record insert(Object fields);

    /**
     * Inserts with the given id (or a generated one when null).
     *
     * @throws DuplicateRecordException when the id exists
     */
    Record insert(String id, Object fields, Object metadata);

    /** Inserts every record or none; any size, constant memory for a lazy iterable. Returns the count. */
    long insertMany(Iterable<NewRecord> records);

    /**
     * {@link #insertMany(Iterable)}, answering the ids in the order of the records, the generated ones included (ids
     * are generated before the write, so the bulk path stays the same; the list holds one id per record).
     */
    default List<String> insertManyReturningIds(Iterable<NewRecord> records) {
        List<String> ids = new java.util.ArrayList<>();
        insertMany(() -> new java.util.Iterator<>() {
            private final java.util.Iterator<NewRecord> source = records.iterator();

            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public NewRecord next() {
                NewRecord r = source.next();
                NewRecord withId = r.id() == null ? r.withId(Records.newId()) : r;
                ids.add(withId.id());
                return withId;
            }
        });
        return java.util.Collections.unmodifiableList(ids);
    }

    default long insertMany(Stream<NewRecord> records) {
        try (records) {
            return insertMany((Iterable<NewRecord>) records::iterator);
        }
    }

    /**
     * Writes records exactly as given — id, fields, metadata, version and both timestamps — for copies, restores and
     * migrations between stores. All or nothing; an id that exists is a {@link DuplicateRecordException}. Uses the
     * bulk path (COPY on PostgreSQL), in constant memory for a lazy iterable.
     */
    long load(Iterable<Record> records);

    Optional<Record> get(String id);

    /** The records with these ids that exist, in the order of {@code ids}. */
    List<Record> getMany(Iterable<String> ids);

    /** Swaps all fields (fields left out are gone); metadata stays. */
    Record replace(String id, Object fields);

    /** {@link #replace(String, Object)} only if the record is at {@code expectedVersion}. */
    Record replace(String id, Object fields, long expectedVersion);

    /**
     * Changes some fields: {@code patch} is an RFC 7386 JSON merge patch ({@code {"name":"Ada","old":null}}), or field
     * operators ({@link Update}, or JSON such as {@code {"$inc":{"visits":1}}}) that the database applies to the
     * record as it is when the write runs, so concurrent increments, pushes and the like all count.
     *
     * @throws InvalidRecordException when an operator meets a value it cannot change ({@code $inc} on a string);
     *                                nothing is written
     * @throws QueryException         when the update itself is malformed (an unknown operator, a path twice)
     */
    Record patch(String id, Object patch);

    Record patch(String id, Object patch, long expectedVersion);

    /** Inserts, or replaces the fields of an existing record. */
    Record upsert(String id, Object fields);

    /** Upserts every record or none; within the batch the last write of an id wins. */
    long upsertMany(Iterable<NewRecord> records);

    /** @return false when no such record exists */
    boolean delete(String id);

    boolean delete(String id, long expectedVersion);

    /**
     * Applies a merge patch or field operators (as {@link #patch(String, Object)}) to every matching record in one
     * statement, all or nothing; returns the count.
     */
    long updateMany(Filter filter, Object patch);

    /** Deletes every matching record in one statement; returns the count. */
    long deleteMany(Filter filter);

    /** One page of matching records and the cursor of the next page. */
    Page find(Query query);

    /**
     * Every matching record in the query's order (its limit, cursor and offset are ignored), in constant memory.
     * Holds a connection until closed: use try-with-resources.
     */
    Stream<Record> stream(Query query);

    long count(Filter filter);

    /**
     * Groups the matching records by the values at {@code groupBy} (none: one group of every match) and computes the
     * accumulators of each group, in the database ({@code GROUP BY}). Groups come sorted by their key in sort order,
     * the group of missing and null values last. The rules are in docs/semantics.md ("Aggregations").
     *
     * @param accumulators names (as the results show them) and what to compute, in order
     * @throws QueryException on a malformed request, or past {@value Aggregates#MAX_GROUPS} groups
     */
    java.util.List<Group> aggregate(
            Filter filter, List<String> groupBy, java.util.Map<String, Accumulator> accumulators);

    /** The distinct present values at the path among the matching records, in sort order (no null). */
    List<com.fasterxml.jackson.databind.JsonNode> distinct(String path, Filter filter);

    /** How the backend runs this query (the database's own query plan; "memory" scans on the memory backend). */
    String explain(Query query);

    default long count() {
        return count(Filter.all());
    }

    /** Creates an index (if none of that name exists) so filters and sorts on these paths use it. */
    void createIndex(String name, List<String> paths, boolean unique);

    default void createIndex(String name, String... paths) {
        createIndex(name, List.of(paths), false);
    }

    /** @return false when there was no such index */
    boolean dropIndex(String name);

    /**
     * Adds a whole-document index (on PostgreSQL an inverted GIN index), after which {@code eq} and
     * {@code contains} on any field path can use it. It costs write speed (measured: bulk loads about four times
     * slower), so it is off unless asked for. SQLite and memory have no such index: there this does nothing and
     * {@link #hasDocumentIndex()} stays false.
     */
    void createDocumentIndex();

    /** @return false when there was none */
    boolean dropDocumentIndex();

    boolean hasDocumentIndex();

    List<IndexInfo> indexes();

    /**
     * Turns the change feed on: from now on every committed write to this collection is recorded once, in commit
     * order ({@link #changes()}). Kept in the database like an index (it survives restarts, copies and restores);
     * creates the collection if needed.
     *
     * @return false when it was on already
     */
    boolean enableChanges();

    /** Turns the change feed off; the changes already recorded stay readable in the store's feed until retention. */
    boolean disableChanges();

    boolean changesEnabled();

    /**
     * This collection's change feed.
     *
     * @throws ChangesNotEnabledException on use, while the feed is off
     */
    Changes changes();
}
