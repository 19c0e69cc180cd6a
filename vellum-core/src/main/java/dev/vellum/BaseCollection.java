package dev.vellum;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The overloads every backend's collection shares: they check their arguments and call one primitive each, so a
 * backend implements a write once, with or without an expected version.
 */
abstract class BaseCollection implements Collection {

    /** Replaces or patches the fields; {@code expectedVersion} null means any version. */
    abstract Record change(String id, ObjectNode value, Long expectedVersion, boolean isPatch);

    /** Deletes; {@code expectedVersion} null means any version. */
    abstract boolean remove(String id, Long expectedVersion);

    /** Where the backend keeps this collection's changes. */
    abstract ChangeLog changeLog();

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
    public final Record patch(String id, Object mergePatch) {
        return change(id, Records.object(mergePatch, "patch"), null, true);
    }

    @Override
    public final Record patch(String id, Object mergePatch, long expectedVersion) {
        return change(id, Records.object(mergePatch, "patch"), expectedVersion, true);
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
