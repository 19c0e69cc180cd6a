package dev.vellum;

import java.util.List;
import java.util.Optional;

/**
 * One page of a query's results.
 *
 * @param nextCursor pass to {@link Query#cursor(String)} for the next page; null when this page is the last
 */
public record Page(List<Record> records, String nextCursor) {
    public Page {
        records = List.copyOf(records);
    }

    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }
}
