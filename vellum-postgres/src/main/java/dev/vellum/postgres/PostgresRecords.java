package dev.vellum.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.FieldPath;
import dev.vellum.Json;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The record store on PostgreSQL: JSONB columns; a path's value is {@code NULLIF(col -> 'a' -> 'b', 'null')}, so
 * missing and JSON null are both SQL NULL (and never collide in a unique index); strings compare with
 * {@code COLLATE "C"} (code-point order); bulk loads use COPY.
 */
final class PostgresRecords implements FullRecordDialect {

    private static final PostgresDialect SQL = new PostgresDialect();

    /** PostgreSQL 14 and later keep statistics on an expression ({@code CREATE STATISTICS … ON (expr)}). */
    private final boolean expressionStatistics;
    /** PostgreSQL 14 and later say whether a value is stored compressed ({@code pg_column_compression}). */
    private final boolean compressionVisible;

    /** PostgreSQL 18 casts a JSON null to a NULL number, where earlier majors fail the cast. */
    private final boolean jsonNullCastsToNull;

    PostgresRecords(int serverVersion) {
        this.expressionStatistics = serverVersion >= 140000;
        this.compressionVisible = serverVersion >= 140000;
        this.jsonNullCastsToNull = serverVersion >= 180000;
    }

    @Override
    public List<String> createCollection(String table, String tombstones) {
        return List.of(
                RecordTable.createTable(SQL.quote(table), RecordTable.SCHEMA, PostgresRecords::columnType, ""),
                RecordTable.createTable(
                        SQL.quote(tombstones), RecordTable.TOMBSTONE_SCHEMA, PostgresRecords::columnType, ""));
    }

    /** Ids in binary order whatever the database's collation. */
    private static String columnType(RecordTable.Kind kind) {
        return switch (kind) {
            case ID -> "TEXT COLLATE \"C\" PRIMARY KEY";
            case DOCUMENT -> "JSONB NOT NULL";
            case VERSION -> "BIGINT NOT NULL";
            case TIMESTAMP -> "TIMESTAMPTZ NOT NULL";
        };
    }

    /**
     * Read by a volatile function, which sees what committed after the statement began: a re-insert that waited for
     * a concurrent delete's commit on the feed's lock then sees that delete's tombstone. Without a feed nothing
     * orders the two before the insert meets the deleted row in the unique index, after its version was computed:
     * so the id is first passed through a {@code FOR KEY SHARE} lock of the live row, which waits for a delete in
     * progress to end (and finds the row gone when it committed) before the function reads the tombstone.
     */
    @Override
    public Sql versionAfterTombstone(String table, String tombstones, String id) {
        return Sql.of(
                "vellum_version_after_tombstone(" + SQL.literal(tombstones) + "::regclass, (SELECT p.id FROM (SELECT "
                        + "CAST(? AS text) AS id) p LEFT JOIN LATERAL (SELECT 1 FROM " + table + " r WHERE r.id = p.id "
                        + "FOR KEY SHARE) l ON TRUE))",
                id);
    }

    @Override
    public Sql deleteWithTombstones(String table, String tombstones, Sql where) {
        return Sql.concat(
                "WITH gone AS (DELETE FROM " + table + " WHERE ",
                where,
                " RETURNING id, version) INSERT INTO " + tombstones + " (id, version) SELECT id, version + 1 FROM "
                        + "gone ON CONFLICT (id) DO UPDATE SET version = excluded.version");
    }

    /** Migration V9: writers append to a pending table; this numbers what has committed. */
    @Override
    public String sequenceChanges() {
        return "SELECT vellum_sequence_changes(TRUE)";
    }

    /**
     * Every run of the sequencer deletes what it numbered; until autovacuum comes by (a minute apart by default) the
     * next runs would read through those dead rows.
     */
    @Override
    public String pendingUpkeep() {
        return "VACUUM vellum_changes_pending";
    }

    @Override
    public String ownChangesTable() {
        return "vellum_changes_pending";
    }

    @Override
    public Sql ownChanges(long headBefore) {
        return Sql.of("tx = txid_current()");
    }

    /** Per-table trigger names: PostgreSQL scopes them to their table ({@code vellum_feed_lock}: before V9). */
    private static final List<String> FEED_TRIGGERS =
            List.of("vellum_feed_lock", "vellum_feed_insert", "vellum_feed_update", "vellum_feed_delete");

