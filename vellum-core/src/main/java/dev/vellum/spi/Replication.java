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

    /** How far a replica has replayed. */
    ReplicaState state(Connection replica) throws SQLException;

    /**
     * @param replayed   the write position replayed so far
     * @param isReplica  false when the server is not (or no longer) a replica, e.g. it was promoted
     */
    record ReplicaState(long replayed, boolean isReplica) {}
}
