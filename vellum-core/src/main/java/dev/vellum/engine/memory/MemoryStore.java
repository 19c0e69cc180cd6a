package dev.vellum.engine.memory;

import dev.vellum.Cancellation;
import dev.vellum.Change;
import dev.vellum.Changes;
import dev.vellum.Collection;
import dev.vellum.Database;
import dev.vellum.IndexInfo;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.StorageException;
import dev.vellum.engine.Feed;
import dev.vellum.engine.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The reference backend: records live in this process. Writes and transactions hold one store-wide write lock (a
 * transaction holds it throughout, with an undo log for rollback); reads share a read lock.
 */
public final class MemoryStore implements RecordStore {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    /** name → id → record; a TreeMap by id gives the code-point id order (ids are compared as strings). */
    final Map<String, TreeMap<String, Record>> data = new TreeMap<>();

    final Map<String, Map<String, Long>> tombstones = new TreeMap<>();
    final Map<String, Map<String, IndexInfo>> indexes = new TreeMap<>();
    private final ThreadLocal<List<Runnable>> undo = new ThreadLocal<>();
    final MemoryChangeLog changes;
    /** VELLUM_MAX_RECORD_SIZE and VELLUM_MAX_ANSWER_SIZE. */
    final dev.vellum.internal.SizeLimits limits;

    public MemoryStore(java.time.Duration changeRetention, dev.vellum.internal.SizeLimits limits) {
        this.changes = new MemoryChangeLog(this, changeRetention);
        this.limits = limits;
    }

    @Override
    public Collection collection(String name) {
        return new MemoryCollection(this, Records.collectionName(name));
    }

    @Override
    public List<String> collections() {
        return read(() -> new ArrayList<>(data.keySet()));
    }

    @Override
    public boolean dropCollection(String name) {
        Records.collectionName(name);
        return write(() -> {
            TreeMap<String, Record> existing = data.get(name);
            if (existing != null) {
                // a dropped collection's records are deleted, each a change of its feed
                existing.values().forEach(r -> changes.record(name, Change.Op.DELETE, r.id(), r.version() + 1, null));
            }
            TreeMap<String, Record> records = data.remove(name);
            Map<String, Long> tombs = tombstones.remove(name);
            Map<String, IndexInfo> idx = indexes.remove(name);
            onUndo(() -> {
                if (records != null) {
                    data.put(name, records);
                }
                if (tombs != null) {
                    tombstones.put(name, tombs);
                }
                if (idx != null) {
                    indexes.put(name, idx);
                }
            });
            return records != null;
        });
    }

    @Override
    public <T, X extends Exception> T inTransaction(Work<T, X> work) throws X {
        return undoable(() -> work.run(this));
    }

    @Override
    public <T, X extends Exception> T inSnapshot(Work<T, X> work) throws X {
        return undoable(() -> work.run(this));
    }

    /** Work that may throw X, under the write lock: undone entirely if it throws. */
    @FunctionalInterface
    private interface Undoable<T, X extends Exception> {
        T run() throws X;
    }

    /**
     * Runs work under the write lock with an undo log: if it throws, its changes are reversed; if it is nested in
     * another such run, its changes join the outer log, to be undone if the outer work fails.
     */
    private <T, X extends Exception> T undoable(Undoable<T, X> work) throws X {
        lockInterruptibly(lock.writeLock());
        List<Runnable> outer = undo.get();
        List<Runnable> log = new ArrayList<>();
        undo.set(log);
        long changesBefore = changes.last();
        try {
            T result = work.run();
            if (outer != null) {
                outer.addAll(log);
            } else {
                // the commit point: cancelled work is undone here, and after it cancelling changes nothing
                Cancellation.beginCommit();
                Cancellation.endCommit(true);
                if (changes.last() != changesBefore) {
                    changes.committed();
                }
            }
            return result;
        } catch (Throwable t) {
            for (int i = log.size() - 1; i >= 0; i--) {
                log.get(i).run();
            }
            throw t;
        } finally {
            if (outer == null) {
                undo.remove();
            } else {
                undo.set(outer);
            }
            lock.writeLock().unlock();
        }
    }

    @Override
    public Changes changes() {
        return new Feed(changes, null, null);
    }

    @Override
    public String backendName() {
        return "memory";
    }

    @Override
    public Optional<Database> database() {
        return Optional.empty();
    }

    @Override
    public void close() {
        // nothing to release
    }

    /** Records how to reverse a change, when inside a transaction. */
    void onUndo(Runnable action) {
        List<Runnable> log = undo.get();
        if (log != null) {
            log.add(action);
        }
    }

    <T> T read(java.util.function.Supplier<T> work) {
        lockInterruptibly(lock.readLock());
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A write: atomic, since a failed write undoes its own partial changes before rethrowing. */
    <T> T write(java.util.function.Supplier<T> work) {
        return undoable(work::get);
    }

    /** Takes the lock; cancelled work stops waiting for it (see {@link Cancellation}). */
    private static void lockInterruptibly(java.util.concurrent.locks.Lock l) {
        try {
            l.lockInterruptibly();
        } catch (InterruptedException e) {
            Cancellation.checkpoint();
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while waiting for the memory store's lock", e);
        }
    }
}
