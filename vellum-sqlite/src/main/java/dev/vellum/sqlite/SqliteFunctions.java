package dev.vellum.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.InvalidRecordException;
import dev.vellum.internal.FieldUpdates;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Patterns;
import dev.vellum.internal.RecordSizes;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.Function;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQL functions SQLite lacks, registered on every connection so filters run in SQL rather than in Java afterwards:
 * {@code regexp(pattern, text)} (the REGEXP operator), {@code vellum_fold(text)} (Unicode simple case folding for
 * ilike), {@code vellum_canon(json)} (canonical JSON, to compare and sort arrays and objects) and
 * {@code vellum_update(fields, operators, id)} (the field operators of an update, by {@code FieldUpdates} itself) and
 * {@code vellum_guard_size(fields, limit, id)} (VELLUM_MAX_RECORD_SIZE on the fields a patch or operators computed).
 */
final class SqliteFunctions {
    private SqliteFunctions() {}

    /** A data source whose connections have the functions and keep their statements. */
    static SQLiteDataSource dataSource(SQLiteConfig config) {
        return new SQLiteDataSource(config) {
            @Override
            public org.sqlite.SQLiteConnection getConnection(String user, String password) throws SQLException {
                String url = getUrl();
                org.sqlite.SQLiteConnection connection = new StatementCachingConnection(
                        url,
                        url.substring(org.sqlite.JDBC.PREFIX.length()),
                        getConfig().toProperties());
                register(connection);
                return connection;
            }
        };
    }

    static void register(Connection connection) throws SQLException {
        int flags = Function.FLAG_DETERMINISTIC;
        Function.create(
                connection,
                "regexp",
                new Function() {
                    @Override
                    protected void xFunc() throws SQLException {
                        String pattern = value_text(0);
                        String text = value_text(1);
                        if (pattern == null || text == null) {
                            result();
                            return;
                        }
                        // RE2/J: linear in the text, so no pattern can pin a core (the pattern was checked by
                        // Patterns.regex)
                        result(Patterns.compiled(pattern).matcher(text).find() ? 1 : 0);
                    }
                },
                2,
                flags);
        Function.create(
                connection,
                "vellum_fold",
                new Function() {
                    @Override
                    protected void xFunc() throws SQLException {
                        String text = value_text(0);
                        if (text == null) {
                            result();
                        } else {
                            result(JsonValues.fold(text));
                        }
                    }
                },
                1,
                flags);
        Function.create(
                connection,
                "vellum_canon",
                new Function() {
                    @Override
                    protected void xFunc() throws SQLException {
                        String json = value_text(0);
                        if (json == null) {
                            result();
                        } else {
                            result(JsonValues.canonical(JsonValues.parse(json)));
                        }
                    }
                },
                1,
                flags);
        Function.create(
                connection,
                "vellum_update",
                new Function() {
                    private String lastOps;
                    private FieldUpdates lastUpdates;

                    @Override
                    protected void xFunc() throws SQLException {
                        String ops = value_text(1);
                        if (!ops.equals(lastOps)) {
                            // one statement calls this once per row with the same operators: parse them once
                            lastUpdates = FieldUpdates.fromJson(ops);
                            lastOps = ops;
                        }
                        try {
                            result(JsonValues.write(
                                    lastUpdates.apply((ObjectNode) JsonValues.parse(value_text(0)), value_text(2))));
                        } catch (InvalidRecordException e) {
                            throw new SQLException(UPDATE_FAILED + e.getMessage() + UPDATE_FAILED_END);
                        }
                    }
                },
                3,
                flags);
        Function.create(
                connection,
                "vellum_guard_size",
                new Function() {
                    @Override
                    protected void xFunc() throws SQLException {
                        String fields = value_text(0);
                        long limit = value_long(1);
                        if (fields != null && RecordSizes.exceeds(fields, limit)) {
                            throw new SQLException(
                                    RecordSizes.raised(RecordSizes.utf8Length(fields), limit, value_text(2)));
                        }
                        result(fields);
                    }
                },
                3,
                flags);
        registerAggregates(connection);
    }

    /** Aggregates that run the memory backend's rules: exact decimal sums, extremes in sort order. */
    private static void registerAggregates(Connection connection) throws SQLException {
        Function.create(connection, "vellum_sum", new SumAggregate(), 1);
        for (boolean smallest : new boolean[] {true, false}) {
            Function.create(
                    connection,
                    smallest ? "vellum_min" : "vellum_max",
                    new Function.Aggregate() {
                        private JsonNode best;

                        @Override
                        protected void xStep() throws SQLException {
                            JsonNode v = scalar(value_text(0));
                            if (v != null) {
                                int c = best == null ? 0 : JsonValues.compareInSortOrder(v, best);
                                if (best == null || (smallest ? c < 0 : c > 0)) {
                                    best = v;
                                }
                            }
                        }

                        @Override
                        protected void xFinal() throws SQLException {
                            if (best == null) {
                                result();
                            } else {
                                result(JsonValues.write(best));
                            }
                        }
                    },
                    1);
        }
    }

    /** {@code vellum_sum(json)}: the exact sum of the numbers, as decimal text (NULL when there are none). */
    private static final class SumAggregate extends Function.Aggregate {
        private DecimalSum sum = new DecimalSum();

        @Override
        protected void xStep() throws SQLException {
            sum.add(value_blob(0)); // the text's bytes: no String per row
        }

        @Override
        protected void xFinal() throws SQLException {
            BigDecimal total = sum.total();
            if (total == null) {
                result();
            } else {
                result(total.toPlainString());
            }
        }

        /** sqlite-jdbc clones the registered instance for each group: each needs its own sum. */
        @Override
        public Object clone() throws CloneNotSupportedException {
            SumAggregate copy = (SumAggregate) super.clone();
            copy.sum = new DecimalSum();
            return copy;
        }
    }

    /**
     * A number (as a decimal), string or boolean from its JSON text; null for null, arrays, objects and SQL NULL.
     * Called once per row: numbers and booleans, the usual inputs, are read without starting a JSON parser.
     */
    private static JsonNode scalar(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        char first = text.charAt(0);
        if (first == '-' || (first >= '0' && first <= '9')) {
            return JsonValues.NODES.numberNode(DecimalSum.number(text));
        }
        return switch (first) {
            case 't' -> JsonValues.NODES.booleanNode(true);
            case 'f' -> JsonValues.NODES.booleanNode(false);
            case '"' -> JsonValues.parse(text);
            default -> null;
        };
    }

    private static final String UPDATE_FAILED = "vellum_update failed: <";
    private static final String UPDATE_FAILED_END = ">";

    /** The message of a failed vellum_update, which SQLite hands back inside its own error text. */
    static String updateFailure(SQLException e) {
        String text = e.getMessage();
        int start = text == null ? -1 : text.indexOf(UPDATE_FAILED);
        int end = start < 0 ? -1 : text.lastIndexOf(UPDATE_FAILED_END);
        return end <= start ? null : text.substring(start + UPDATE_FAILED.length(), end);
    }
}
