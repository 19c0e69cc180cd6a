package dev.vellum.server;

/**
 * A store operation the API runs: its name in metrics ({@code vellum.store.operations{operation}}) and whether it
 * writes. A write answers the consistency token that lets later reads see it, and its failure is never retried or
 * hidden; declaring it here, once, keeps the two from drifting apart.
 */
enum Operation {
    COLLECTIONS("collections", false),
    DROP_COLLECTION("dropCollection", true),
    INSERT("insert", true),
    BATCH("batch", true),
    GET("get", false),
    REPLACE("replace", true),
    PATCH("patch", true),
    DELETE("delete", true),
    FIND("find", false),
    COUNT("count", false),
    AGGREGATE("aggregate", false),
    DISTINCT("distinct", false),
    UPDATE_MANY("updateMany", true),
    DELETE_MANY("deleteMany", true),
    EXPORT("export", false),
    INDEXES("indexes", false),
    CREATE_INDEX("createIndex", true),
    DROP_INDEX("dropIndex", true),
    ENABLE_CHANGES("enableChanges", true),
    DISABLE_CHANGES("disableChanges", true);

    private final String metricName;
    private final boolean write;

    Operation(String metricName, boolean write) {
        this.metricName = metricName;
        this.write = write;
    }

    /** How metrics name it: {@code insert}, {@code updateMany}, … */
    String metricName() {
        return metricName;
    }

    /** Whether it may change what is stored. */
    boolean writes() {
        return write;
    }
}
