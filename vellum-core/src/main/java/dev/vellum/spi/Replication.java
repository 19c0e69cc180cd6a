package dev.vellum.spi;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a backend with streaming replicas tells the engine, so that reads can go to a replica without losing a
 * write: positions in the primary's write-ahead log, as numbers that only grow.
 */
public interface Replication {
    /**
     * A position at or past every commit the primary has made so far: asked on the connection that just committed,
     * so a replica that has replayed this far shows that commit.
     */
    long writePosition(Connection primary) throws SQLException;

    /**
     * {@code write} (one statement) wrapped to run as a transaction of its own followed by a read of the write
     * position after its commit, all sent at once; or null when the backend cannot. Its results: the write's, then
     * the position in a result set of its own ({@link #position}).
     */
    default String writeThenPosition(String write) {
        return null;
    }

    /** The position that {@link #writeThenPosition}'s last result set holds. */
    default long position(java.sql.ResultSet result) throws SQLException {
        throw new UnsupportedOperationException();
    }

    /**
     * After {@link #writeThenPosition} failed: true when the failure came inside the write's transaction, which
     * then needs a rollback and has written nothing; false when it may have come after the commit.
     */
    default boolean failedBeforeCommit(Connection connection) throws SQLException {
        return false;
    }

    /** How far a replica has replayed. */
    ReplicaState state(Connection replica) throws SQLException;

    /**
     * @param replayed   the write position replayed so far
     * @param isReplica  false when the server is not (or no longer) a replica, e.g. it was promoted
     */
    record ReplicaState(long replayed, boolean isReplica) {}
}
