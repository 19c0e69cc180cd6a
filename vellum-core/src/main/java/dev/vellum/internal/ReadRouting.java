package dev.vellum.internal;

import dev.vellum.Database;
import dev.vellum.Health;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a primary's record-store reads go: to a replica that has replayed every commit the read must show (this
 * process's own, counted at each commit, or a consistency token's position), else to the primary. One per
 * {@link JdbcDatabase}; it has none to route to until replicas are attached.
 */
final class ReadRouting {
    /** Read replicas of the primary, or null: reads may go there, commits are tracked for them. */
    private volatile ReplicaSet replicas;
    /** A read position required by the caller on this thread ({@link #readingAfter}), or null for this process's own. */
    private final ThreadLocal<Long> required = new ThreadLocal<>();

    void attach(ReplicaSet set) {
        this.replicas = set;
    }

    Optional<ReplicaSet> replicas() {
        return Optional.ofNullable(replicas);
    }

    /** Runs the read on a replica far enough along, or on the primary ({@code inTransaction}: always there). */
    <T> T read(JdbcDatabase primary, boolean inTransaction, Function<JdbcDatabase, T> work) {
        ReplicaSet set = replicas;
        if (set == null || inTransaction) {
            return work.apply(primary);
        }
        return set.read(requiredPosition(set), work);
    }

    /** Runs {@code reads} requiring replicas to have replayed {@code position} (0: any replica within the lag bound). */
    <T> T readingAfter(long position, Supplier<T> reads) {
        Long before = required.get();
        required.set(position);
        try {
            return reads.get();
        } finally {
            if (before == null) {
                required.remove();
            } else {
                required.set(before);
            }
        }
    }

    /** The database a read would go to now: a replica far enough along, or the primary. */
    Database replicaFor(Database primary) {
        ReplicaSet set = replicas;
        if (set == null) {
            return primary;
        }
        return set.databaseFor(requiredPosition(set))
                .<Database>map(replica -> replica)
                .orElse(primary);
    }

    Health.Replicas status() {
        ReplicaSet set = replicas;
        return set == null ? Health.Replicas.NONE : set.health();
    }

    /** True when commits must be noted for replicas. */
    boolean tracksCommits() {
        return replicas != null;
    }

    /** With replicas, this process's later reads must see this commit. */
    void committed() {
        ReplicaSet set = replicas;
        if (set != null) {
            set.committed();
        }
    }

    /** The primary's write position as the replicas count it; empty without replicas. */
    Optional<Long> written() {
        ReplicaSet set = replicas;
        return set == null ? Optional.empty() : Optional.of(set.written());
    }

    void close() {
        ReplicaSet set = replicas;
        if (set != null) {
            set.close();
        }
    }

    private long requiredPosition(ReplicaSet set) {
        Long position = required.get();
        return position != null ? position : set.requiredForRead();
    }
}
