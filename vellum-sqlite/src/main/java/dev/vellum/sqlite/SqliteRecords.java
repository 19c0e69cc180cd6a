package dev.vellum.sqlite;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.FieldPath;
import dev.vellum.Record;
import dev.vellum.internal.JsonValues;
import dev.vellum.internal.Timestamps;
import dev.vellum.spi.FieldOperation;
import dev.vellum.spi.FullRecordDialect;
import dev.vellum.spi.JsonType;
import dev.vellum.spi.PathSql;
import dev.vellum.spi.PathSql.SortExpression;
import dev.vellum.spi.RecordTable;
import dev.vellum.spi.RegexPattern;
import dev.vellum.spi.Sql;
import dev.vellum.spi.SystemColumnSql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The record store on SQLite: JSON text columns read with {@code json_type}/{@code json_extract}, strings compared
 * in binary (code-point) order, {@code GLOB} for case-sensitive like, and three functions registered on every
 * connection ({@link SqliteFunctions}) for regex, case folding and canonical JSON.
 */
final class SqliteRecords implements FullRecordDialect {

    private static final SqliteDialect SQL = new SqliteDialect();
    private static final int ROWS_PER_INSERT = 100;

    @Override
    public List<String> createCollection(String table, String tombstones) {
        return List.of(
                RecordTable.createTable(
                        SQL.quote(table), RecordTable.SCHEMA, SqliteRecords::columnType, " WITHOUT ROWID"),
                RecordTable.createTable(
                        SQL.quote(tombstones),
                        RecordTable.TOMBSTONE_SCHEMA,
                        SqliteRecords::columnType,
                        " WITHOUT ROWID"));
    }

    /** JSON and instants as text (instants fixed-width, so text order is time order). */
    private static String columnType(RecordTable.Kind kind) {
        return switch (kind) {
            case ID -> "TEXT PRIMARY KEY NOT NULL";
            case DOCUMENT, TIMESTAMP -> "TEXT NOT NULL";
            case VERSION -> "INTEGER NOT NULL";
        };
    }

    /** Row triggers: SQLite runs one writer at a time, so insertion order into vellum_changes is commit order. */
    @Override
    public List<String> captureChanges(String table, String collection) {
        String name = SQL.literal(collection);
        String columns = " BEGIN INSERT INTO vellum_changes (collection, op, " + RecordTable.selectList()
                + ", at) VALUES (" + name + ", ";
        String now = ", strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END";
        String written = RecordTable.changeValues("NEW", false) + now;
        return List.of(
                "CREATE TRIGGER IF NOT EXISTS " + feedTrigger(collection, "i") + " AFTER INSERT ON " + SQL.quote(table)
                        + columns + "'insert', " + written,
                "CREATE TRIGGER IF NOT EXISTS " + feedTrigger(collection, "u") + " AFTER UPDATE ON " + SQL.quote(table)
                        + columns + "'update', " + written,
                "CREATE TRIGGER IF NOT EXISTS " + feedTrigger(collection, "d") + " AFTER DELETE ON " + SQL.quote(table)
                        + columns + "'delete', " + RecordTable.changeValues("OLD", true) + now);
    }

    @Override
    public List<String> stopCapturingChanges(String table, String collection) {
        return List.of("i", "u", "d").stream()
                .map(k -> "DROP TRIGGER IF EXISTS " + feedTrigger(collection, k))
                .toList();
    }

    private static String feedTrigger(String collection, String kind) {
        return SQL.quote(RecordTable.feedTrigger(collection, kind));
    }

    @Override
    public String emptyObject() {
        return "'{}'";
    }

    @Override
    public PathSql path(String column, List<String> keys) {
        return new JsonPath(column, pathLiteral(keys));
    }

    /** The keys as a quoted SQLite JSON path ({@code '$."a"."b"'}). */
    private static String pathLiteral(List<String> keys) {
        return SQL.literal(SqliteDialect.jsonPath(keys.toArray(String[]::new)));
    }

    @Override
    public PathSql system(FieldPath.Kind kind) {
        return switch (kind) {
            case ID -> new Column("id", JsonType.STRING, SortExpression.Kind.ID);
            case VERSION -> new Column("version", JsonType.NUMBER, SortExpression.Kind.VERSION);
            case CREATED_AT -> new Column("created_at", JsonType.STRING, SortExpression.Kind.TIMESTAMP);
            case UPDATED_AT -> new Column("updated_at", JsonType.STRING, SortExpression.Kind.TIMESTAMP);
            default -> throw new IllegalArgumentException(kind + " is not a system field");
        };
    }

