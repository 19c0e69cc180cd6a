package dev.vellum;

import java.util.List;

/**
 * What {@link Database#run} returns: the column names and rows of a query, or the update count of any other
 * statement ({@code -1} when the statement returned rows).
 */
public record Result(List<String> columns, List<Row> rows, long updateCount) {
    public Result {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** True when the statement produced a result set (possibly empty). */
    public boolean hasRows() {
        return updateCount < 0;
    }
}