    @Override
    public List<String> captureChanges(String table, String collection) {
        String on = " ON " + SQL.quote(table);
        String capture = " FOR EACH STATEMENT EXECUTE FUNCTION vellum_feed_capture(" + SQL.literal(collection) + ")";
        List<String> ddl = new java.util.ArrayList<>(stopCapturingChanges(table, collection));
        ddl.add("CREATE TRIGGER vellum_feed_insert AFTER INSERT" + on + " REFERENCING NEW TABLE AS vellum_new"
                + capture);
        ddl.add("CREATE TRIGGER vellum_feed_update AFTER UPDATE" + on + " REFERENCING NEW TABLE AS vellum_new"
                + capture);
        ddl.add("CREATE TRIGGER vellum_feed_delete AFTER DELETE" + on + " REFERENCING OLD TABLE AS vellum_old"
                + capture);
        return ddl;
    }

    @Override
    public List<String> stopCapturingChanges(String table, String collection) {
        return FEED_TRIGGERS.stream()
                .map(t -> "DROP TRIGGER IF EXISTS " + t + " ON " + SQL.quote(table))
                .toList();
    }

    @Override
    public String emptyObject() {
        return "'{}'::jsonb";
    }

    @Override
    public PathSql path(String column, List<String> keys) {
        return new JsonPath(value(column, keys), column);
    }

    /**
     * A chain of {@code ->} with text keys: each step reads an object member and gives SQL NULL on an array or a
     * scalar, so an integer-like key never reads an array element (a path through an array matches nothing). Cheaper
     * to evaluate and to plan than {@code #>} with a path array, which is rebuilt on every call.
     */
    static String value(String column, List<String> keys) {
        return "NULLIF(" + chain(column, keys) + ", 'null'::jsonb)";
    }

    private static String chain(String column, List<String> keys) {
        StringBuilder extract = new StringBuilder(column);
        for (String key : keys) {
            extract.append(" -> ").append(SQL.literal(key));
        }
        return extract.toString();
    }

    @Override
    public PathSql system(FieldPath.Kind kind) {
        return switch (kind) {
            case ID -> new Column("id", "id", JsonType.STRING, SortExpression.Kind.ID);
            case VERSION -> new Column("version", "version::text", JsonType.NUMBER, SortExpression.Kind.VERSION);
            case CREATED_AT ->
                new Column("created_at", iso("created_at"), JsonType.STRING, SortExpression.Kind.TIMESTAMP);
            case UPDATED_AT ->
                new Column("updated_at", iso("updated_at"), JsonType.STRING, SortExpression.Kind.TIMESTAMP);
            default -> throw new IllegalArgumentException(kind + " is not a system field");
        };
    }

    /** The wire form of a timestamp column, for like, startsWith and regex on it. */
    private static String iso(String column) {
        return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    }

    @Override
    public Sql mergePatch(String columnSql, Sql patch, boolean shallow) {
        return shallow
                ? Sql.concat("(" + columnSql + " || ", patch, ")")
                : Sql.concat("vellum_merge_patch(" + columnSql + ", ", patch, ")");
    }

    /** jsonb: its equality is by value (1 = 1.0, key order ignored), so GROUP BY groups exactly the equal values. */
    @Override
    public String groupValue(String column, List<String> keys) {
        return value(column, keys);
    }

    /**
     * {@code ->>} text (hashed about twice as fast as jsonb): a number, boolean, array or object reads as text that
     * looks like one, which the engine refuses, so a key that does not look like one was a string in every row.
     */
    @Override
    public FastGroupKey fastGroupKey(String column, List<String> keys) {
        return new FastGroupKey(
                chain(column, keys.subList(0, keys.size() - 1)) + " ->> " + SQL.literal(keys.get(keys.size() - 1)),
                false);
    }