    @Override
    public Sql mergePatch(String columnSql, Sql patch, boolean shallow) {
        return Sql.concat("json_patch(" + columnSql + ", ", patch, ")");
    }

    /** Canonical JSON text: equal values have equal texts (1.0 is 1, object keys sorted). */
    @Override
    public String groupValue(String column, List<String> keys) {
        return "NULLIF(vellum_canon(" + aggregateInput(column, keys) + "), 'null')";
    }

    /** The value's JSON text, grouped natively (no Java call per row); exact for strings and booleans. */
    @Override
    public FastGroupKey fastGroupKey(String column, List<String> keys) {
        return new FastGroupKey("NULLIF(" + aggregateInput(column, keys) + ", 'null')", true);
    }

    /** The JSON text of the value (NULL when missing), read once per row. */
    @Override
    public String aggregateInput(String column, List<String> keys) {
        return column + " -> " + pathLiteral(keys);
    }

    /**
     * For a sum and a count of numbers: the number itself, NULL for any other value, its type tested on the record's
     * parsed document in the inner query: cheaper than testing the type of each value's JSON text in the outer
     * aggregates (docs/benchmarks.md, "Aggregations").
     */
    @Override
    public String fastAggregateInput(Aggregate aggregate, String column, List<String> keys) {
        if (aggregate != Aggregate.SUM && aggregate != Aggregate.NUMBERS) {
            return null;
        }
        String path = pathLiteral(keys);
        String value = column + " ->> " + path;
        return "CASE json_type(" + column + ", " + path + ") WHEN 'integer' THEN " + value + " WHEN 'real' THEN "
                + value + " END";
    }

    /**
     * SQLite's own sum of the numbers ({@link #fastAggregateInput}): exact for integers, a double (which the engine
     * refuses) once a decimal is added; its own count of them. Its own min and max where the path holds integers only
     * (up to 18 digits, which SQLite's 64-bit integers hold exactly): a decimal, string or boolean there answers
     * {@link Aggregate#INEXACT}, since the order across types and exact decimals are the Java functions' work. No Java
     * call per row in any, and one {@code json_type} per row: a value that does not suit max() enters it as the text
     * 'inexact', which SQLite orders after every number, so max() itself reports it; min() is the max() of the
     * negated integers (which 18 digits keep in range).
     */
    @Override
    public String fastAggregate(Aggregate aggregate, String input) {
        return switch (aggregate) {
            case SUM -> "sum(" + input + ")";
            case NUMBERS -> "count(" + input + ")";
            case MAX -> "max(" + integerOrInexact(input, "") + ")";
            case MIN -> {
                String negatedMax = "max(" + integerOrInexact(input, "-") + ")";
                yield "CASE WHEN typeof(" + negatedMax + ") = 'text' THEN '" + Aggregate.INEXACT + "' ELSE -"
                        + negatedMax + " END";
            }
            default -> null;
        };
    }

    /** The integer (with {@code sign} before it), 'inexact' for any other number, string or boolean, else NULL. */
    private static String integerOrInexact(String input, String sign) {
        String inexact = "'" + Aggregate.INEXACT + "'";
        return "CASE json_type(" + input + ") WHEN 'integer' THEN CASE WHEN length(" + input + ") > 18 THEN "
                + inexact + " ELSE " + sign + "(" + input + " ->> '$') END WHEN 'real' THEN " + inexact
                + " WHEN 'text' THEN " + inexact + " WHEN 'true' THEN " + inexact + " WHEN 'false' THEN " + inexact
                + " END";
    }

    /** SQLite's sum() of integers fails rather than wrap or round. */
    @Override
    public boolean isFastAggregateFailure(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("integer overflow");
    }

    /** Sums and extremes run in Java (exact decimals, the memory backend's order); SQLite's own are doubles. */
    @Override
    public String aggregate(Aggregate aggregate, String input) {
        return switch (aggregate) {
            case SUM -> "vellum_sum(" + input + ")";
            case NUMBERS -> "count(CASE WHEN json_type(" + input + ") IN ('integer', 'real') THEN 1 END)";
            case MIN -> "vellum_min(" + input + ")";
            case MAX -> "vellum_max(" + input + ")";
            case COUNT_DISTINCT -> "count(DISTINCT NULLIF(vellum_canon(" + input + "), 'null'))";
        };
    }

