package dev.vellum.postgres;

import dev.vellum.Json;
import dev.vellum.VellumJson;
import dev.vellum.spi.FieldOperation;
import dev.vellum.spi.Sql;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@code $set}, {@code $unset} and {@code $inc} on top-level fields as the expressions one would write by hand
 * ({@code jsonb_set}, {@code -}), instead of a call of migration V7's PL/pgSQL {@code vellum_update} per record.
 * Each keeps that function's results exactly: an {@code $inc} whose case is not the plain one (the field is not a
 * number, or the sum is large enough to need the number rules checked) runs the function for that record, and so
 * does every update with another operator or a nested path. Expressions stay small: PostgreSQL prepares a cached
 * plan's expressions again on every execution, at a cost that grows with their size.
 */
final class InlineFieldOperators {
    private InlineFieldOperators() {}

    /** The most operators rendered inline; a longer update runs the function. */
    private static final int MOST = 8;

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
            switch (operation.operator()) {
                case "set" ->
                    doc = Sql.concat(
                            "jsonb_set(",
                            doc,
                            Sql.of(", ARRAY[?::text], ?)", key, Json.of(VellumJson.write(operation.value()))));
                case "unset" -> doc = Sql.concat("(", doc, Sql.of(" - ?::text)", key));
                case "inc" -> {
                    if (i > 0) {
                        return Optional.empty();
                    }
                    doc = increment(columnSql, operation, idSql);
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(doc);
    }

    /**
     * V7's {@code inc} on a top-level key of {@code doc} (a column). A number plus the amount whose sum has at most
     * 15 digits on either side of the point is within every number rule: {@code jsonb_set} of the sum, as the
     * function would. Anything else (absent, null, another type, a larger sum) goes to the function itself.
     */
    private static Sql increment(String doc, FieldOperation operation, String idSql) {
        String key = operation.keys().get(0);
        BigDecimal amount = new BigDecimal(VellumJson.write(operation.value()));
        Sql current = Sql.of("(" + doc + " -> ?::text)", key);
        Sql sum = Sql.concat("(", current, "::numeric + ", Sql.of("?::numeric)", amount));
        return Sql.concat(
                "CASE WHEN jsonb_typeof(",
                current,
                ") = 'number' AND scale(",
                sum,
                ") <= 15 AND abs(",
                sum,
                ") < 1e15 THEN jsonb_set(" + doc + ", ",
                Sql.of("ARRAY[?::text]", key),
                ", to_jsonb(",
                sum,
                ")) ELSE vellum_update(" + doc + ", ",
                Sql.bind(FieldOperation.json(List.of(operation))),
                ", " + idSql + ") END");
    }
}