    /**
     * Plain numeric casts, which fail on anything but a number: no type test per row. The count of numbers comes
     * beside the sum's cast (an average), which has then vouched for every value: up to PostgreSQL 17 it counts the
     * values as they are (a cast costs as much as the rest of the row); from 18, where a JSON null casts to NULL, it
     * counts the casts. This comes within a few percent of the hand-written {@code avg((fields->>'age')::numeric)}
     * (docs/benchmarks.md, "Aggregations").
     */
    @Override
    public String fastAggregate(Aggregate aggregate, String v) {
        String number = "(" + v + ")::numeric";
        return switch (aggregate) {
            case SUM -> "sum(" + number + ")";
            case NUMBERS -> "count(" + (jsonNullCastsToNull ? number : v) + ")";
            case MIN -> "to_jsonb(min(" + number + "))";
            case MAX -> "to_jsonb(max(" + number + "))";
            case COUNT_DISTINCT -> null;
        };
    }

    /**
     * "cannot cast jsonb string to type numeric" (and boolean, array, object, null), told by its SQLSTATE alone: the
     * message may be in the server's language. Another fault with this state fails the exact form in turn.
     */
    @Override
    public boolean isFastAggregateFailure(SQLException e) {
        return "22023".equals(e.getSQLState());
    }

    /** jsonb, its missing values and JSON null alike left out by the type tests of the aggregates. */
    @Override
    public String aggregateInput(String column, List<String> keys) {
        return chain(column, keys);
    }

    /** numeric sums and extremes are exact; strings compare by code point. */
    @Override
    public String aggregate(Aggregate aggregate, String v) {
        String number = " FILTER (WHERE jsonb_typeof(" + v + ") = 'number')";
        String text = " FILTER (WHERE jsonb_typeof(" + v + ") = 'string')";
        String bool = " FILTER (WHERE jsonb_typeof(" + v + ") = 'boolean')";
        String asText = "((" + v + " #>> '{}') COLLATE \"C\")";
        return switch (aggregate) {
            // CASE rather than FILTER: measured cheaper for the hot sum
            case SUM -> "sum(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::numeric END)";
            case NUMBERS -> "count(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN 1 END)";
            // the first type in sort order that has a value: numbers, then strings, then booleans
            case MIN ->
                "COALESCE(to_jsonb(min((" + v + ")::numeric)" + number + "), to_jsonb(min(" + asText + ")" + text
                        + "), to_jsonb(bool_and((" + v + ")::boolean)" + bool + "))";
            case MAX ->
                "COALESCE(to_jsonb(bool_or((" + v + ")::boolean)" + bool + "), to_jsonb(max(" + asText + ")" + text
                        + "), to_jsonb(max((" + v + ")::numeric)" + number + "))";
            case COUNT_DISTINCT -> "count(DISTINCT NULLIF(" + v + ", 'null'::jsonb))";
        };
    }

    /** The functions of migration V7 run the operators, with {@code FieldUpdates.apply}'s rules. */
    @Override
    public Sql fieldUpdate(String columnSql, List<FieldOperation> operations, String idSql) {
        return InlineFieldOperators.render(columnSql, operations, idSql)
                .orElseGet(() -> Sql.concat(
                        "vellum_update(" + columnSql + ", ",
                        Sql.bind(FieldOperation.json(operations)),
                        ", " + idSql + ")"));
    }

    /** Migration V8's function: the fields' size as compact JSON text, as Java counts it elsewhere. */
    @Override
    public Sql guardSize(Sql fields, String idSql, long maxBytes) {
        return Sql.concat("vellum_guard_size(", fields, ", " + maxBytes + ", " + idSql + ")");
    }

