package dev.vellum.engine.sql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.Accumulator;
import dev.vellum.FieldPath;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.StorageException;
import dev.vellum.engine.Aggregates;
import dev.vellum.internal.JdbcDatabase.Access;
import dev.vellum.internal.JsonValues;
import dev.vellum.spi.AggregateSql;
import dev.vellum.spi.Sql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A collection's aggregation on a SQL backend. One {@code GROUP BY} statement computes every group's raw values
 * ({@link AggregateSql.Aggregate}); the shared {@link Aggregates} turns them into accumulators, one form and one
 * order for every backend. Grouping by a JSON value costs about twice grouping by text, and an exact aggregate that
 * tests each value's type more than the database's own, so a statement first uses the backend's cheaper keys and
 * aggregates where it has them ({@link AggregateSql#fastGroupKey}, {@link AggregateSql#fastAggregate}) and checks,
 * group by group, that they were exact for this data; the part that was not (the keys, or one path's aggregates) then
 * runs in its exact form, and is remembered for the next call.
 */
final class SqlAggregation {
    private final SqlStore store;
    private final String name;
    private final String table;
    /** The collection's WHERE condition for a filter. */
    private final Function<Filter, Sql> whereOf;

    SqlAggregation(SqlStore store, String name, String table, Function<Filter, Sql> where) {
        this.store = store;
        this.name = name;
        this.table = table;
        this.whereOf = where;
    }

    /** The groups of the request, exact. */
    List<Group> run(Aggregates.Request request) {
        Sql where = whereOf.apply(request.filter());
        if (!store.exists(name)) {
            return Aggregates.compute(List.of(), request);
        }
        List<AggregateSql.FastGroupKey> fastKeys = new ArrayList<>();
        for (FieldPath p : request.groupPaths()) {
            fastKeys.add(store.aggregates().fastGroupKey(SqlCollection.column(p), p.keys()));
        }
        String keysHint = name + " " + request.groupBy();
        boolean keysFast = !fastKeys.contains(null) && !store.inexactAggregates.contains(keysHint);
        Set<FieldPath> exactPaths = new java.util.HashSet<>();
        for (FieldPath p : request.accumulatorPaths().values()) {
            if (store.inexactAggregates.contains(name + " " + p)) {
                exactPaths.add(p);
            }
        }
        while (true) {
            Inexact inexact = new Inexact();
            List<AggregateSql.FastGroupKey> keysNow = keysFast ? fastKeys : null;
            try {
                // inside a transaction, a savepoint: a fast aggregate's failure must not abort the caller's work
                List<Group> groups = store.db.isInTransaction()
                        ? store.db.inTransaction(tx -> groups(request, where, keysNow, exactPaths, inexact))
                        : groups(request, where, keysNow, exactPaths, inexact);
                if (groups != null) {
                    return groups;
                }
            } catch (StorageException e) {
                if (!isFastAggregateFailure(e) || inexact.fastPaths.isEmpty()) {
                    throw e;
                }
                // which path's data did not suit its fast aggregate is unknown: all of them run exactly
                inexact.paths.addAll(inexact.fastPaths);
            }
            // each round turns at least one part exact, so this ends with the exact statement at the latest
            boolean progressed = false;
            if (inexact.keys && keysFast) {
                keysFast = false;
                progressed = true;
                rememberInexact(keysHint);
            }
            for (FieldPath p : inexact.paths) {
                if (exactPaths.add(p)) {
                    progressed = true;
                    rememberInexact(name + " " + p);
                }
            }
            if (!progressed) {
                throw new IllegalStateException("The exact form of an aggregation reported itself inexact");
            }
        }
    }

    private void rememberInexact(String hint) {
        if (store.inexactAggregates.size() < 10_000) {
            store.inexactAggregates.add(hint);
        }
    }

    /** The parts of a fast statement that were not exact for the data it read. */
    private static final class Inexact {
        /** The paths whose aggregates the statement ran in a fast form. */
        final Set<FieldPath> fastPaths = new java.util.HashSet<>();

        boolean keys;
        final Set<FieldPath> paths = new java.util.HashSet<>();
    }

    private static final java.util.regex.Pattern JSON_NUMBER =
            java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

    /** Text that a number, boolean, array or object would also read as (so the group may mix types). */
    private static boolean couldBeAnotherType(String text) {
        return text.equals("true")
                || text.equals("false")
                || text.startsWith("[")
                || text.startsWith("{")
                || JSON_NUMBER.matcher(text).matches();
    }

    private boolean isFastAggregateFailure(StorageException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException s && store.aggregates().isFastAggregateFailure(s)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The groups by one statement: with {@code fastKeys} (else the exact keys) and the fast aggregates for every path
     * not in {@code exactPaths}; null when a fast part was not exact for this data, which {@code inexact} then names.
     */
    private List<Group> groups(
            Aggregates.Request request,
            Sql where,
            List<AggregateSql.FastGroupKey> fastKeys,
            Set<FieldPath> exactPaths,
            Inexact inexact) {
        AggregateSql dialect = store.aggregates();
        // inner: each key and each accumulator's path read once per row; outer: group and aggregate those columns
        List<String> inner = new ArrayList<>();
        List<String> outer = new ArrayList<>();
        int keys = request.groupPaths().size();
        for (int i = 0; i < keys; i++) {
            FieldPath p = request.groupPaths().get(i);
            inner.add((fastKeys != null ? fastKeys.get(i).key() : dialect.groupValue(SqlCollection.column(p), p.keys()))
                    + " AS k" + i);
            outer.add("k" + i);
        }
        // each input column once, however many aggregates read it: the inner query computes it once per row
        Map<String, String> inputs = new LinkedHashMap<>();
        java.util.function.Function<String, String> input = expression -> inputs.computeIfAbsent(expression, e -> {
            String alias = "v" + inputs.size();
            inner.add(e + " AS " + alias);
            return alias;
        });
        for (Accumulator a : request.accumulators().values()) {
            if (a.kind() == Accumulator.Kind.COUNT) {
                outer.add("COUNT(*)");
                continue;
            }
            FieldPath p = request.path(a);
            String json = dialect.aggregateInput(SqlCollection.column(p), p.keys());
            List<AggregateSql.Aggregate> raw = switch (a.kind()) {
                case SUM -> List.of(AggregateSql.Aggregate.SUM);
                case AVG -> List.of(AggregateSql.Aggregate.SUM, AggregateSql.Aggregate.NUMBERS);
                default -> List.of(AggregateSql.Aggregate.valueOf(a.kind().name()));
            };
            for (AggregateSql.Aggregate r : raw) {
                String fast = null;
                if (!exactPaths.contains(p)) {
                    String fastInput = dialect.fastAggregateInput(r, SqlCollection.column(p), p.keys());
                    fast = dialect.fastAggregate(r, input.apply(fastInput != null ? fastInput : json));
                }
                if (fast != null) {
                    inexact.fastPaths.add(p);
                }
                outer.add(fast != null ? fast : dialect.aggregate(r, input.apply(json)));
            }
        }
        if (inner.isEmpty()) {
            inner.add("1 AS one");
        }
        String grouping = keys > 0 ? " GROUP BY " + String.join(", ", outer.subList(0, keys)) : "";
        Sql sql = Sql.concat(
                "SELECT " + aliases(outer) + " FROM (SELECT " + String.join(", ", inner) + " FROM " + table + " WHERE ",
                where,
                dialect.aggregateSubquerySuffix() + ") AS matching" + grouping + " LIMIT "
                        + (Aggregates.MAX_GROUPS + 1));
        // the groups' text counted as the database has it, and no more read than twice VELLUM_MAX_ANSWER_SIZE (the
        // JSON Java counts afterwards is never more than that), so a huge answer is refused before it is held
        long guard = 2 * store.limits.answerBytes() + 65_536;
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < outer.size(); i++) {
            columns.add("COALESCE(octet_length(CAST(g.a" + i + " AS TEXT)), 0)");
        }
        String rowBytes = String.join(" + ", columns);
        Sql guarded = Sql.concat(
                "SELECT * FROM (SELECT g.*, SUM(" + rowBytes + ") OVER (ROWS UNBOUNDED PRECEDING) AS vellum_bytes, "
                        + rowBytes + " AS vellum_row FROM (",
                sql,
                ") AS g) AS t WHERE vellum_bytes - vellum_row <= " + guard);
        long[] read = new long[1];
        List<Group> groups = store.db.read(db -> db.fetchAll(Access.READ, guarded, rs -> {
            read[0] = Math.max(read[0], rs.getLong(outer.size() + 1));
            return readGroup(rs, request, fastKeys, inexact);
        }));
        if (read[0] > guard) {
            throw Aggregates.tooLarge(store.limits.answerBytes());
        }
        if (groups.contains(null)) {
            return null;
        }
        if (groups.size() > Aggregates.MAX_GROUPS) {
            throw Aggregates.tooMany();
        }
        if (fastKeys != null && fastKeys.stream().anyMatch(AggregateSql.FastGroupKey::json) && !distinctKeys(groups)) {
            // equal values with different JSON texts (1 and 1.0, a string escaped two ways) made two groups; a text
            // key (a string's own text) cannot, so only JSON-text keys are looked at
            inexact.keys = true;
            return null;
        }
        return Aggregates.sorted(groups, request);
    }

    /** The columns of a SELECT list named a0, a1, … for a query around it. */
    private static String aliases(List<String> columns) {
        List<String> named = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            named.add(columns.get(i) + " AS a" + i);
        }
        return String.join(", ", named);
    }

    private static boolean distinctKeys(List<Group> groups) {
        Set<String> seen = new java.util.HashSet<>();
        for (Group g : groups) {
            if (!seen.add(JsonValues.canonical(g.key()))) {
                return false;
            }
        }
        return true;
    }

    /** One group; null when a fast part was not exact for it (noted in {@code inexact}). */
    private Group readGroup(
            java.sql.ResultSet rs,
            Aggregates.Request request,
            List<AggregateSql.FastGroupKey> fastKeys,
            Inexact inexact)
            throws SQLException {
        List<JsonNode> key = new ArrayList<>();
        int column = 1;
        for (int i = 0; i < request.groupPaths().size(); i++) {
            String value = rs.getString(column++);
            if (value == null) {
                key.add(null);
            } else if (fastKeys != null && !fastKeys.get(i).json()) {
                if (couldBeAnotherType(value)) {
                    inexact.keys = true; // "42" may hold the string "42" and the number 42 in one group
                    return null;
                }
                key.add(JsonValues.NODES.textNode(value));
            } else {
                key.add(JsonValues.parse(value)); // fast JSON text: equal values in two groups are caught after
            }
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Map.Entry<String, Accumulator> e : request.accumulators().entrySet()) {
            Aggregates.Raw raw = new Aggregates.Raw();
            Accumulator.Kind kind = e.getValue().kind();
            switch (kind) {
                case COUNT -> raw.count = rs.getLong(column++);
                case COUNT_DISTINCT -> raw.distinctCount = rs.getLong(column++);
                case SUM, AVG -> {
                    Object sum = rs.getObject(column++);
                    if (sum instanceof Double || sum instanceof Float) {
                        inexact.paths.add(request.path(e.getValue())); // a floating-point sum: not exact
                        return null;
                    }
                    raw.sum = sum == null ? java.math.BigDecimal.ZERO : new java.math.BigDecimal(sum.toString());
                    if (kind == Accumulator.Kind.AVG) {
                        raw.numbers = rs.getLong(column++);
                    }
                }
                case MIN, MAX -> {
                    String json = rs.getString(column++);
                    if (AggregateSql.Aggregate.INEXACT.equals(json)) {
                        inexact.paths.add(request.path(e.getValue())); // the data did not suit the fast form
                        return null;
                    }
                    JsonNode v = json == null ? null : JsonValues.parse(json);
                    raw.min = v;
                    raw.max = v;
                }
            }
            values.put(e.getKey(), raw.result(kind));
        }
        return Aggregates.group(request, key, values);
    }
}
