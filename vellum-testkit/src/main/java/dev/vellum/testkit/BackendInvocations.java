package dev.vellum.testkit;

import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.postgres.PostgresTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/** Expands {@link BackendTest} into one invocation per backend, each with its own fresh database. */
final class BackendInvocations implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getRequiredTestMethod(), BackendTest.class);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        List<String> backends = new ArrayList<>(
                List.of(AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), BackendTest.class)
                        .orElseThrow()
                        .value()));
        if (AnnotationSupport.isAnnotated(context.getRequiredTestMethod(), StoreTest.class)) {
            // a test for every record-store backend also runs on the plugin backends the build names, and on
            // PostgreSQL databases of the other collations the build names
            backends.addAll(EXTRA_BACKENDS.keySet());
            if (backends.contains("postgres") && !COLLATIONS.isEmpty()) {
                int major = serverMajor(context);
                COLLATIONS.stream()
                        .filter(c -> c.availableOn(major))
                        .forEach(c -> backends.add(POSTGRES_AT + c.label()));
            }
            if (backends.contains("postgres") && THROUGH_PGBOUNCER) {
                backends.add(POSTGRES_PGBOUNCER);
            }
        }
        boolean store = AnnotationSupport.isAnnotated(context.getRequiredTestMethod(), StoreTest.class);
        return backends.stream().filter(BackendInvocations::selected).map(backend -> new Invocation(backend, store));
    }

    /**
     * The test server's major version; where the server cannot be had (its program is not installed), every major,
     * so that each invocation is listed and reported as skipped by {@link Fixture#beforeEach} rather than vanishing.
     */
    private static int serverMajor(ExtensionContext context) {
        try {
            return ServerLifecycle.server(context).majorVersion();
        } catch (TestAbortedException notInstalled) {
            return Integer.MAX_VALUE;
        }
    }

    /** A run restricted to some backends may leave a test with none of them: it then runs zero times. */
    @Override
    public boolean mayReturnZeroTestTemplateInvocationContexts(ExtensionContext context) {
        return !ONLY.isEmpty();
    }

    /**
     * {@code -Dvellum.test.only=postgres} runs the backend tests on PostgreSQL (every collation) only: the build's
     * version matrix repeats the suite on each server without repeating the SQLite and memory runs.
     */
    private static final List<String> ONLY = Stream.of(
                    System.getProperty("vellum.test.only", "").split(","))
            .map(String::trim)
            .filter(name -> !name.isEmpty())
            .toList();

    private static boolean selected(String backend) {
        return ONLY.isEmpty() || ONLY.stream().anyMatch(name -> backend.equals(name) || backend.startsWith(name + "@"));
    }

    private static final String POSTGRES_AT = "postgres@";
    private static final String POSTGRES_PGBOUNCER = POSTGRES_AT + "pgbouncer";

    /** {@code -Dvellum.test.postgres.pgbouncer=true}: store tests also run through a transaction-mode PgBouncer. */
    private static final boolean THROUGH_PGBOUNCER = Boolean.getBoolean("vellum.test.postgres.pgbouncer");

    /** More PostgreSQL collations, from {@code -Dvellum.test.postgres.collations=C.UTF-8,icu}. */
    private static final List<PostgresServer.Collation> COLLATIONS = Stream.of(
                    System.getProperty("vellum.test.postgres.collations", "").split(","))
            .filter(label -> !label.isBlank())
            .map(PostgresServer.Collation::byLabel)
            .toList();

    /**
     * Backends beyond the shipped ones, from {@code -Dvellum.test.extraBackends=name=url,…}: each URL opens a fresh,
     * empty store (an in-memory plugin backend, for instance).
     */
    private static final Map<String, String> EXTRA_BACKENDS = extraBackends();

    private static Map<String, String> extraBackends() {
        Map<String, String> extra = new LinkedHashMap<>();
        for (String entry : System.getProperty("vellum.test.extraBackends", "").split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                extra.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
        }
        return extra;
    }

    /** {@code store}: the test gets a database with Vellum's schema already migrated in (a copy of a template). */
    private record Invocation(String backend, boolean store) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + backend + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new Fixture(backend, store));
        }
    }

    /**
     * Creates the database lazily (on first parameter) and removes it after the test. The programs a backend needs
     * are started before the test, where a missing one aborts it (reported as skipped, with the install command):
     * during parameter resolution JUnit would report the abort as an error.
     */
    private static final class Fixture implements BeforeEachCallback, ParameterResolver, AfterTestExecutionCallback {
        private final String backend;
        private final boolean store;
        private TestBackend instance;
        private Path tempDir;

        Fixture(String backend, boolean store) {
            this.backend = backend;
            this.store = store;
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            if (backend.startsWith("postgres")) {
                ServerLifecycle.server(context);
            }
            if (backend.equals(POSTGRES_PGBOUNCER)) {
                PgBouncer.shared("transaction");
            }
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Class<?> type = parameter.getParameter().getType();
            return type == TestBackend.class || type == Database.class || type == RecordStore.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            TestBackend b = backend(context);
            Class<?> type = parameter.getParameter().getType();
            return type == TestBackend.class ? b : type == RecordStore.class ? b.openStore() : b.open();
        }

        private TestBackend backend(ExtensionContext context) {
            if (instance == null) {
                if (backend.equals("postgres")) {
                    instance =
                            TestBackend.postgres(database(context, PostgresServer.Collation.SERVER_DEFAULT), backend);
                } else if (backend.equals(POSTGRES_PGBOUNCER)) {
                    PgBouncer bouncer = PgBouncer.shared("transaction");
                    instance = TestBackend.throughPgBouncer(
                            database(context, PostgresServer.Collation.SERVER_DEFAULT), bouncer, backend);
                } else if (backend.startsWith(POSTGRES_AT)) {
                    PostgresServer.Collation collation =
                            PostgresServer.Collation.byLabel(backend.substring(POSTGRES_AT.length()));
                    instance = TestBackend.postgres(database(context, collation), backend);
                } else if (backend.equals("memory")) {
                    instance = TestBackend.memory();
                } else if (backend.equals("sqlite")) {
                    try {
                        tempDir = Files.createTempDirectory("vellum-test");
                        Path file = tempDir.resolve("test.db");
                        if (store) {
                            SqliteTemplate.copyTo(file);
                        }
                        instance = TestBackend.sqlite(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else if (EXTRA_BACKENDS.containsKey(backend)) {
                    instance = TestBackend.byUrl(backend, EXTRA_BACKENDS.get(backend));
                } else {
                    throw new IllegalArgumentException("Unknown backend '" + backend + "' in @BackendTest");
                }
            }
            return instance;
        }

        private PostgresTarget database(ExtensionContext context, PostgresServer.Collation collation) {
            PostgresServer server = ServerLifecycle.server(context);
            return store ? server.createStoreDatabase(collation) : server.createDatabase(collation);
        }

        @Override
        public void afterTestExecution(ExtensionContext context) throws IOException {
            if (instance == null) {
                return;
            }
            instance.close();
            PostgresTarget pg = instance.postgres();
            if (pg != null) {
                ServerLifecycle.server(context).dropDatabase(pg);
            }
            if (tempDir != null) {
                TestFiles.deleteTree(tempDir);
            }
        }
    }
}
