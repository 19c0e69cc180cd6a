package dev.vellum.spi;

import java.sql.SQLException;
import java.util.List;

/**
 * Aggregations in SQL, for a backend that has them ({@link RecordDialect#aggregates}). The engine turns the per-group
 * values into accumulators: the statement is {@code SELECT <group keys>, <aggregates> FROM (SELECT <keys and inputs>
 * FROM table WHERE … <aggregateSubquerySuffix>) GROUP BY …}, each path read once per row in the inner query
 * ({@link #aggregateInput}), and each aggregate reading that input column.
 */
public interface AggregateSql {
    /** The per-group values a backend computes. */
    enum Aggregate {
        /** The exact sum of the numbers as a decimal (NULL when none), read as text. */
        SUM,
        /** How many numbers; asked beside a {@link #SUM} of the same input (an average), in the same form. */
        NUMBERS,
        /** The smallest number, string or boolean in sort order (numbers, strings, booleans), as JSON text. */
        MIN,
        /** The largest, as {@link #MIN}. */
        MAX,
        /** How many distinct present values, equal as filters compare them. */
        COUNT_DISTINCT;

        /** What a {@link #fastAggregate} MIN or MAX may answer instead of a value when the data did not suit it. */
        public static final String INEXACT = "inexact";
    }

    /**
     * The value at a path of the JSON column {@code column} as a grouping expression: NULL when missing or null (or
     * reached through a value that is not an object), otherwise JSON text (a binary JSON value where the backend has
     * one) such that {@code GROUP BY} puts exactly the equal values together (numbers by value, objects regardless of
     * key order).
     */
    String groupValue(String column, List<String> keys);

    /**
     * A cheaper group key than {@link #groupValue}, checked by the engine for exactness.
     *
     * @param key     the SQL expression to group by: NULL for missing and null
     * @param json    true when {@code key} is JSON text (the engine accepts any value, and runs the exact form when
     *                two groups hold equal values written two ways, such as {@code 1} and {@code 1.0}); false when
     *                it is the value as text (a string's own text, a number's digits, {@code true}, an array's
     *                JSON…), which the engine accepts only where it cannot be the text of anything but a string: not
     *                a JSON number, {@code true}/{@code false}, or text starting with {@code [} or <code>{</code>
     */
    record FastGroupKey(String key, boolean json) {}

    /** A {@link FastGroupKey} for a path, or null when the backend has none. */
    default FastGroupKey fastGroupKey(String column, List<String> keys) {
        return null;
    }

    /** The per-row input of aggregates over a path (its JSON value, read once per row in the inner query). */
    String aggregateInput(String column, List<String> keys);

    /** An aggregate over the input column {@code input} ({@link #aggregateInput}), by the rules of {@link Aggregate}. */
    String aggregate(Aggregate aggregate, String input);

    /**
     * A cheaper form of an aggregate for the usual data (a path that holds numbers), or null where the backend has
     * none. The engine checks what it answers: a floating-point {@link Aggregate#SUM} (say SQLite adding decimals in
     * doubles) is not exact, a MIN or MAX that answers {@link Aggregate#INEXACT} and an error
     * {@link #isFastAggregateFailure} recognizes (a numeric cast that met a string, an integer sum that overflowed)
     * say the data did not suit it; either way that path's aggregates then run in their exact form.
     */
    default String fastAggregate(Aggregate aggregate, String input) {
        return null;
    }

    /**
     * The per-row input of a {@link #fastAggregate}, read once per row in the inner query, or null for
     * {@link #aggregateInput}'s: say the value as a number where the database can test its type on the parsed
     * record, so the outer aggregate is the database's own. A dialect that names one has a fast form for that
     * aggregate, which then receives it.
     */
    default String fastAggregateInput(Aggregate aggregate, String column, List<String> keys) {
        return null;
    }

    /** True when the error is a {@link #fastAggregate} meeting data it does not suit (not a fault). */
    default boolean isFastAggregateFailure(SQLException e) {
        return false;
    }

    /**
     * What ends the inner query of an aggregation: where a database would otherwise merge it into the outer one and
     * read each path once per aggregate (SQLite: LIMIT -1), a clause that keeps it apart. (PostgreSQL's OFFSET 0
     * would do it too, but makes the plan serial: merged, the scan runs in parallel workers.)
     */
    default String aggregateSubquerySuffix() {
        return "";
    }
}
