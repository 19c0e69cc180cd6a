package dev.vellum.sqlite;

import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Patterns;
import org.sqlite.Function;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * SQL functions SQLite lacks, registered on every connection so filters run in SQL rather than in Java afterwards:
 * {@code regexp(pattern, text)} (the REGEXP operator), {@code vellum_fold(text)} (Unicode simple case folding for
 * ilike) and {@code vellum_canon(json)} (canonical JSON, to compare and sort arrays and objects).
 */
final class SqliteFunctions {
    private SqliteFunctions() {
    }

    /** A data source whose connections have the functions. */
    static SQLiteDataSource dataSource(SQLiteConfig config) {
        return new SQLiteDataSource(config) {
            @Override
            public org.sqlite.SQLiteConnection getConnection(String user, String password) throws SQLException {
                org.sqlite.SQLiteConnection connection = super.getConnection(user, password);
                register(connection);
                return connection;
            }
        };
    }

    static void register(Connection connection) throws SQLException {
        int flags = Function.FLAG_DETERMINISTIC;
        Function.create(connection, "regexp", new Function() {
            @Override
            protected void xFunc() throws SQLException {
                String pattern = value_text(0);
                String text = value_text(1);
                if (pattern == null || text == null) {
                    result();
                    return;
                }
                // RE2/J: linear in the text, so no pattern can pin a core (the pattern was checked by Patterns.regex)
                result(Patterns.compiled(pattern).matcher(text).find() ? 1 : 0);
            }
        }, 2, flags);
        Function.create(connection, "vellum_fold", new Function() {
            @Override
            protected void xFunc() throws SQLException {
                String text = value_text(0);
                if (text == null) {
                    result();
                } else {
                    result(JsonValues.fold(text));
                }
            }
        }, 1, flags);
        Function.create(connection, "vellum_canon", new Function() {
            @Override
            protected void xFunc() throws SQLException {
                String json = value_text(0);
                if (json == null) {
                    result();
                } else {
                    result(JsonValues.canonical(JsonValues.parse(json)));
                }
            }
        }, 1, flags);
    }
}
