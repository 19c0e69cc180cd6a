package dev.vellum;

import dev.vellum.engine.Records;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The record store's operations returning {@link CompletableFuture}s. They run on a bounded executor: by default a
 * shared pool of daemon threads (twice the cores, at most 10,000 queued calls; beyond that a call fails at once with
 * {@link java.util.concurrent.RejectedExecutionException} rather than queueing without limit). Pass your own with
 * {@link RecordStore#async(Executor)}.
 */
public final class AsyncRecordStore {
    private static final Executor DEFAULT = defaultExecutor();

    private final RecordStore store;
    private final Executor executor;

    AsyncRecordStore(RecordStore store, Executor executor) {
        this.store = store;
        this.executor = executor == null ? DEFAULT : executor;
    }

    private static Executor defaultExecutor() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
                    Thread t = new Thread(r, "vellum-async-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Runs any store work asynchronously. Cancelling the returned future stops the work in the database too (see
     * {@link Cancellation}): {@code cancel} returns true only when nothing will have been written, and false when
     * the work has finished or begun to commit, whose outcome the future then reports.
     */
    public <T> CompletableFuture<T> call(Function<RecordStore, T> work) {
        Cancellation cancellation = new Cancellation();
        CompletableFuture<T> future = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                if (!cancellation.cancel()) {
                    return false; // finished or committing: the future will report that outcome
                }
                // the work may already have ended with OperationCancelledException; either way nothing was written
                super.cancel(mayInterruptIfRunning);
                return true;
            }
        };
        executor.execute(() -> {
            try {
                future.complete(cancellation.run(() -> work.apply(store)));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    public <T> CompletableFuture<T> inTransaction(RecordStore.Work<T, RuntimeException> work) {
        return call(s -> s.inTransaction(work));
    }

    public CompletableFuture<List<String>> collections() {
        return call(RecordStore::collections);
    }

    public AsyncCollection collection(String name) {
        Records.collectionName(name);
        return new AsyncCollection(this, name);
    }

    /** A collection's operations, asynchronously. */
    public static final class AsyncCollection {
        private final AsyncRecordStore async;
        private final String name;

        private AsyncCollection(AsyncRecordStore async, String name) {
            this.async = async;
            this.name = name;
        }

        /** Runs any collection work asynchronously. */
        public <T> CompletableFuture<T> call(Function<Collection, T> work) {
            return async.call(s -> work.apply(s.collection(name)));
        }

        public CompletableFuture<Record> insert(Object fields) {
            return call(c -> c.insert(fields));
        }

        public CompletableFuture<Record> insert(String id, Object fields, Object metadata) {
            return call(c -> c.insert(id, fields, metadata));
        }

        public CompletableFuture<Long> insertMany(Iterable<NewRecord> records) {
            return call(c -> c.insertMany(records));
        }

        public CompletableFuture<Optional<Record>> get(String id) {
            return call(c -> c.get(id));
        }

        public CompletableFuture<Record> replace(String id, Object fields, long expectedVersion) {
            return call(c -> c.replace(id, fields, expectedVersion));
        }

        public CompletableFuture<Record> patch(String id, Object patch) {
            return call(c -> c.patch(id, patch));
        }

        public CompletableFuture<Record> upsert(String id, Object fields) {
            return call(c -> c.upsert(id, fields));
        }

        public CompletableFuture<Boolean> delete(String id) {
            return call(c -> c.delete(id));
        }

        public CompletableFuture<Page> find(Query query) {
            return call(c -> c.find(query));
        }

        public CompletableFuture<List<Group>> aggregate(
                Filter filter, List<String> groupBy, java.util.Map<String, Accumulator> accumulators) {
            return call(c -> c.aggregate(filter, groupBy, accumulators));
        }

        public CompletableFuture<Long> count(Filter filter) {
            return call(c -> c.count(filter));
        }

        public CompletableFuture<Long> updateMany(Filter filter, Object patch) {
            return call(c -> c.updateMany(filter, patch));
        }

        public CompletableFuture<Long> deleteMany(Filter filter) {
            return call(c -> c.deleteMany(filter));
        }
    }
}
