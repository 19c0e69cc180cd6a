package dev.vellum.engine.memory;

import dev.vellum.Change;
import dev.vellum.Filter;
import dev.vellum.Record;
import dev.vellum.engine.ChangeLog;
import dev.vellum.engine.Feed;
import dev.vellum.engine.SharedReads;
import dev.vellum.internal.RecordSizes;
import dev.vellum.internal.Timestamps;
import dev.vellum.spi.ChangeNotices;
import dev.vellum.spi.ChangeSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The memory backend's change log: a list in commit order, appended under the store's write lock (so a transaction's
 * changes are numbered together and undone with it), read under its read lock.
 */
final class MemoryChangeLog implements ChangeLog {
    private final SharedReads sharedReads = new SharedReads();
    private final MemoryStore store;
    private final Duration retention;
    final Set<String> enabled = new HashSet<>();
    private final List<Change> changes = new ArrayList<>();
    private long last;
    private long purgedThrough;
    /** A memory store has no other process: its own commits are the only notices, so a wait needs no polling. */
    private final ChangeNotices notices = new ChangeNotices(Duration.ofDays(1));

    MemoryChangeLog(MemoryStore store, Duration retention) {
        this.store = store;
        this.retention = retention;
    }

    /** Records a write (under the write lock): numbered now, undone if the transaction fails. */
    void record(String collection, Change.Op op, String id, long version, Record after) {
        if (!enabled.contains(collection)) {
            return;
        }
        long seq = ++last;
        changes.add(new Change(Long.toString(seq), op, collection, id, version, Timestamps.now(), after));
        store.onUndo(() -> {
            changes.remove(changes.size() - 1);
            last = seq - 1;
        });
    }

    long last() {
        return last;
    }

    /** After a commit that recorded changes: wakes the readers waiting for them. */
    void committed() {
        notices.changed();
    }

    @Override
    public long head() {
        return store.read(() -> last);
    }

    @Override
    public long purgedThrough() {
        return store.read(() -> purgedThrough);
    }

    @Override
    public Batch read(
            long after, int limit, String collection, Filter filter, long window, long maxBytes, boolean oneAnyway) {
        long through = window >= Long.MAX_VALUE - after ? Long.MAX_VALUE : after + window;
        return store.read(() -> {
            List<Change> taken = new ArrayList<>();
            long position = after;
            long bytes = 0;
            boolean full = false;
            int i = firstAfter(after);
            for (; i < changes.size() && Long.parseLong(changes.get(i).token()) <= through; i++) {
                Change c = changes.get(i);
                if (!Feed.matches(c, collection, filter)) {
                    position = Long.parseLong(c.token());
                    continue;
                }
                long size = c.record() == null ? 0 : RecordSizes.textBytes(c.record());
                if (taken.size() == limit || ((!taken.isEmpty() || !oneAnyway) && bytes + size > maxBytes)) {
                    full = true;
                    break;
                }
                taken.add(
                        c.record() == null
                                ? c
                                : new Change(
                                        c.token(),
                                        c.op(),
                                        c.collection(),
                                        c.id(),
                                        c.version(),
                                        c.at(),
                                        MemoryCollection.copy(c.record())));
                bytes += size;
                position = Long.parseLong(c.token());
            }
            return new Batch(taken, position, bytes, full || taken.size() == limit, i == changes.size());
        });
    }

    /** The index of the first change numbered after {@code seq}: numbers rise along the list. */
    private int firstAfter(long seq) {
        int lo = 0;
        int hi = changes.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.parseLong(changes.get(mid).token()) <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public long maxAnswerBytes() {
        return store.limits.answerBytes();
    }

    @Override
    public boolean enabled(String collection) {
        return store.read(() -> enabled.contains(collection));
    }

    @Override
    public void purgeExpired() {
        purgeNow();
    }

    /** Under the read lock first: most calls find nothing to remove and never wait for the write lock. */
    @Override
    public long purgeNow() {
        Instant cutoff = Timestamps.now().minus(retention);
        if (!store.read(() -> !changes.isEmpty() && changes.get(0).at().isBefore(cutoff))) {
            return 0;
        }
        return store.write(() -> {
            int n = 0;
            // never the newest: its token (now()) stays good
            while (n < changes.size() - 1 && changes.get(n).at().isBefore(cutoff)) {
                n++;
            }
            if (n > 0) {
                purgedThrough = Long.parseLong(changes.get(n - 1).token());
                changes.subList(0, n).clear();
            }
            return (long) n;
        });
    }

    @Override
    public SharedReads sharedReads() {
        return sharedReads;
    }

    @Override
    public ChangeSignal signal() {
        return notices;
    }
}
