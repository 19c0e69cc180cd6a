package dev.vellum.testkit;

import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.postgres.PostgresTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** One backend's fresh, empty database for one test invocation. */
public final class TestBackend implements AutoCloseable {
    private final String name;
    private final String label;
    private final UnaryOperator<VellumConfig.Builder> settings;
    private final String url;
    private final Path sqliteFile;
    private final PostgresTarget postgres;
    private final List<AutoCloseable> opened = new ArrayList<>();

    private TestBackend(String name, String url, Path sqliteFile, PostgresTarget postgres) {
        this(name, name, url, sqliteFile, postgres, b -> b);
    }

    private TestBackend(
            String name,
            String label,
            String url,
            Path sqliteFile,
            PostgresTarget postgres,
            UnaryOperator<VellumConfig.Builder> settings) {
        this.name = name;
        this.label = label;
        this.settings = settings;
        this.url = url;
        this.sqliteFile = sqliteFile;
        this.postgres = postgres;
    }

    static TestBackend sqlite(Path file) {
        return new TestBackend("sqlite", "sqlite:" + file, file, null);
    }

    static TestBackend memory() {
        return new TestBackend("memory", "memory:", null, null);
    }

    /** A plugin backend whose URL opens a fresh, empty store each time. */
    static TestBackend byUrl(String name, String url) {
        return new TestBackend(name, url, null, null);
    }

    /** A PostgreSQL database; the label tells invocations apart ({@code postgres@icu}), the name stays postgres. */
    static TestBackend postgres(PostgresTarget database, String label) {
        return new TestBackend("postgres", label, database.toUrlWithCredentials(), null, database, b -> b);
    }

    /**
     * A PostgreSQL database reached through a transaction-mode PgBouncer, as production runs it: the pool in PgBouncer
     * mode, migrations and index changes over a direct connection ({@code VELLUM_MIGRATION_URL}).
     */
    static TestBackend throughPgBouncer(PostgresTarget database, PgBouncer bouncer, String label) {
        String direct = database.toUrlWithCredentials();
        return new TestBackend(
                "postgres",
                label,
                bouncer.through(database).toUrlWithCredentials(),
                null,
                database,
                b -> b.pgbouncer(true).set(PostgresSettings.MIGRATION_URL.key(), direct));
    }

    /** {@code memory}, {@code sqlite}, {@code postgres}, or a plugin backend's name. */
    public String name() {
        return name;
    }

    /** A URL for {@link Database#open(String)}; for PostgreSQL it carries the test credentials. */
    public String url() {
        return url;
    }

    /** The SQLite file, or null on PostgreSQL. */
    public Path sqliteFile() {
        return sqliteFile;
    }

    /** The PostgreSQL database, or null on SQLite. */
    public PostgresTarget postgres() {
        return postgres;
    }

    /** A builder isolated from the machine's environment, pointed at this database. */
    public VellumConfig.Builder config() {
        return settings.apply(VellumConfig.builder().isolated().url(url));
    }

    /** Opens the database with default settings; closed when the test ends. */
    public Database open() {
        return open(b -> b);
    }

    /** Opens the database with adjusted settings; closed when the test ends. */
    public Database open(UnaryOperator<VellumConfig.Builder> settings) {
        Database db = Database.open(settings.apply(config()).build());
        synchronized (opened) {
            opened.add(db);
        }
        return db;
    }

    /** Opens the record store on this database; closed when the test ends. */
    public RecordStore openStore() {
        return openStore(b -> b);
    }

    public RecordStore openStore(UnaryOperator<VellumConfig.Builder> settings) {
        RecordStore store = Vellum.open(settings.apply(config()).build());
        synchronized (opened) {
            opened.add(store);
        }
        return store;
    }

    /**
     * Opens the record store once and closes it: what the store needs (Vellum's migrated schema) is then in the
     * database, and no connection to it is left open. Store templates are made this way.
     */
    void migrate() {
        try {
            openStore().collections();
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        synchronized (opened) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            opened.clear();
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
