package dev.vellum.sqlite;

import dev.vellum.internal.SqlText;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.sqlite.core.DB;
import org.sqlite.jdbc4.JDBC4Connection;
import org.sqlite.jdbc4.JDBC4PreparedStatement;

/**
 * An SQLite connection that keeps its prepared statements for the next call with the same SQL. The driver compiles a
 * statement on every {@code prepareStatement} (PostgreSQL's driver keeps them on the server after a few uses), and
 * compiling Vellum's longer statements costs a noticeable share of running them on a small result. A statement
 * closed by its user is reset (so no read transaction stays open), cleared and kept; at most {@link #MAX_STATEMENTS}
 * per connection, least recently used out first.
 *
 * <p>A kept statement sees schema changes made since (SQLite compiles it again, and the driver reads its columns
 * anew: {@code SELECT *} after {@code ADD COLUMN} has the new column). Only queries and writes of rows are kept, not
 * schema changes, pragmas or transaction control, which do not repeat. A statement prepared while the same SQL's kept
 * one is in use (a query run inside the rows of another) is a fresh one, closed when done if the first is kept by then.
 */
final class StatementCachingConnection extends JDBC4Connection {
    static final int MAX_STATEMENTS = 64;

    private final Map<String, KeptStatement> idle = new LinkedHashMap<>(32, 0.75f, true);
    private boolean closing;
    private boolean readOnlyHint;

    StatementCachingConnection(String url, String fileName, Properties properties) throws SQLException {
        super(url, fileName, properties);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        if (!keepable(sql)) {
            return super.prepareStatement(sql);
        }
        synchronized (idle) {
            KeptStatement kept = idle.remove(sql);
            if (kept != null) {
                kept.inUse = true;
                return kept;
            }
        }
        return new KeptStatement(this, sql);
    }

    /** Back from its user: reset and kept, unless it failed, the connection is closing, or a twin was kept first. */
    private void release(KeptStatement statement) throws SQLException {
        boolean keep = !statement.failed;
        if (keep) {
            try {
                statement.resetForReuse();
            } catch (SQLException | RuntimeException e) {
                keep = false;
            }
        }
        KeptStatement evicted = null;
        synchronized (idle) {
            keep = keep && !closing && !idle.containsKey(statement.sqlText());
            if (keep) {
                idle.put(statement.sqlText(), statement);
                if (idle.size() > MAX_STATEMENTS) {
                    Iterator<KeptStatement> eldest = idle.values().iterator();
                    evicted = eldest.next();
                    eldest.remove();
                }
            }
        }
        if (!keep) {
            statement.closeForGood();
        }
        if (evicted != null) {
            evicted.closeForGood();
        }
    }

    /**
     * A read-only transaction (Spring's {@code @Transactional(readOnly = true)} says so before it begins) starts
     * deferred, so it takes no write lock and writers do not wait for it; the others keep starting IMMEDIATE. The
     * file's own read-only flag is fixed when it opens, so the hint is kept here rather than passed down.
     */
    @Override
    public void setReadOnly(boolean readOnly) {
        getConnectionConfig()
                .setTransactionMode(
                        readOnly
                                ? org.sqlite.SQLiteConfig.TransactionMode.DEFERRED
                                : org.sqlite.SQLiteConfig.TransactionMode.IMMEDIATE);
        readOnlyHint = readOnly;
    }

    @Override
    public boolean isReadOnly() {
        return readOnlyHint;
    }

    @Override
    public void close() throws SQLException {
        KeptStatement[] kept;
        synchronized (idle) {
            closing = true;
            kept = idle.values().toArray(KeptStatement[]::new);
            idle.clear();
        }
        for (KeptStatement statement : kept) {
            try {
                statement.closeForGood();
            } catch (SQLException ignored) {
                // the connection closes next, which finalizes whatever is left
            }
        }
        super.close();
    }

    /** Queries and writes of rows: see the class comment. */
    static boolean keepable(String sql) {
        String keyword = SqlText.leadingKeyword(sql);
        return keyword.equals("SELECT")
                || keyword.equals("INSERT")
                || keyword.equals("UPDATE")
                || keyword.equals("DELETE")
                || keyword.equals("WITH")
                || keyword.equals("REPLACE");
    }

    private static final class KeptStatement extends JDBC4PreparedStatement {
        private final StatementCachingConnection owner;
        /** Between being handed out and being closed by its user: a close outside that span does nothing. */
        private boolean inUse = true;
        /** A statement that threw may hold state the driver did not undo: it is not kept. */
        private boolean failed;

        KeptStatement(StatementCachingConnection owner, String sql) throws SQLException {
            super(owner, sql);
            this.owner = owner;
        }

        String sqlText() {
            return sql;
        }

        @Override
        public boolean execute() throws SQLException {
            return watched(super::execute);
        }

        @Override
        public java.sql.ResultSet executeQuery() throws SQLException {
            return watched(super::executeQuery);
        }

        @Override
        public int executeUpdate() throws SQLException {
            return watched(super::executeUpdate);
        }

        @Override
        public long executeLargeUpdate() throws SQLException {
            return watched(super::executeLargeUpdate);
        }

        private interface Run<T> {
            T run() throws SQLException;
        }

        private <T> T watched(Run<T> run) throws SQLException {
            try {
                return run.run();
            } catch (SQLException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int[] executeBatch() throws SQLException {
            failed = true; // batches keep their own state in the driver; not worth keeping
            return super.executeBatch();
        }

        @Override
        public void close() throws SQLException {
            if (!inUse) {
                return;
            }
            inUse = false;
            owner.release(this);
        }

        /** Ends the run (releasing any read snapshot), drops the bound values and the row limit of its last user. */
        void resetForReuse() throws SQLException {
            rs.close();
            pointer.safeRunConsume(DB::reset);
            clearParameters();
            setMaxRows(0);
        }

        void closeForGood() throws SQLException {
            super.close();
        }
    }
}
