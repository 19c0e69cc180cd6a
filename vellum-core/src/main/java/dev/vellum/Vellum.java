package dev.vellum;

/**
 * Entry point to the record store.
 *
 * <pre>{@code
 * try (RecordStore store = Vellum.open()) {            // sqlite ./vellum.db unless configured otherwise
 *     Collection users = store.collection("users");
 *     users.insert(Map.of("name", "Ada", "age", 36));
 *     Page adults = users.find(Query.where(Filter.gte("age", 18)).sort("-age"));
 * }
 * }</pre>
 */
public final class Vellum {
    private Vellum() {
    }

    /** The store the environment and {@code .env} describe. */
    public static RecordStore open() {
        return open(VellumConfig.fromEnvironment());
    }

    /** {@code memory:}, {@code sqlite:PATH}, {@code postgres://…} and the other URL forms of {@link VellumConfig.Builder#url}. */
    public static RecordStore open(String url) {
        return open(VellumConfig.builder().url(url).build());
    }

    /**
     * A new record id, as {@link Collection#insert} would make one (UUIDv7): for callers that must know the ids
     * before the records are written.
     */
    public static String newId() {
        return Records.newId();
    }

    public static RecordStore open(VellumConfig config) {
        if (config.backend().equals("memory")) {
            return new MemoryStore();
        }
        return Backends.openStore(config);
    }
}