    /** Without it SQLite merges the inner query into the outer one and parses each record once per aggregate. */
    @Override
    public String aggregateSubquerySuffix() {
        return " LIMIT -1";
    }

    /** A Java function (registered on every connection) runs {@code FieldUpdates.apply} itself. */
    @Override
    public Sql fieldUpdate(String columnSql, List<FieldOperation> operations, String idSql) {
        return Sql.concat(
                "vellum_update(" + columnSql + ", ", Sql.bind(FieldOperation.json(operations)), ", " + idSql + ")");
    }

    /** SQLite keeps text as it is, so its stored size is its size; octet_length reads no more than its header. */
    @Override
    public String storedSmall(List<String> columns) {
        return "(" + storedSize(columns) + " <= 16384)";
    }

    @Override
    public String storedSize(List<String> columns) {
        return columns.stream()
                .map(c -> "COALESCE(octet_length(" + c + "), 0)")
                .collect(java.util.stream.Collectors.joining(" + "));
    }

    @Override
    public Sql guardSize(Sql fields, String idSql, long maxBytes) {
        return Sql.concat("vellum_guard_size(", fields, ", " + maxBytes + ", " + idSql + ")");
    }

    @Override
    public String fieldUpdateFailure(SQLException e) {
        return SqliteFunctions.updateFailure(e);
    }

    @Override
    public Instant readInstant(java.sql.ResultSet row, int column) throws SQLException {
        return Timestamps.parse(row.getString(column));
    }

    @Override
    public Object cursorParam(SortExpression.Kind kind, JsonNode value) {
        return value.isNumber() ? number(JsonValues.number(value)) : value.textValue();
    }

    /** SQLite compares a bound BigDecimal as text; numbers must be bound as INTEGER or REAL. */
    static Object number(BigDecimal n) {
        try {
            return n.longValueExact();
        } catch (ArithmeticException e) {
            return n.doubleValue();
        }
    }

    @Override
    public long bulkInsert(Connection connection, String table, Iterator<Record> records) throws SQLException {
        String row = "(" + String.join(", ", Collections.nCopies(RecordTable.COLUMNS.size(), "?")) + ")";
        String prefix = "INSERT INTO " + table + " (" + RecordTable.selectList() + ") VALUES ";
        long count = 0;
        List<Record> chunk = new ArrayList<>(ROWS_PER_INSERT);
        try (PreparedStatement full =
                connection.prepareStatement(prefix + String.join(", ", Collections.nCopies(ROWS_PER_INSERT, row)))) {
            while (records.hasNext()) {
                chunk.add(records.next());
                if (chunk.size() == ROWS_PER_INSERT) {
                    bind(full, chunk);
                    full.executeUpdate();
                    count += chunk.size();
                    chunk.clear();
                }
            }
        }
        if (!chunk.isEmpty()) {
            try (PreparedStatement rest =
                    connection.prepareStatement(prefix + String.join(", ", Collections.nCopies(chunk.size(), row)))) {
                bind(rest, chunk);
                rest.executeUpdate();
                count += chunk.size();
            }
        }
        return count;
    }

    private static void bind(PreparedStatement statement, List<Record> chunk) throws SQLException {
        Binder binder = new Binder(statement);
        for (Record r : chunk) {
            RecordTable.write(r, binder);
        }
    }

    /** Binds rows' values one after another; a load's records mostly share their timestamps, formatted once. */
    private static final class Binder implements RecordTable.ColumnWriter {
        private final PreparedStatement statement;
        private int index = 1;
        private Instant formatted;
        private String text;

        Binder(PreparedStatement statement) {
            this.statement = statement;
        }

        @Override
        public void id(String id) throws SQLException {
            statement.setString(index++, id);
        }

        @Override
        public void document(com.fasterxml.jackson.databind.node.ObjectNode document) throws SQLException {
            statement.setString(index++, document.isEmpty() ? "{}" : JsonValues.write(document));
        }

        @Override
        public void version(long version) throws SQLException {
            statement.setLong(index++, version);
        }

        @Override
        public void timestamp(Instant instant) throws SQLException {
            if (!instant.equals(formatted)) {
                formatted = instant;
                text = Timestamps.format(instant);
            }
            statement.setString(index++, text);
        }
    }

