package dev.vellum.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.Accumulator;
import dev.vellum.Changes;
import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Group;
import dev.vellum.QueryException;
import dev.vellum.Record;
import dev.vellum.internal.FieldUpdates;

/**
 * The overloads every backend's collection shares: they check their arguments and call one primitive each, so a
 * backend implements a write once, with or without an expected version.
 */
public abstract class BaseCollection implements Collection {

    /** Replaces or patches the fields; {@code expectedVersion} null means any version. */
    protected abstract Record change(String id, ObjectNode value, Long expectedVersion, boolean isPatch);

    /** Applies field operators in one statement; {@code expectedVersion} null means any version. */
    protected abstract Record update(String id, FieldUpdates updates, Long expectedVersion);

    /** Applies field operators to every matching record in one statement; returns the count. */
    protected abstract long updateMany(Filter filter, FieldUpdates updates);

    /** Applies a merge patch to every matching record in one statement; returns the count. */
    protected abstract long mergeMany(Filter filter, ObjectNode mergePatch);

    @Override
    public final long updateMany(Filter filter, Object patch) {
        Object checked = Records.patch(patch);
        return checked instanceof FieldUpdates updates
                ? updateMany(filter, updates)
                : mergeMany(filter, (ObjectNode) checked);
    }

    /** Computes a checked aggregation. */
    protected abstract java.util.List<Group> aggregate(Aggregates.Request request);

    @Override
    public final java.util.List<Group> aggregate(
            Filter filter, java.util.List<String> groupBy, java.util.Map<String, Accumulator> accumulators) {
        return Aggregates.checkAnswerSize(
                aggregate(Aggregates.check(filter, groupBy, accumulators)), limits().answerBytes());
    }

    /** The store's limits in bytes. */
    protected abstract dev.vellum.internal.SizeLimits limits();

    @Override
    public final java.util.List<com.fasterxml.jackson.databind.JsonNode> distinct(String path, Filter filter) {
        if (filter == null) {
            throw new QueryException("filter", "distinct needs a filter: Filter.all() for every record");
        }
        Aggregates.Request request =
                Aggregates.check(filter.and(Filter.exists(path, true)), java.util.List.of(path), java.util.Map.of());
        return Aggregates.distinct(Aggregates.checkAnswerSize(aggregate(request), limits().answerBytes()), path);
    }

    /** Deletes; {@code expectedVersion} null means any version. */
    protected abstract boolean remove(String id, Long expectedVersion);

    /** Where the backend keeps this collection's changes. */
    protected abstract ChangeLog changeLog();

    @Override
    public final boolean changesEnabled() {
        return changeLog().enabled(name());
    }

    @Override
    public final Changes changes() {
        return new Feed(changeLog(), name(), null);
    }

    @Override
    public final Record insert(Object fields) {
        return insert(null, fields, null);
    }

    @Override
    public final Record replace(String id, Object fields) {
        return change(id, Records.object(fields, "fields"), null, false);
    }

    @Override
    public final Record replace(String id, Object fields, long expectedVersion) {
        return change(id, Records.object(fields, "fields"), expectedVersion, false);
    }

    @Override
    public final Record patch(String id, Object patch) {
        return patch(id, patch, null);
    }

    @Override
    public final Record patch(String id, Object patch, long expectedVersion) {
        return patch(id, patch, Long.valueOf(expectedVersion));
    }

    private Record patch(String id, Object patch, Long expectedVersion) {
        Object checked = Records.patch(patch);
        return checked instanceof FieldUpdates updates
                ? update(id, updates, expectedVersion)
                : change(id, (ObjectNode) checked, expectedVersion, true);
    }

    @Override
    public final boolean delete(String id) {
        return remove(id, null);
    }

    @Override
    public final boolean delete(String id, long expectedVersion) {
        return remove(id, expectedVersion);
    }
}
