package dev.vellum.internal;

import dev.vellum.ConnectionException;
import dev.vellum.Health;
import dev.vellum.StorageException;
import dev.vellum.spi.Replication;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The read replicas of one primary: which may serve a read now, and how far each has replayed. A monitor notes the
 * primary's write position and asks every replica how far it has replayed, once a second; a replica's lag is how long
 * ago the primary had written no more than it has replayed (so a replica cut off from an idle primary is not behind,
 * and one cut off from a busy primary falls behind by the clock). One that does not answer, is no longer a replica, or
 * lags past the bound serves nothing until a later probe finds it well again. A read that must see a write (this
 * process's own, or a consistency token's) goes to a replica that has replayed that far, else, after an optional wait,
 * to the primary. A read that fails on a replica is read again from the primary, so a replica going away is never the
 * caller's error.
 */
public final class ReplicaSet implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicaSet.class);
    /** A read that found no replica far enough waits in steps of this, up to the configured wait. */
    private static final long WAIT_STEP_MILLIS = 2;
    /** A probe that gets no answer within this finds the replica down. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** A replica is asked how far it is on a read's behalf at most this often. */
    private static final long ASK_AGAIN_NANOS = 2_000_000;
    /** Where the monitor's probes run, so that one that hangs holds neither the monitor nor the other replicas. */
    private static final java.util.concurrent.ExecutorService PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "vellum-replica-probe");
        t.setDaemon(true);
        return t;
    });

    /** Why a replica does or does not serve reads. */
    public enum State {
        UP("serving reads"),
        LAGGING("lagging: serves no reads"),
        DOWN("not answering: serves no reads"),
        NOT_A_REPLICA("not a replica (promoted?): serves no reads");

        private final String description;

        State(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private static final class Member {
        final String name;
        final JdbcDatabase db;
        final LongAdder reads = new LongAdder();
        volatile State state = State.DOWN;
        volatile long replayed;
        volatile Duration lag = Duration.ZERO;
        volatile String problem = "not probed yet";
        private final AtomicLong lastAsked = new AtomicLong();
        /** When the monitor's probe in flight began (System.nanoTime), or 0 when none is. */
        final AtomicLong probing = new AtomicLong();

        Member(String name, JdbcDatabase db) {
            this.name = name;
            this.db = db;
        }

        /** True for one caller once {@link #ASK_AGAIN_NANOS} have passed since the last on-demand probe. */
        boolean mayProbeAgain() {
            long now = System.nanoTime();
            long last = lastAsked.get();
            return now - last >= ASK_AGAIN_NANOS && lastAsked.compareAndSet(last, now);
        }
    }

    private final JdbcDatabase primary;
    private final List<Member> members;
    /** The primary's write position over the last while: {nanoTime, position}, oldest first. */
    private final java.util.ArrayDeque<long[]> samples = new java.util.ArrayDeque<>();

    private final Replication replication;
    private final Duration maxLag;
    private final Duration wait;
    /** A position at or past the commits counted in {@link #covered}. */
    private final AtomicLong written = new AtomicLong();
    /** Commits made on the primary by this process. */
    private final AtomicLong commits = new AtomicLong();
    /** How many of them {@link #written} covers: it was asked for after they were counted. */
    private volatile long covered;

    private final LongAdder primaryReads = new LongAdder();
    private final AtomicInteger turn = new AtomicInteger();
    private final ScheduledExecutorService monitor;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param replicas    name (without credentials) and database of each replica, opened without migrations
     * @param maxLag      a replica further behind serves no reads
     * @param wait        how long a read that must see a write waits for a replica before reading the primary
     * @param probeEvery  how often the monitor asks each replica
     */
    public ReplicaSet(
            JdbcDatabase primary,
            List<java.util.Map.Entry<String, JdbcDatabase>> replicas,
            Replication replication,
            Duration maxLag,
            Duration wait,
            Duration probeEvery) {
        this.primary = primary;
        this.members =
                replicas.stream().map(e -> new Member(e.getKey(), e.getValue())).toList();
        this.replication = replication;
        this.maxLag = maxLag;
        this.wait = wait;
        samplePrimary();
        members.forEach(this::probe);
        this.monitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vellum-replica-monitor");
            t.setDaemon(true);
            return t;
        });
        monitor.scheduleWithFixedDelay(
                this::probeAll, probeEvery.toMillis(), probeEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Notes that a commit was made on the primary. Its position is asked for only when a read or a token needs it
     * ({@link #written()}): one question covers every commit before it, and a process that only writes asks nothing.
     */
    void committed() {
        commits.incrementAndGet();
    }

    /**
     * What this process's next read must see. Right after a commit whose position is not known yet, that is
     * "everything": the read goes to the primary in one round trip instead of asking the primary where its log is and
     * then a replica how far it is; the monitor learns the position within a second, and reads return to the replicas
     * once they have replayed it. With a wait bound the position is asked for at once, since the caller prefers
     * waiting for a replica.
     */
    long requiredForRead() {
        return commits.get() != covered && wait.isZero() ? Long.MAX_VALUE : written();
    }

    /** A position at or past every write this process has committed. */
    public long written() {
        long counted = commits.get();
        if (counted == covered) {
            return written.get();
        }
        synchronized (this) {
            // a caller that finds another asking waits for its answer: that answer covers its own commit, which was
            // counted before the question was asked
            if (covered < counted) {
                try {
                    askPrimary();
                } catch (RuntimeException e) {
                    LOG.debug("Could not read the primary's write position; reading the primary: {}", e.getMessage());
                    return Long.MAX_VALUE;
                }
            }
        }
        return written.get();
    }

    /**
     * The primary's write position now. It is past every commit counted before the question, so it becomes what
     * reads must see only when there are such commits not yet covered: others' writes alone require nothing.
     */
    private synchronized long askPrimary() {
        long counted = commits.get();
        long position = primary.onPooledConnection(replication::writePosition);
        if (covered < counted) {
            written.accumulateAndGet(position, Math::max);
            covered = counted;
        }
        return position;
    }

    /**
     * Runs a read on a replica that has replayed {@code required} (or on the primary), and again on the primary if it
     * fails there.
     */
    <T> T read(long required, Function<JdbcDatabase, T> work) {
        Optional<Member> chosen = choose(required);
        if (chosen.isEmpty()) {
            primaryReads.increment();
            return work.apply(primary);
        }
        Member m = chosen.get();
        try {
            T result = work.apply(m.db);
            m.reads.increment();
            return result;
        } catch (ConnectionException e) {
            m.state = State.DOWN;
            m.problem = e.getMessage();
            LOG.warn("Replica {} failed a read and serves no more until it answers again: {}", m.name, e.getMessage());
        } catch (StorageException e) {
            // e.g. a table another process created that the replica has not replayed yet
            LOG.debug("Replica {} could not serve a read, reading the primary: {}", m.name, e.getMessage());
        }
        primaryReads.increment();
        return work.apply(primary);
    }

    private Optional<Member> choose(long required) {
        if (required == Long.MAX_VALUE) {
            return Optional.empty();
        }
        int n = members.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        long deadline = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                Member m = members.get((start + i) % n);
                if (m.state == State.UP && m.replayed >= required) {
                    return Optional.of(m);
                }
            }
            // the cached positions may be old: ask the serving replicas how far they are now (each at most once per
            // few milliseconds: under a stream of reads after writes, the primary answers instead of a probe each)
            for (int i = 0; i < n; i++) {
                Member m = members.get((start + i) % n);
                if (m.state == State.UP && m.mayProbeAgain()) {
                    probe(m);
                    if (m.state == State.UP && m.replayed >= required) {
                        return Optional.of(m);
                    }
                }
            }
            long now = System.nanoTime();
            if (deadline == 0) {
                deadline = now + wait.toNanos();
            }
            if (wait.isZero() || now >= deadline) {
                return Optional.empty();
            }
            try {
                Thread.sleep(WAIT_STEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * The monitor's round: the primary's position, then each replica probed on a thread of its own. A probe that has
     * not answered within {@link #PROBE_TIMEOUT} (a stopped replica can hold one for the pool's whole connect timeout,
     * waiting for a connection) finds the replica down now, rather than when it gives up.
     */
    private void probeAll() {
        samplePrimary();
        for (Member m : members) {
            long started = m.probing.get();
            if (started != 0) {
                if (System.nanoTime() - started > PROBE_TIMEOUT.toNanos()) {
                    markDown(m, "no answer within " + PROBE_TIMEOUT.toMillis() + " ms");
                }
                continue;
            }
            if (m.probing.compareAndSet(0, System.nanoTime())) {
                try {
                    PROBES.execute(() -> {
                        try {
                            probe(m);
                        } finally {
                            m.probing.set(0);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    m.probing.set(0);
                }
            }
        }
    }

    private void samplePrimary() {
        try {
            long position = askPrimary(); // also covers the commits made since a read last asked
            synchronized (samples) {
                samples.addLast(new long[] {System.nanoTime(), position});
                // keep what a lag up to the bound needs, and one sample older than that
                long horizon = System.nanoTime() - maxLag.toNanos() * 2 - 5_000_000_000L;
                while (samples.size() > 2 && samples.peekFirst()[0] < horizon) {
                    samples.removeFirst();
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not read the primary's write position: {}", e.getMessage());
        }
    }

    /**
     * How long ago the primary had written no more than {@code replayed}; when every sample is past it, at least as long
     * as the oldest sample is old (right after start that is nothing: no history says the replica is behind).
     */
    private Duration lagOf(long replayed) {
        long now = System.nanoTime();
        synchronized (samples) {
            java.util.Iterator<long[]> newestFirst = samples.descendingIterator();
            boolean newest = true;
            while (newestFirst.hasNext()) {
                long[] sample = newestFirst.next();
                if (sample[1] <= replayed) {
                    return newest ? Duration.ZERO : Duration.ofNanos(now - sample[0]);
                }
                newest = false;
            }
            return samples.isEmpty() ? Duration.ZERO : Duration.ofNanos(now - samples.peekFirst()[0]);
        }
    }

    private void probe(Member m) {
        try {
            Replication.ReplicaState s = m.db.onPooledConnection(connection -> {
                // a replica that accepts connections but never answers (a stopped process) is found out in seconds
                connection.setNetworkTimeout(Runnable::run, (int) PROBE_TIMEOUT.toMillis());
                return replication.state(connection);
            });
            Duration lag = lagOf(s.replayed());
            m.replayed = s.replayed();
            m.lag = lag;
            State next = !s.isReplica() ? State.NOT_A_REPLICA : lag.compareTo(maxLag) > 0 ? State.LAGGING : State.UP;
            if (next != m.state) {
                LOG.info("Replica {}: {} (lag {} ms)", m.name, next.description(), lag.toMillis());
            }
            m.state = next;
            m.problem = null;
        } catch (RuntimeException e) {
            markDown(m, e.getMessage());
        }
    }

    private static void markDown(Member m, String problem) {
        if (m.state != State.DOWN) {
            LOG.warn("Replica {} does not answer and serves no reads until it does: {}", m.name, problem);
        }
        m.state = State.DOWN;
        m.problem = problem;
    }

    /** Each replica as the last probe saw it, and the reads each served, as {@link Health} reports them. */
    public Health.Replicas health() {
        return new Health.Replicas(
                primaryReads.sum(),
                members.stream()
                        .map(m -> new Health.Replica(
                                m.name,
                                m.state.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                                m.lag,
                                m.replayed,
                                m.reads.sum(),
                                m.problem))
                        .toList());
    }

    /** A replica's plain SQL interface, chosen as for a read ({@code Database.replica()}), or empty for the primary. */
    Optional<JdbcDatabase> databaseFor(long required) {
        Optional<Member> m = choose(required);
        m.ifPresentOrElse(member -> member.reads.increment(), primaryReads::increment);
        return m.map(member -> member.db);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        monitor.shutdownNow();
        for (Member m : members) {
            try {
                m.db.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing replica {}: {}", m.name, e.getMessage());
            }
        }
    }
}
