package dev.vellum;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A typed collection's change feed ({@link TypedCollection#changes()}): the same feed as {@link Changes}, its records
 * read as the collection's type. Same tokens, same order, same exactly-once delivery; a filter's paths are checked
 * against the type as a query's are.
 */
public final class TypedChanges<T> {
    private final Changes changes;
    private final Function<Record, T> read;
    private final Consumer<Filter> checkPaths;

    TypedChanges(Changes changes, Function<Record, T> read, Consumer<Filter> checkPaths) {
        this.changes = changes;
        this.read = read;
        this.checkPaths = checkPaths;
    }

    /** The same feed, untyped. */
    public Changes untyped() {
        return changes;
    }

    /** The token of the newest committed change: reading after it returns only later changes. */
    public String now() {
        return changes.now();
    }

    /** Up to {@code limit} changes after the token, at once (see {@link Changes#poll(String, int)}). */
    public TypedChangePage<T> poll(String after, int limit) {
        return typed(changes.poll(after, limit));
    }

    /** Like {@link #poll(String, int)}, waiting up to {@code wait} for a change when there is none yet. */
    public TypedChangePage<T> poll(String after, int limit, Duration wait) {
        return typed(changes.poll(after, limit, wait));
    }

    /** Only the changes whose value matches the filter, plus every delete (see {@link Changes#filter}). */
    public TypedChanges<T> filter(Filter filter) {
        checkPaths.accept(filter);
        return new TypedChanges<>(changes.filter(filter), read, checkPaths);
    }

    /**
     * Delivers the changes after the token, then live ones, to {@code onChange} on a thread of its own until closed
     * (see {@link Changes#subscribe}). A record that does not map to the type ends the subscription with an
     * {@link InvalidRecordException}; {@link ChangeSubscription#token()} is where it stopped.
     */
    public ChangeSubscription subscribe(String after, Consumer<TypedChange<T>> onChange) {
        return changes.subscribe(after, change -> onChange.accept(typed(change)));
    }

    private TypedChangePage<T> typed(ChangePage page) {
        return new TypedChangePage<>(page.changes().stream().map(this::typed).toList(), page.next());
    }

    private TypedChange<T> typed(Change change) {
        return new TypedChange<>(
                change.token(),
                change.op(),
                change.collection(),
                change.id(),
                change.version(),
                change.at(),
                change.record() == null ? null : read.apply(change.record()));
    }
}
