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
