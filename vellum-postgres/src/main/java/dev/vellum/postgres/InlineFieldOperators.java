package dev.vellum.postgres;

import dev.vellum.Json;
import dev.vellum.VellumJson;
import dev.vellum.spi.FieldOperation;
import dev.vellum.spi.Sql;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@code $set}, {@code $unset} and {@code $inc} on top-level fields as plain SQL expressions, the way one would write
 * the UPDATE by hand ({@code jsonb_set}, {@code -}), instead of a call of migration V7's PL/pgSQL {@code
 * vellum_update} per row. Each keeps that function's results exactly, failures and their messages included: where
 * an operator's case is not one of these, the function runs.
 */
final class InlineFieldOperators {
    private InlineFieldOperators() {}

    /** The most operators rendered inline; a longer update runs the function. */
    private static final int MOST = 8;

    /** ValueRules' number limits, as V7's function checks a sum against them. */
    private static final String OUT_OF_RANGE = " <> 0 AND (abs(%1$s) > 1.7976931348623157e308 OR abs(%1$s) < 4.9e-324"
            + " OR length(trim(BOTH '0' FROM replace(abs(%1$s)::text, '.', ''))) > 100)";

    /**
     * The fields after {@code operations} on {@code columnSql} as one expression, or empty where the function must
     * run: a nested path, another operator, or an {@code $inc} that is not the first operator (its expression reads
     * the fields several times, so it stays on the column itself).
     */
    static Optional<Sql> render(String columnSql, List<FieldOperation> operations, String idSql) {
        if (operations.isEmpty() || operations.size() > MOST) {
            return Optional.empty();
        }
        Sql doc = Sql.of(columnSql);
        for (int i = 0; i < operations.size(); i++) {
            FieldOperation operation = operations.get(i);
            if (!operation.topLevel()) {
                return Optional.empty();
            }
            String key = operation.keys().get(0);
            Json value = Json.of(VellumJson.write(operation.value()));
            switch (operation.operator()) {
                case "set" -> doc = Sql.concat("jsonb_set(", doc, Sql.of(", ARRAY[?::text], ?)", key, value));
                case "unset" -> doc = Sql.concat("(", doc, Sql.of(" - ?::text)", key));
                case "inc" -> {
                    if (i > 0) {
                        return Optional.empty();
                    }
                    doc = increment(columnSql, key, value, idSql);
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(doc);
    }

    /**
     * V7's {@code inc} case of {@code vellum_update_at} on a top-level key of {@code doc} (a column). A sum with at
     * most 15 digits on either side of the point is within every number rule, so only a larger one is checked as the
     * function checks it (on its text, which costs more than the update itself).
     */
    private static Sql increment(String doc, String key, Json amount, String idSql) {
        Sql current = Sql.of("(" + doc + " -> ?::text)", key);
        BigDecimal exact = new BigDecimal(amount.text());
        Sql sum = Sql.concat("(", current, "::numeric + ", Sql.of("?::numeric)", exact));
        String shownSum = "(" + sum.text() + ")";
        Sql outOfRange = Sql.concat(
                Sql.of(shownSum, sum.binds().toArray()), Sql.of(String.format(OUT_OF_RANGE, shownSum), repeat(sum, 3)));
        Sql set = Sql.concat("jsonb_set(" + doc + ", ", Sql.of("ARRAY[?::text]", key), ", to_jsonb(", sum, "))");
        Sql isNumber = Sql.concat("jsonb_typeof(", current, ") = 'number'");
        return Sql.concat(
                "CASE WHEN ",
                isNumber,
                " AND scale(",
                sum,
                ") <= 15 AND abs(",
                sum,
                ") < 1e15 THEN ",
                set,
                " WHEN ",
                isNumber,
                " THEN CASE WHEN ",
                outOfRange,
                " THEN ",
                failed(
                        key,
                        idSql,
                        Sql.of(
                                "? || ''' would then hold a number Vellum cannot store (at most 100 significant digits,"
                                        + " a magnitude from 4.9e-324 to 1.7976931348623157e308)'",
                                key)),
                " ELSE ",
                set,
                " END WHEN ",
                current,
                " IS NULL OR jsonb_typeof(",
                current,
                ") = 'null' THEN jsonb_set(" + doc + ", ",
                Sql.of("ARRAY[?::text], ?)", key, amount),
                " ELSE ",
                failed(
                        key,
                        idSql,
                        Sql.concat(
                                Sql.of("? || ''' holds ' || vellum_type_name(", key),
                                current,
                                ") || ', not a number'")),
                " END");
    }

    /** V7's {@code vellum_update_failed}: raises the error {@code FieldUpdates.apply} would throw. */
    private static Sql failed(String key, String idSql, Sql why) {
        return Sql.concat(Sql.of("vellum_update_failed('inc', ARRAY[?::text], " + idSql + ", ", key), why, ")");
    }

    /** The binds of {@code sql}, {@code times} times over: for its text written that many times. */
    private static Object[] repeat(Sql sql, int times) {
        List<Object> binds = new java.util.ArrayList<>();
        for (int i = 0; i < times; i++) {
            binds.addAll(sql.binds());
        }
        return binds.toArray();
    }
}
