package dev.vellum.postgres;

import dev.vellum.spi.Replication;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Streaming replication positions: log sequence numbers ({@code 16/B374D848}) as the byte counts they stand for. */
public final class PostgresReplication implements Replication {

    /** The insert position is past every commit record already made, flushed to disk or not. */
    @Override
    public long writePosition(Connection primary) throws SQLException {
        try (Statement s = primary.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            r.next();
            return lsn(r.getString(1));
        }
    }

    /**
     * One round trip: an explicit transaction, so that its COMMIT comes before the position is read; a failure inside
     * it leaves the session in a failed transaction block, which tells it apart from one after the commit.
     */
    @Override
    public String writeThenPosition(String write) {
        return "BEGIN; " + write + "; COMMIT; SELECT pg_current_wal_insert_lsn()::text";
    }

    @Override
    public long position(ResultSet result) throws SQLException {
        result.next();
        return lsn(result.getString(1));
    }

    @Override
    public boolean failedBeforeCommit(Connection connection) throws SQLException {
        return connection.unwrap(org.postgresql.core.BaseConnection.class).getTransactionState()
                == org.postgresql.core.TransactionState.FAILED;
    }

    @Override
    public ReplicaState state(Connection replica) throws SQLException {
        try (Statement s = replica.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")) {
            r.next();
            return new ReplicaState(lsn(r.getString(2)), r.getBoolean(1));
        }
    }

    /** {@code 16/B374D848} as a number of bytes; 0 for null (a server that is not replaying). */
    public static long lsn(String text) {
        if (text == null) {
            return 0;
        }
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }
}