    @Override
    public List<String> createIndex(String table, String indexName, List<FieldPath> paths, boolean unique) {
        String columns = paths.stream()
                .map(p -> indexKey(
                        RecordTable.documentOf(p),
                        SQL.literal(SqliteDialect.jsonPath(p.keys().toArray(String[]::new)))))
                .collect(Collectors.joining(", "));
        return List.of("CREATE " + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + indexName + " ON " + table
                + " (" + columns + ")");
    }

    /**
     * The indexed value of a path: json_extract, except that booleans become one-byte blobs, so a unique index
     * never takes {@code true} for the number 1 (json_extract returns 1 for both).
     */
    static String indexKey(String column, String path) {
        return "(CASE json_type(" + column + ", " + path + ") WHEN 'true' THEN X'01' WHEN 'false' THEN X'00' "
                + "ELSE json_extract(" + column + ", " + path + ") END)";
    }

    @Override
    public List<String> dropIndex(String indexName) {
        return List.of("DROP INDEX IF EXISTS " + indexName);
    }

    @Override
    public String createDocumentIndex(String table, String indexName) {
        return null;
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            return code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                    || code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE;
        }
        return false;
    }

    @Override
    public String explain(String sql) {
        return "EXPLAIN QUERY PLAN " + sql;
    }

    /** What {@code json_type} says for each JSON type. */
    private static final Map<JsonType, List<String>> TYPE_NAMES = new EnumMap<>(Map.of(
            JsonType.NUMBER, List.of("integer", "real"),
            JsonType.STRING, List.of("text"),
            JsonType.BOOLEAN, List.of("true", "false"),
            JsonType.ARRAY, List.of("array"),
            JsonType.OBJECT, List.of("object")));

    /** A path into a JSON text column. */
    private static final class JsonPath implements PathSql {
        private final String column;
        private final String path;
        private final String type;
        private final String value;
        /** The SQL value: text for strings, numbers, 1/0 for booleans, JSON text for arrays and objects. */
        private final String extract;
        /** The value as JSON text whatever its type: SQLite may evaluate a function before the type test guarding it. */
        private final String json;

        JsonPath(String column, String path) {
            this.column = column;
            this.path = path;
            this.type = "json_type(" + column + ", " + path + ")";
            this.value = indexKey(column, path);
            this.extract = "json_extract(" + column + ", " + path + ")";
            this.json = "(" + column + " -> " + path + ")";
        }

        @Override
        public Sql absent() {
            return Sql.of(absentTest());
        }

        private String absentTest() {
            return "(COALESCE(" + type + ", 'null') = 'null')";
        }

        @Override
        public Sql isType(JsonType t) {
            return Sql.of(typeTest(t));
        }

        private String typeTest(JsonType t) {
            return "(" + type + " IN ("
                    + TYPE_NAMES.get(t).stream().map(n -> "'" + n + "'").collect(Collectors.joining(", ")) + "))";
        }

        @Override
        public Sql compare(String op, JsonNode scalar) {
            if (scalar.isBoolean()) {
                // json_type spells booleans 'false' and 'true', which sort as false < true
                return Sql.of(
                        "(" + typeTest(JsonType.BOOLEAN) + " AND " + type + " " + op + " ?)",
                        scalar.booleanValue() ? "true" : "false");
            }
            JsonType t = JsonType.of(scalar);
            if (t == JsonType.NUMBER) {
                // SQLite orders NULL < numbers < text < blobs, and the indexed value is a number only for JSON
                // numbers (booleans are blobs, arrays and objects text): bounds on it need no type test.
                return Sql.of(
                        "(" + value + " " + op + " ?" + (op.startsWith(">") ? " AND " + value + " < ''" : "") + ")",
                        number(JsonValues.number(scalar)));
            }
            if (op.equals("=")
                    && !scalar.textValue().startsWith("[")
                    && !scalar.textValue().startsWith("{")) {
                // The indexed value is text only for strings and for the JSON of arrays and objects, which starts
                // with [ or {: equality with any other text needs no type test (and stays index-only for count).
                return Sql.of("(" + value + " = ?)", scalar.textValue());
            }
            return Sql.of("(" + typeTest(t) + " AND " + value + " " + op + " ?)", scalar.textValue());
        }

        /** Two number bounds exclude text and blobs by themselves; one index range, nothing evaluated per row. */
        @Override
        public Sql between(JsonNode low, JsonNode high) {
            if (!low.isNumber()) {
                return PathSql.super.between(low, high);
            }
            return Sql.of(
                    "(" + value + " >= ? AND " + value + " <= ?)",
                    number(JsonValues.number(low)),
                    number(JsonValues.number(high)));
        }

        @Override
        public Sql equalsJson(JsonNode v) {
            return Sql.of(
                    "(" + typeTest(JsonType.of(v)) + " AND vellum_canon(" + json + ") = ?)", JsonValues.canonical(v));
        }

        @Override
        public Sql like(String pattern, boolean fold) {
            return Sql.of(
                    "(" + typeTest(JsonType.STRING) + " AND " + (fold ? "vellum_fold(" + extract + ")" : extract)
                            + " GLOB ?)",
                    SqliteGlob.fromLike(pattern));
        }

        @Override
        public Sql startsWith(String prefix) {
            return Sql.of(
                    "(" + typeTest(JsonType.STRING) + " AND substr(" + extract + ", 1, ?) = ?)",
                    prefix.codePointCount(0, prefix.length()),
                    prefix);
        }

        @Override
        public Sql regex(RegexPattern regex) {
            return Sql.of("(" + typeTest(JsonType.STRING) + " AND regexp(?, " + extract + "))", regex.java());
        }

        @Override
        public Sql containsElement(JsonNode v) {
            Sql match;
            if (JsonValues.isAbsent(v)) {
                match = Sql.of("e.type = 'null'");
            } else if (v.isBoolean()) {
                match = Sql.of("e.type = '" + v.booleanValue() + "'");
            } else if (v.isNumber()) {
                match = Sql.of("e.type IN ('integer', 'real') AND e.value = ?", number(JsonValues.number(v)));
            } else if (v.isTextual()) {
                match = Sql.of("e.type = 'text' AND e.value = ?", v.textValue());
            } else {
                // json_quote keeps an element's JSON as it is and quotes a string, so the function always gets JSON
                match = Sql.of(
                        "e.type = '" + (v.isArray() ? "array" : "object")
                                + "' AND vellum_canon(json_quote(e.value)) = ?",
                        JsonValues.canonical(v));
            }
            return Sql.concat(
                    "(" + typeTest(JsonType.ARRAY) + " AND EXISTS (SELECT 1 FROM json_each(" + column + ", " + path
                            + ") e WHERE ",
                    match,
                    "))");
        }

        @Override
        public Optional<SortExpression> typedSortKey(JsonType t) {
            return Optional.of(new SortExpression(
                    value, t == JsonType.NUMBER ? SortExpression.Kind.NUMBER : SortExpression.Kind.TEXT, true));
        }

        @Override
        public List<SortExpression> sortKeys() {
            return List.of(
                    new SortExpression(absentTest(), SortExpression.Kind.INTEGER, false),
                    new SortExpression(JsonType.rankCase(type, TYPE_NAMES::get), SortExpression.Kind.INTEGER, true),
                    new SortExpression(
                            "(CASE " + type + " WHEN 'integer' THEN " + extract + " WHEN 'real' THEN " + extract
                                    + " WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)",
                            SortExpression.Kind.NUMBER,
                            true),
                    new SortExpression(
                            "(CASE " + type + " WHEN 'text' THEN " + extract + " WHEN 'array' THEN vellum_canon(" + json
                                    + ") WHEN 'object' THEN vellum_canon(" + json + ") END)",
                            SortExpression.Kind.TEXT,
                            true));
        }
    }

    /** A system column: text columns are plain text, so the JSON-path machinery is not needed. */
    private static final class Column extends SystemColumnSql {
        Column(String column, JsonType type, SortExpression.Kind kind) {
            super(column, type, kind);
        }

        @Override
        protected Object bind(JsonNode scalar) {
            return type == JsonType.NUMBER ? number(JsonValues.number(scalar)) : scalar.textValue();
        }

        @Override
        protected Sql textLike(String pattern, boolean fold) {
            return Sql.of(
                    "(" + (fold ? "vellum_fold(" + column + ")" : column) + " GLOB ?)", SqliteGlob.fromLike(pattern));
        }

        @Override
        protected Sql textStartsWith(String prefix) {
            return Sql.of("(substr(" + column + ", 1, ?) = ?)", prefix.codePointCount(0, prefix.length()), prefix);
        }

        @Override
        protected Sql textRegex(RegexPattern regex) {
            return Sql.of("regexp(?, " + column + ")", regex.java());
        }
    }
}
