package dev.vellum;

import java.util.List;

/** Validation of index definitions, shared by every backend. */
final class Indexes {
    private Indexes() {
    }

    static IndexInfo define(String name, List<String> paths, boolean unique) {
        Records.indexName(name);
        if (paths == null || paths.isEmpty()) {
            throw new QueryException(name, "Index " + name + " needs at least one path");
        }
        for (String p : paths) {
            FieldPath path = FieldPath.parse(p);
            if (path.kind() != FieldPath.Kind.FIELD && path.kind() != FieldPath.Kind.META) {
                throw new QueryException(p, "Index paths are field or $meta paths; " + p + " is indexed already");
            }
        }
        return new IndexInfo(name, paths, unique);
    }
}
