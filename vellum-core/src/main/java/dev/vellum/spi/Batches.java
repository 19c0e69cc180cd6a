package dev.vellum.spi;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;

/** The one batching loop: rows bound into a prepared statement and sent a thousand at a time. */
public final class Batches {
    /** Rows per round trip: past this, larger batches save little and hold more memory. */
    public static final int SIZE = 1000;

    private Batches() {}

    /** Binds one parameter, as a dialect does. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement statement, int index, Object value) throws SQLException;
    }

    /**
     * Binds each row (through the binder) into the statement's batch and runs the batch every {@link #SIZE} rows
     * and at the end; returns the rows changed, counting a row once where the driver cannot say.
     */
    public static long run(PreparedStatement statement, Iterator<Object[]> rows, Binder binder) throws SQLException {
        long changed = 0;
        int pending = 0;
        while (rows.hasNext()) {
            Object[] row = rows.next();
            for (int i = 0; i < row.length; i++) {
                binder.bind(statement, i + 1, row[i]);
            }
            statement.addBatch();
            if (++pending == SIZE) {
                changed += sum(statement.executeBatch());
                pending = 0;
            }
        }
        if (pending > 0) {
            changed += sum(statement.executeBatch());
        }
        return changed;
    }

    private static long sum(int[] counts) {
        long total = 0;
        for (int c : counts) {
            // SUCCESS_NO_INFO: the driver ran the row but cannot say how many rows it touched
            total += c == Statement.SUCCESS_NO_INFO ? 1 : Math.max(c, 0);
        }
        return total;
    }
}