    @Override
    public String fieldUpdateFailure(SQLException e) {
        if ("VLU01".equals(e.getSQLState())
                && e instanceof org.postgresql.util.PSQLException p
                && p.getServerErrorMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return null;
    }

    /** jsonb in binary wire form (a driver set to receive it so) is its text after a version byte, 1. */
    @Override
    public ReadObject readSizedObject(java.sql.ResultSet row, int column) throws SQLException {
        byte[] bytes = row.getBytes(column);
        if (bytes == null) {
            return null;
        }
        int start = bytes.length > 0 && bytes[0] == 1 ? 1 : 0;
        return new ReadObject((ObjectNode) JsonValues.parse(bytes, start), bytes.length - start);
    }

    /**
     * Small as stored and not compressed (a compressed value can hold a hundred times its stored size); without
     * {@code pg_column_compression} (before 14), small as stored.
     */
    @Override
    public String storedSmall(List<String> columns) {
        StringBuilder sql = new StringBuilder("(").append(storedSize(columns)).append(" <= 2048");
        if (compressionVisible) {
            for (String column : columns) {
                sql.append(" AND pg_column_compression(").append(column).append(") IS NULL");
            }
        }
        return sql.append(")").toString();
    }

    @Override
    public String storedSize(List<String> columns) {
        return columns.stream()
                .map(c -> "COALESCE(pg_column_size(" + c + "), 0)")
                .collect(java.util.stream.Collectors.joining(" + "));
    }

    /** A page's larger rows are read after it, in the same snapshot (READ COMMITTED gives each statement its own). */
    @Override
    public String snapshotStatement() {
        return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
    }

    @Override
    public java.time.Instant readInstant(java.sql.ResultSet row, int column) throws SQLException {
        // pgjdbc reads a repeated statement's timestamps in binary; OffsetDateTime converts without text
        return row.getObject(column, java.time.OffsetDateTime.class).toInstant();
    }

    @Override
    public Object cursorParam(SortExpression.Kind kind, JsonNode value) {
        return switch (kind) {
            case INTEGER -> value.intValue();
            case NUMBER -> JsonValues.number(value);
            case VERSION -> value.longValue();
            case TIMESTAMP -> Timestamps.parse(value.textValue());
            case JSON -> Json.of(JsonValues.write(value));
            default -> value.textValue();
        };
    }

    /** COPY in binary format: see {@link BinaryCopy}. */
    @Override
    public long bulkInsert(Connection connection, String table, Iterator<Record> records) throws SQLException {
        CopyIn copy = connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("COPY " + table + " (" + RecordTable.selectList() + ") FROM STDIN (FORMAT binary)");
        long count = 0;
        try {
            BinaryCopy rows = new BinaryCopy(copy);
            RecordTable.ColumnWriter columns = new RecordTable.ColumnWriter() {
                @Override
                public void id(String id) {
                    rows.text(id);
                }

                @Override
                public void document(ObjectNode document) {
                    rows.jsonb(document);
                }

                @Override
                public void version(long version) {
                    rows.int8(version);
                }

                @Override
                public void timestamp(java.time.Instant instant) {
                    rows.timestamptz(instant);
                }
            };
            while (records.hasNext()) {
                rows.row(RecordTable.COLUMNS.size());
                RecordTable.write(records.next(), columns);
                count++;
                rows.flushIfFull();
            }
            rows.finish();
            return count;
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    @Override
    public List<String> createIndex(String table, String indexName, List<FieldPath> paths, boolean unique) {
        String columns = paths.stream()
                .map(p -> "(" + value(RecordTable.documentOf(p), p.keys()) + ")")
                .collect(Collectors.joining(", "));
        // A non-unique index ends with id, the tie-breaker of every sort, so sort + limit reads it in order.
        String jsonIndex = "CREATE " + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + indexName + " ON " + table
                + " (" + columns + (unique ? "" : ", id") + ")";
        if (unique || paths.size() > 1) {
            return List.of(jsonIndex);
        }
        // String ranges and prefixes compare text in code-point order: a second index serves them.
        FieldPath p = paths.get(0);
        String value = value(RecordTable.documentOf(p), p.keys());
        String textIndex = "CREATE INDEX IF NOT EXISTS " + suffixed(indexName, "_t") + " ON " + table + " (("
                + textOf(value) + "), id)";
        // Every string condition also tests the type; without statistics on that test the planner guesses it keeps
        // 0.5% of rows, and then sorts a wide string range instead of reading the text index in order. PostgreSQL 13
        // has no statistics on expressions, but ANALYZE keeps them for an expression index's column.
        String typeStatistics = expressionStatistics
                ? "CREATE STATISTICS IF NOT EXISTS " + suffixed(indexName, "_s") + " ON (" + typeOf(value) + ") FROM "
                        + table
                : "CREATE INDEX IF NOT EXISTS " + suffixed(indexName, "_s") + " ON " + table + " ((" + typeOf(value)
                        + "))";
        return List.of(jsonIndex, textIndex, typeStatistics);
    }

    /** The name of a companion object: the quoted index name with a suffix inside the quotes. */
    private static String suffixed(String quotedIndexName, String suffix) {
        return quotedIndexName.substring(0, quotedIndexName.length() - 1) + suffix + "\"";
    }

    /** {@code jsonb_typeof(value) = 'string'} and so on: the expression the statistics describe. */
    private static String typeTest(String value, JsonType type) {
        return "(" + typeOf(value) + " = '" + typeName(type) + "')";
    }

    private static String typeOf(String value) {
        return "jsonb_typeof(" + value + ")";
    }

    private static String textOf(String value) {
        return "(" + value + " #>> '{}') COLLATE \"C\"";
    }

    /** 2: paths as {@code ->} chains (form 1 used {@code #>} with a path array) and type statistics. */
    @Override
    public int indexForm() {
        return 2;
    }

    @Override
    public List<String> dropIndex(String indexName) {
        String dropIndexes = "DROP INDEX IF EXISTS " + indexName + ", " + suffixed(indexName, "_t");
        return expressionStatistics
                ? List.of(dropIndexes, "DROP STATISTICS IF EXISTS " + suffixed(indexName, "_s"))
                : List.of(dropIndexes + ", " + suffixed(indexName, "_s"));
    }

    @Override
    public String createDocumentIndex(String table, String indexName) {
        return "CREATE INDEX IF NOT EXISTS " + indexName + " ON " + table + " USING GIN (fields jsonb_path_ops)";
    }

    /**
     * {@code fields @> {"a":{"b":v}}} (or {@code {"a":{"b":[v]}}} for contains): true for every record whose value
     * at the path equals (contains) v, and for some more (containment also looks into arrays), so it only narrows
     * the rows the exact condition then checks.
     */
    @Override
    public Sql containment(List<String> keys, JsonNode value, boolean element) {
        JsonNode inner = element ? JsonValues.NODES.arrayNode().add(value) : value;
        for (int i = keys.size() - 1; i >= 0; i--) {
            inner = JsonValues.NODES.objectNode().set(keys.get(i), inner);
        }
        return Sql.of("(fields @> ?)", jsonb(inner));
    }

    @Override
    public boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** SQLSTATE 54000 program_limit_exceeded: an index row past the B-tree's limit (about a third of a page). */
    @Override
    public boolean isIndexEntryTooLarge(SQLException e) {
        return "54000".equals(e.getSQLState());
    }

    @Override
    public String explain(String sql) {
        return "EXPLAIN " + sql;
    }

    /**
     * The same folding on every server version and collation: the function migrations V4 and V5 define, compared
     * by code point whatever the database's collation.
     */
    private static String fold(String text) {
        return "(vellum_fold(" + text + ") COLLATE \"C\")";
    }

    /** A path into a JSONB column. */
    private final class JsonPath implements PathSql {
        private final String v;
        private final String text;

        JsonPath(String value, String column) {
            this.v = value;
            this.text = textOf(value);
        }

        @Override
        public Sql absent() {
            return Sql.of("(" + v + " IS NULL)");
        }

        @Override
        public Sql isType(JsonType type) {
            return Sql.of(typeTest(v, type));
        }

        @Override
        public Sql compare(String op, JsonNode scalar) {
            JsonType type = JsonType.of(scalar);
            if (type == JsonType.STRING && !op.equals("=")) {
                return Sql.of("(" + typeTest(v, type) + " AND " + text + " " + op + " ?)", scalar.textValue());
            }
            // jsonb equality is type-strict and compares numbers by value; within one type jsonb order is the
            // value order for numbers and booleans.
            Json bound = jsonb(scalar);
            if (op.equals("=")) {
                return Sql.of("(" + v + " = ?)", bound);
            }
            if (type == JsonType.NUMBER && op.startsWith(">")) {
                // In jsonb order every boolean, array and object sorts above every number: a plain range on the
                // indexed expression, which the planner estimates from the index statistics.
                return Sql.of("(" + v + " " + op + " ? AND " + v + " < 'false'::jsonb)", bound);
            }
            return Sql.of("(" + typeTest(v, type) + " AND " + v + " " + op + " ?)", bound);
        }

        /** Strings sort below numbers and booleans above them in jsonb order: two number bounds need no type test. */
        @Override
        public Sql between(JsonNode low, JsonNode high) {
            if (!low.isNumber()) {
                return PathSql.super.between(low, high);
            }
            return Sql.of("(" + v + " >= ? AND " + v + " <= ?)", jsonb(low), jsonb(high));
        }

        @Override
        public Sql equalsJson(JsonNode value) {
            return Sql.of("(" + v + " = ?)", jsonb(value));
        }

        @Override
        public Sql like(String pattern, boolean fold) {
            return Sql.of(
                    "(" + typeTest(v, JsonType.STRING) + " AND " + (fold ? fold("(" + v + " #>> '{}')") : text)
                            + " LIKE ? ESCAPE '\\')",
                    pattern);
        }

        @Override
        public Sql startsWith(String prefix) {
            return Sql.of("(" + typeTest(v, JsonType.STRING) + " AND starts_with(" + text + ", ?))", prefix);
        }

        @Override
        public Sql regex(RegexPattern regex) {
            return Sql.of("(" + typeTest(v, JsonType.STRING) + " AND " + text + " ~ ?)", regex.withEndOfText("$"));
        }

        @Override
        public Sql containsElement(JsonNode value) {
            // CASE, not AND: jsonb_array_elements raises an error on a non-array, and AND may run it first.
            return Sql.of(
                    "(CASE WHEN " + typeTest(v, JsonType.ARRAY) + " THEN EXISTS (SELECT 1 FROM jsonb_array_elements("
                            + v + ") AS e(x) WHERE e.x = ?) ELSE FALSE END)",
                    JsonValues.isAbsent(value) ? Json.of("null") : jsonb(value));
        }

        /** Numbers in jsonb order are in value order; strings use the code-point text expression. */
        @Override
        public Optional<SortExpression> typedSortKey(JsonType type) {
            return Optional.of(
                    type == JsonType.NUMBER
                            ? new SortExpression(v, SortExpression.Kind.JSON, true)
                            : new SortExpression(text, SortExpression.Kind.TEXT, true));
        }

        @Override
        public List<SortExpression> sortKeys() {
            String type = typeOf(v);
            return List.of(
                    new SortExpression(
                            "(CASE WHEN " + v + " IS NULL THEN 1 ELSE 0 END)", SortExpression.Kind.INTEGER, false),
                    new SortExpression(
                            JsonType.rankCase(type, t -> List.of(typeName(t))), SortExpression.Kind.INTEGER, true),
                    new SortExpression(
                            "(CASE " + type + " WHEN 'number' THEN (" + v + ")::numeric WHEN 'boolean' THEN "
                                    + "(CASE WHEN " + v + " = 'true'::jsonb THEN 1 ELSE 0 END) END)",
                            SortExpression.Kind.NUMBER,
                            true),
                    new SortExpression(
                            "(CASE " + type + " WHEN 'string' THEN " + text + " WHEN 'array' THEN "
                                    + "vellum_canon(" + v + ") COLLATE \"C\" WHEN 'object' THEN vellum_canon(" + v
                                    + ") COLLATE "
                                    + "\"C\" END)",
                            SortExpression.Kind.TEXT,
                            true));
        }
    }

    /** What {@code jsonb_typeof} says for a type. */
    private static String typeName(JsonType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private static Json jsonb(JsonNode value) {
        return Json.of(JsonValues.write(value));
    }

    /** A system column; {@code text} is its string form for pattern matching (timestamps in their wire form). */
    private final class Column extends SystemColumnSql {
        private final String text;
        private final SortExpression.Kind kind;

        Column(String column, String text, JsonType type, SortExpression.Kind kind) {
            super(column, type, kind);
            this.text = text;
            this.kind = kind;
        }

        @Override
        protected Object bind(JsonNode scalar) {
            return switch (kind) {
                case VERSION -> JsonValues.number(scalar);
                case TIMESTAMP -> Timestamps.parse(scalar.textValue());
                default -> scalar.textValue();
            };
        }

        @Override
        protected Sql textLike(String pattern, boolean fold) {
            return Sql.of("(" + (fold ? fold(text) : text + " COLLATE \"C\"") + " LIKE ? ESCAPE '\\')", pattern);
        }

        @Override
        protected Sql textStartsWith(String prefix) {
            return Sql.of("starts_with(" + text + ", ?)", prefix);
        }

        @Override
        protected Sql textRegex(RegexPattern regex) {
            return Sql.of("(" + text + " ~ ?)", regex.withEndOfText("$"));
        }
    }
}
