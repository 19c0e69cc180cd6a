package dev.vellum;

import dev.vellum.engine.ConsistencyTokens;
import java.util.List;
import java.util.Optional;

/** Collections of JSON records over one backend. Thread-safe; close it to release connections. */
public interface RecordStore extends AutoCloseable {

    /** The collection of this name ({@code [a-z][a-z0-9_]{0,62}}); its storage is created on first write. */
    Collection collection(String name);

    /**
     * The collection of this name seen through a Java type (a record first, or a class Jackson maps): see
     * {@link TypedCollection}.
     */
    default <T> TypedCollection<T> collection(String name, Class<T> type) {
        return new TypedCollection<>(collection(name), type, null);
    }

    /** {@link #collection(String, Class)} with your Jackson mapper (its modules and settings). */
    default <T> TypedCollection<T> collection(
            String name, Class<T> type, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        return collection(name, type, TypeMapper.jackson(mapper));
    }

    /** {@link #collection(String, Class)} with another JSON binding ({@link TypeMapper}). */
    default <T> TypedCollection<T> collection(String name, Class<T> type, TypeMapper mapper) {
        return new TypedCollection<>(collection(name), type, java.util.Objects.requireNonNull(mapper, "mapper"));
    }

    /** The names of the collections that exist, sorted. */
    List<String> collections();

    /** Drops a collection with all its records and indexes; false when it did not exist. */
    boolean dropCollection(String name);

    /**
     * Runs {@code work} in a transaction spanning collections: its reads see its own writes, and an exception
     * persists nothing (and is rethrown).
     */
    <T, X extends Exception> T inTransaction(Work<T, X> work) throws X;

    /**
     * Runs read-only {@code work} on one consistent snapshot of every collection (see
     * {@link Database#inSnapshot}); on the memory backend, under the store's lock.
     */
    <T, X extends Exception> T inSnapshot(Work<T, X> work) throws X;

    default <X extends Exception> void useTransaction(Action<X> work) throws X {
        inTransaction(store -> {
            work.run(store);
            return null;
        });
    }

    /** The same operations returning futures, on Vellum's shared bounded executor. */
    default AsyncRecordStore async() {
        return new AsyncRecordStore(this, null);
    }

    /** The same operations returning futures, on your executor. */
    default AsyncRecordStore async(java.util.concurrent.Executor executor) {
        return new AsyncRecordStore(this, java.util.Objects.requireNonNull(executor, "executor"));
    }

    /** {@code memory}, {@code sqlite} or {@code postgres}. */
    String backendName();

    /**
     * A token for every write this store has committed so far: a read passed it ({@link #readAfter}), in this process
     * or any other over the same database, sees those writes even when a read replica serves it. Opaque. On
     * PostgreSQL it is a position in the write-ahead log on every node, replicas configured or not, so tokens work
     * across a fleet whose nodes differ; {@code "0"} on backends without replicas (memory, SQLite).
     */
    default String consistencyToken() {
        return "0";
    }

    /**
     * Runs reads that must see the writes a {@link #consistencyToken()} covers: with read replicas, only a replica that
     * has replayed them serves these reads (else the primary). A null or {@code "0"} token asks for no particular
     * write: any replica within {@code VELLUM_POSTGRES_REPLICA_MAX_LAG} may serve them, even before this process's own
     * writes reach it. Without the call, reads see this process's own writes.
     *
     * @throws QueryException when the token is not one this store made
     */
    default <T> T readAfter(String token, java.util.function.Supplier<T> reads) {
        ConsistencyTokens.parse(token);
        return reads.get();
    }

    /**
     * The change feed of every collection whose feed is enabled ({@link Collection#enableChanges()}), in one commit
     * order.
     */
    default Changes changes() {
        throw new VellumException("The " + backendName() + " backend has no change feed");
    }

    /** The SQL layer underneath, for SQL backends. */
    Optional<Database> database();

    @Override
    void close();

    @FunctionalInterface
    interface Work<T, X extends Exception> {
        T run(RecordStore store) throws X;
    }

    @FunctionalInterface
    interface Action<X extends Exception> {
        void run(RecordStore store) throws X;
    }
}
