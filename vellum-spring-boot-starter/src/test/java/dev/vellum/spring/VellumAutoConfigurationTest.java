package dev.vellum.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.ConfigurationException;
import dev.vellum.Database;
import dev.vellum.Record;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.VellumJson;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/** The auto-configuration in a bare application context: memory, SQLite, PostgreSQL, and the application's own data. */
class VellumAutoConfigurationTest {
    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(VellumAutoConfiguration.class));
    /** An application with spring-boot-starter-jdbc: a DataSource, a transaction manager, @Transactional. */
    private final ApplicationContextRunner jdbcApplication = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class,
                    TransactionAutoConfiguration.class,
                    VellumAutoConfiguration.class));

    private static Throwable rootConfigurationError(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && !(t instanceof ConfigurationException)) {
            t = t.getCause();
        }
        return t;
    }

    private static TransactionTemplate template(PlatformTransactionManager manager, int propagation) {
        TransactionTemplate template = new TransactionTemplate(manager);
        template.setPropagationBehavior(propagation);
        return template;
    }

    private static List<String> ids(RecordStore store, String collection, String... candidates) {
        return store.collection(collection).getMany(List.of(candidates)).stream()
                .map(Record::id)
                .toList();
    }

    @Test
    void propertiesBecomeSettingsAndTheBeansAppear(@TempDir Path dir) {
        runner.withPropertyValues(
                        "vellum.url=sqlite:" + dir.resolve("app.db"),
                        "vellum.postgres.pool-max=7",
                        "vellum.connect-timeout=5s",
                        "vellum.changes.retention=2d",
                        "vellum.max-record-size=2KB",
                        "vellum.max-answer-size=1MB")
                .run(context -> {
                    assertThat(context)
                            .hasSingleBean(RecordStore.class)
                            .hasSingleBean(Database.class)
                            .hasSingleBean(VellumTransactionManager.class)
                            .hasBean("vellumHealthIndicator");
                    VellumConfig config = context.getBean(VellumConfig.class);
                    assertThat(config.backend()).isEqualTo("sqlite");
                    assertThat(config.getInt(dev.vellum.postgres.PostgresSettings.POOL_MAX, 1))
                            .isEqualTo(7);
                    assertThat(config.connectTimeout()).hasSeconds(5);
                    assertThat(config.getDuration(dev.vellum.Setting.CHANGES_RETENTION))
                            .hasValue(java.time.Duration.ofDays(2));
                    assertThat(config.maxRecordSize()).isEqualTo(2048);
                    assertThat(config.maxAnswerSize()).isEqualTo(1 << 20);
                    assertThatThrownBy(() -> context.getBean(RecordStore.class)
                                    .collection("c")
                                    .insert(java.util.Map.of("s", "x".repeat(2048))))
                            .isInstanceOf(dev.vellum.RecordTooLargeException.class);
                    assertThat(context.getBean(Database.class).fetchOne("SELECT 1 AS one"))
                            .isPresent();
                    HealthIndicator health = context.getBean("vellumHealthIndicator", HealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(health.health().getDetails()).containsEntry("backend", "sqlite");
                });
    }

    @Test
    void theMemoryBackendHasNoDatabaseBean() {
        runner.withPropertyValues("vellum.url=memory:").run(context -> {
            assertThat(context).hasSingleBean(RecordStore.class).doesNotHaveBean(Database.class);
            assertThat(context.getBean("vellumHealthIndicator", HealthIndicator.class)
                            .health()
                            .getStatus())
                    .isEqualTo(Status.UP);
        });
    }

    @Test
    void aMisspeltPropertyFailsTheStartNamingIt() {
        runner.withPropertyValues("vellum.url=memory:", "vellum.postgres.pool-mx=3")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(rootConfigurationError(context.getStartupFailure()))
                            .isInstanceOf(ConfigurationException.class)
                            .hasMessageContaining("Unknown property vellum.postgres.pool-mx")
                            .hasMessageContaining("Did you mean vellum.postgres.pool-max?");
                });
    }

    /** A failed start is explained as Boot explains its own: the problem, naming the property, and what to do. */
    @Test
    void aFailureAnalyzerExplainsAStopVellumCaused() {
        runner.withPropertyValues("vellum.url=memory:", "vellum.postgres.pool-max=0")
                .run(context -> {
                    var analysis = new VellumFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("vellum.postgres.pool-max");
                    assertThat(analysis.getAction()).contains("vellum.*");
                });
        assertThat(org.springframework.core.io.support.SpringFactoriesLoader.forDefaultResourceLocation()
                        .load(
                                org.springframework.boot.diagnostics.FailureAnalyzer.class,
                                org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler.logging(
                                        org.apache.commons.logging.LogFactory.getLog(getClass()))))
                .anyMatch(a -> a instanceof VellumFailureAnalyzer);
    }

    /** Built on Vellum's parent, the tested versions are the ones here: nothing to warn about. */
    @Test
    void theTestedVersionsAreKnownAndHereTheSame() {
        assertThat(TestedVersions.differences()).isEmpty();
    }

    /**
     * IDEs complete and document vellum.* from the metadata the build generates: every property the starter reads
     * is there with a description, and every setting a Spring application may give has a property.
     */
    @Test
    void everyPropertyIsInTheGeneratedMetadata() throws Exception {
        var metadata = VellumJson.parse(new String(
                getClass()
                        .getResourceAsStream("/META-INF/spring-configuration-metadata.json")
                        .readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> described = new java.util.HashMap<>();
        metadata.get("properties")
                .forEach(p -> described.put(
                        p.get("name").asText(), p.path("description").asText()));
        assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(VellumProperties.names());
        assertThat(described.values()).allSatisfy(d -> assertThat(d).isNotBlank());
        assertThat(VellumProperties.PROPERTY_NAMES.keySet())
                .as("every setting of core and the two backends has a property")
                .containsAll(
                        dev.vellum.VellumConfig.builder().isolated().build().settings());
    }

    /** A build's -Dvellum.version=…, or an application's own vellum.* keys, are not Vellum's: no failed start. */
    @Test
    void otherVellumPropertiesAreNotVellumsToRefuse() {
        runner.withPropertyValues("vellum.url=memory:", "vellum.version=1.2.3", "vellum.team.owner=data")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(RecordStore.class));
    }

    @Test
    void aBadValueIsReportedAsItsProperty() {
        runner.withPropertyValues("vellum.url=memory:", "vellum.postgres.pool-max=0")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(rootConfigurationError(context.getStartupFailure()))
                            .hasMessageContaining(
                                    "vellum.postgres.pool-max (VELLUM_POSTGRES_POOL_MAX) must be at least 1");
                });
    }

    @Test
    void theApplicationsOwnStoreWins() {
        runner.withBean(RecordStore.class, () -> Vellum.open("memory:"))
                .withPropertyValues("vellum.url=memory:")
                .run(context -> assertThat(context).hasSingleBean(RecordStore.class));
    }

    /** The properties (none here: SQLite by default) do not decide for the application's own memory store. */
    @Test
    void anApplicationsOwnMemoryStoreStartsWithoutADatabase() {
        runner.withBean(RecordStore.class, () -> Vellum.open("memory:")).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RecordStore.class);
            assertThat(context.getBeanProvider(Database.class).getIfAvailable()).isNull();
        });
        runner.withBean(
                        VellumConfig.class,
                        () -> VellumConfig.builder().url("memory:").build())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(RecordStore.class).database()).isEmpty();
                    assertThat(context.getBeanProvider(Database.class).getIfAvailable())
                            .isNull();
                });
    }

    @Test
    void transactionsOnVellumsOwnSqliteHaveSpringsPropagations(@TempDir Path dir) {
        runner.withPropertyValues("vellum.url=sqlite:" + dir.resolve("tx.db")).run(context -> {
            RecordStore store = context.getBean(RecordStore.class);
            PlatformTransactionManager manager = context.getBean(PlatformTransactionManager.class);
            assertThat(manager).isInstanceOf(VellumTransactionManager.class);
            commitsRollsBackAndNests(store, manager);

            // REQUIRES_NEW with no transaction running is an ordinary one
            template(manager, TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                    .executeWithoutResult(s -> store.collection("a").insert("new", Map.of("n", 8), null));
            assertThat(store.collection("a").get("new")).isPresent();
            // inside one, SQLite (one writer) would wait for itself: refused at once, saying what works
            TransactionTemplate required = template(manager, TransactionDefinition.PROPAGATION_REQUIRED);
            assertThatThrownBy(() -> required.executeWithoutResult(
                            s -> template(manager, TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                                    .executeWithoutResult(inner -> {})))
                    .isInstanceOf(IllegalTransactionStateException.class)
                    .hasMessageContaining("NESTED");
            // the imperative API works too
            TransactionStatus status = manager.getTransaction(new DefaultTransactionDefinition());
            store.collection("a").insert("imperative", Map.of("n", 9), null);
            manager.rollback(status);
            assertThat(store.collection("a").get("imperative")).isEmpty();
        });
    }

    /** On SQLite a read-only transaction takes no write lock: a writer does not wait for it to end. */
    @Test
    void aReadOnlyTransactionOnSqliteDoesNotHoldUpWriters(@TempDir Path dir) {
        runner.withPropertyValues("vellum.url=sqlite:" + dir.resolve("ro.db")).run(context -> {
            RecordStore store = context.getBean(RecordStore.class);
            store.collection("a").insert("first", Map.of("n", 1), null);
            TransactionTemplate readOnly = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
            readOnly.setReadOnly(true);
            java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
            Thread reader = new Thread(() -> readOnly.executeWithoutResult(s -> {
                store.collection("a").get("first");
                reading.countDown();
                try {
                    written.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            reader.start();
            assertThat(reading.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            long started = System.nanoTime();
            store.collection("a").insert("second", Map.of("n", 2), null);
            written.countDown();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(java.time.Duration.ofSeconds(5));
            reader.join();
        });
    }

    /** What every Vellum transaction manager does: commit, roll back, rollback-only, NESTED, REQUIRED's doom. */
    private static void commitsRollsBackAndNests(RecordStore store, PlatformTransactionManager manager) {
        TransactionTemplate tx = new TransactionTemplate(manager);
        tx.executeWithoutResult(s -> store.collection("a").insert("kept", Map.of("n", 1), null));
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                    store.collection("a").insert("gone", Map.of("n", 2), null);
                    throw new IllegalStateException("roll back");
                }))
                .isInstanceOf(IllegalStateException.class);
        String answer = tx.execute(s -> {
            store.collection("a").insert("marked", Map.of("n", 3), null);
            s.setRollbackOnly();
            return "answered";
        });
        assertThat(answer).isEqualTo("answered");
        TransactionTemplate nested = template(manager, TransactionDefinition.PROPAGATION_NESTED);
        tx.executeWithoutResult(s -> {
            store.collection("a").insert("outer", Map.of("n", 4), null);
            try {
                nested.executeWithoutResult(inner -> {
                    store.collection("a").insert("inner", Map.of("n", 5), null);
                    throw new IllegalStateException("inner");
                });
            } catch (IllegalStateException expected) {
                // the outer goes on
            }
        });
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                    store.collection("a").insert("doomed", Map.of("n", 6), null);
                    try {
                        tx.executeWithoutResult(inner -> {
                            throw new IllegalStateException("inner");
                        });
                    } catch (IllegalStateException expected) {
                        // caught, yet the transaction cannot commit
                    }
                }))
                .isInstanceOf(UnexpectedRollbackException.class);
        assertThat(ids(store, "a", "kept", "gone", "marked", "outer", "inner", "doomed"))
                .containsExactly("kept", "outer");
        TransactionTemplate mandatory = template(manager, TransactionDefinition.PROPAGATION_MANDATORY);
        assertThatThrownBy(() -> mandatory.executeWithoutResult(s -> {}))
                .isInstanceOf(IllegalTransactionStateException.class);
        TransactionTemplate never = template(manager, TransactionDefinition.PROPAGATION_NEVER);
        assertThatThrownBy(() -> tx.executeWithoutResult(s -> never.executeWithoutResult(inner -> {})))
                .isInstanceOf(IllegalTransactionStateException.class);
    }

    @Test
    void transactionsOnVellumsOwnPostgresSuspendAndBeginAnew() {
        PostgresTarget database = PostgresServer.shared().createDatabase();
        runner.withPropertyValues("vellum.url=" + database.toUrlWithCredentials())
                .run(context -> {
                    RecordStore store = context.getBean(RecordStore.class);
                    PlatformTransactionManager manager = context.getBean(PlatformTransactionManager.class);
                    commitsRollsBackAndNests(store, manager);
                    // REQUIRES_NEW commits on its own while the outer rolls back; NOT_SUPPORTED runs outside it (the
                    // collection exists first: one first written inside a transaction is created by it, and its table
                    // stays
                    // locked to others until that transaction ends)
                    store.collection("b").insert("before", Map.of("n", 0), null);
                    assertThatThrownBy(() -> new TransactionTemplate(manager).executeWithoutResult(s -> {
                                store.collection("b").insert("outer", Map.of("n", 1), null);
                                template(manager, TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                                        .executeWithoutResult(
                                                inner -> store.collection("b").insert("new", Map.of("n", 2), null));
                                template(manager, TransactionDefinition.PROPAGATION_NOT_SUPPORTED)
                                        .executeWithoutResult(
                                                inner -> store.collection("b").insert("outside", Map.of("n", 3), null));
                                throw new IllegalStateException("roll the outer back");
                            }))
                            .isInstanceOf(IllegalStateException.class);
                    assertThat(ids(store, "b", "outer", "new", "outside")).containsExactly("new", "outside");
                });
    }

    /**
     * The application's data source, with nothing naming a database for Vellum: the store runs there, the
     * application's transaction manager stays the one @Transactional finds, and one transaction of it carries JDBC
     * and Vellum writes together.
     */
    @Test
    void onTheApplicationsDataSourceOneTransactionSpansJdbcAndVellum() {
        PostgresTarget database = PostgresServer.shared().createDatabase();
        jdbcApplication
                .withPropertyValues(
                        "spring.datasource.url=" + database.jdbcUrl(),
                        "spring.datasource.username=" + database.user(),
                        "spring.datasource.password=" + database.password())
                .run(context -> joinsTheApplicationsTransactions(context, "postgres"));
    }

    @Test
    void onTheApplicationsSqliteDataSourceToo(@TempDir Path dir) {
        jdbcApplication
                .withPropertyValues("spring.datasource.url=jdbc:sqlite:" + dir.resolve("app.db"))
                .run(context -> joinsTheApplicationsTransactions(context, "sqlite"));
    }

    private static void joinsTheApplicationsTransactions(ApplicationContext context, String backend) {
        RecordStore store = context.getBean(RecordStore.class);
        DataSource dataSource = context.getBean(DataSource.class);
        assertThat(store.backendName()).isEqualTo(backend);
        assertThat(store.database().orElseThrow().dataSource()).isSameAs(dataSource);
        PlatformTransactionManager manager = context.getBean(PlatformTransactionManager.class);
        assertThat(manager)
                .isInstanceOf(DataSourceTransactionManager.class)
                .isNotInstanceOf(VellumTransactionManager.class);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("CREATE TABLE orders (id VARCHAR(20) PRIMARY KEY)");
        TransactionTemplate tx = context.getBean(TransactionTemplate.class);

        assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                    jdbc.update("INSERT INTO orders (id) VALUES ('o1')");
                    store.collection("audit").insert("a1", Map.of("order", "o1"), null);
                    throw new IllegalStateException("payment failed");
                }))
                .hasMessage("payment failed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Long.class))
                .isZero();
        assertThat(store.collection("audit").get("a1")).isEmpty();

        tx.executeWithoutResult(s -> {
            jdbc.update("INSERT INTO orders (id) VALUES ('o2')");
            store.collection("audit").insert("a2", Map.of("order", "o2"), null);
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Long.class))
                .isEqualTo(1);
        assertThat(store.collection("audit").get("a2")).isPresent();

        // a Vellum operation that fails inside the transaction leaves nothing of itself, and the rest goes on
        tx.executeWithoutResult(s -> {
            jdbc.update("INSERT INTO orders (id) VALUES ('o3')");
            assertThatThrownBy(() -> store.collection("audit")
                            .insertMany(List.of(
                                    new dev.vellum.NewRecord("a3", Map.of("n", 1), null),
                                    new dev.vellum.NewRecord("a2", Map.of("n", 2), null))))
                    .isInstanceOf(dev.vellum.DuplicateRecordException.class);
        });
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Long.class))
                .isEqualTo(2);
        assertThat(store.collection("audit").get("a3")).isEmpty();
    }

    /**
     * Vellum with a database of its own beside the application's: the application's manager stays the default, and
     * rolls back the application's JDBC writes as it did without Vellum; Vellum's manager is there by name.
     */
    @Test
    void withItsOwnDatabaseVellumNeverDisplacesTheApplicationsManager(@TempDir Path dir) {
        jdbcApplication
                .withPropertyValues(
                        "spring.datasource.url=jdbc:sqlite:" + dir.resolve("app.db"),
                        "vellum.url=sqlite:" + dir.resolve("vellum.db"))
                .run(context -> {
                    DataSource dataSource = context.getBean(DataSource.class);
                    RecordStore store = context.getBean(RecordStore.class);
                    assertThat(store.database().orElseThrow().dataSource()).isNotSameAs(dataSource);
                    PlatformTransactionManager application = context.getBean(PlatformTransactionManager.class);
                    assertThat(application).isNotInstanceOf(VellumTransactionManager.class);
                    assertThat(context.getBean(VellumAutoConfiguration.TRANSACTION_MANAGER))
                            .isInstanceOf(VellumTransactionManager.class);

                    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
                    jdbc.execute("CREATE TABLE orders (id VARCHAR(20) PRIMARY KEY)");
                    assertThatThrownBy(() -> context.getBean(TransactionTemplate.class)
                                    .executeWithoutResult(s -> {
                                        jdbc.update("INSERT INTO orders (id) VALUES ('o1')");
                                        throw new IllegalStateException("fails");
                                    }))
                            .hasMessage("fails");
                    assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Long.class))
                            .isZero();

                    TransactionTemplate vellum = new TransactionTemplate(context.getBean(
                            VellumAutoConfiguration.TRANSACTION_MANAGER, PlatformTransactionManager.class));
                    assertThatThrownBy(() -> vellum.executeWithoutResult(s -> {
                                store.collection("c").insert("x", Map.of("n", 1), null);
                                throw new IllegalStateException("fails");
                            }))
                            .hasMessage("fails");
                    assertThat(store.collection("c").get("x")).isEmpty();
                });
    }

    @Test
    void theMemoryStoresManagerRunsRequiresNewOutsideATransaction() {
        runner.withPropertyValues("vellum.url=memory:").run(context -> {
            RecordStore store = context.getBean(RecordStore.class);
            PlatformTransactionManager manager = context.getBean(PlatformTransactionManager.class);
            commitsRollsBackAndNests(store, manager);
            template(manager, TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                    .executeWithoutResult(s -> store.collection("a").insert("new", Map.of("n", 1), null));
            assertThat(store.collection("a").get("new")).isPresent();
            assertThatThrownBy(() -> new TransactionTemplate(manager)
                            .executeWithoutResult(s -> template(manager, TransactionDefinition.PROPAGATION_REQUIRES_NEW)
                                    .executeWithoutResult(inner -> {})))
                    .isInstanceOf(IllegalTransactionStateException.class)
                    .hasMessageContaining("memory store");
        });
    }

    @Test
    void poolGaugesOnTheApplicationsRegistry(@TempDir Path dir) {
        runner.withPropertyValues("vellum.url=sqlite:" + dir.resolve("m.db")).run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean("vellumMetrics", io.micrometer.core.instrument.binder.MeterBinder.class)
                    .bindTo(registry);
            assertThat(registry.get("vellum.pool.connections")
                            .tag("state", "max")
                            .gauge()
                            .value())
                    .isGreaterThan(0);
            assertThat(registry.get("vellum.pool.connections")
                            .tag("state", "active")
                            .gauge())
                    .isNotNull();
        });
    }

    /**
     * Each store operation is an observation named as vellum serve names its timer: with Micrometer's meter handler
     * (what Boot's actuator registers) the application gets vellum.store.operations{operation,outcome}; a tracer sees
     * the OpenTelemetry database attributes.
     */
    @Test
    void storeOperationsAreObserved(@TempDir Path dir) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        io.micrometer.observation.ObservationRegistry observations =
                io.micrometer.observation.ObservationRegistry.create();
        observations
                .observationConfig()
                .observationHandler(
                        new io.micrometer.core.instrument.observation.DefaultMeterObservationHandler(meters));
        List<io.micrometer.observation.Observation.Context> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        observations.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
            @Override
            public void onStop(io.micrometer.observation.Observation.Context context) {
                seen.add(context);
            }

            @Override
            public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
                return true;
            }
        });
        runner.withBean(io.micrometer.observation.ObservationRegistry.class, () -> observations)
                .withPropertyValues("vellum.url=sqlite:" + dir.resolve("o.db"))
                .run(context -> {
                    RecordStore store = context.getBean(RecordStore.class);
                    store.collection("people").insert("ada", Map.of("name", "Ada"), null);
                    store.collection("people", Person.class).get("ada");
                    store.useTransaction(tx -> tx.collection("people").insert("bob", Map.of("name", "Bob"), null));
                    assertThatThrownBy(() -> store.collection("people").insert("ada", Map.of(), null))
                            .isInstanceOf(dev.vellum.DuplicateRecordException.class);
                    assertThat(meters.get("vellum.store.operations")
                                    .tag("operation", "insert")
                                    .tag("outcome", "ok")
                                    .timer()
                                    .count())
                            .isEqualTo(2);
                    assertThat(meters.get("vellum.store.operations")
                                    .tag("operation", "insert")
                                    .tag("outcome", "error")
                                    .timer()
                                    .count())
                            .isEqualTo(1);
                    assertThat(meters.get("vellum.store.operations")
                                    .tag("operation", "get")
                                    .timer()
                                    .count())
                            .isEqualTo(1);
                    // the store's own methods stay its own behind the observations (the feed, async work)
                    store.collection("people").enableChanges();
                    assertThat(store.changes().now()).isNotBlank();
                    assertThat(store.async()
                                    .collection("people")
                                    .count(dev.vellum.Filter.all())
                                    .join())
                            .isEqualTo(2);
                    var insert = seen.stream()
                            .filter(c -> "insert people".equals(c.getContextualName()))
                            .findFirst()
                            .orElseThrow();
                    assertThat(insert.getLowCardinalityKeyValue("db.system.name")
                                    .getValue())
                            .isEqualTo("sqlite");
                    assertThat(insert.getLowCardinalityKeyValue("db.operation.name")
                                    .getValue())
                            .isEqualTo("insert");
                    assertThat(insert.getHighCardinalityKeyValue("db.collection.name")
                                    .getValue())
                            .isEqualTo("people");
                });
    }

    record Person(String id, String fullName) {}

    /** Typed collections may map through the application's Jackson 3 mapper, with its naming strategy. */
    @Test
    void typedCollectionsCanUseTheApplicationsJsonMapper() {
        tools.jackson.databind.json.JsonMapper snake = tools.jackson.databind.json.JsonMapper.builder()
                .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                .build();
        runner.withBean(tools.jackson.databind.json.JsonMapper.class, () -> snake)
                .withPropertyValues("vellum.url=memory:", "vellum.json.application-mapper=true")
                .run(context -> {
                    RecordStore store = context.getBean(RecordStore.class);
                    store.collection("people", Person.class).insert(new Person("ada", "Ada Lovelace"));
                    assertThat(store.collection("people")
                                    .get("ada")
                                    .orElseThrow()
                                    .fields()
                                    .has("full_name"))
                            .isTrue();
                    assertThat(store.collection("people", Person.class)
                                    .get("ada")
                                    .orElseThrow()
                                    .fullName())
                            .isEqualTo("Ada Lovelace");
                });
        // without the property, Vellum's own mapping
        runner.withBean(tools.jackson.databind.json.JsonMapper.class, () -> snake)
                .withPropertyValues("vellum.url=memory:")
                .run(context -> {
                    RecordStore store = context.getBean(RecordStore.class);
                    store.collection("people", Person.class).insert(new Person("ada", "Ada Lovelace"));
                    assertThat(store.collection("people")
                                    .get("ada")
                                    .orElseThrow()
                                    .fields()
                                    .has("fullName"))
                            .isTrue();
                });
    }
}
