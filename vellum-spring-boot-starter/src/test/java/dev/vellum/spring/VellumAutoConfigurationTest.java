package dev.vellum.spring;

import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The auto-configuration in a bare application context, on the memory and SQLite backends. */
class VellumAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(VellumAutoConfiguration.class));

    @Test
    void propertiesBecomeSettingsAndTheBeansAppear(@TempDir Path dir) {
        runner.withPropertyValues("vellum.url=sqlite:" + dir.resolve("app.db"), "vellum.postgres.pool-max=7",
                "vellum.connect-timeout=5s").run(context -> {
                    assertThat(context).hasSingleBean(RecordStore.class).hasSingleBean(Database.class)
                            .hasSingleBean(VellumTransactionManager.class).hasBean("vellumHealthIndicator");
                    VellumConfig config = context.getBean(VellumConfig.class);
                    assertThat(config.backend()).isEqualTo("sqlite");
                    assertThat(config.poolMax()).isEqualTo(7);
                    assertThat(context.getBean(Database.class).fetchOne("SELECT 1 AS one")).isPresent();
                    HealthIndicator health = context.getBean("vellumHealthIndicator", HealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(health.health().getDetails()).containsEntry("backend", "sqlite");
                });
    }

    @Test
    void theMemoryBackendHasNoDatabaseBean() {
        runner.withPropertyValues("vellum.url=memory:").run(context -> {
            assertThat(context).hasSingleBean(RecordStore.class).doesNotHaveBean(Database.class);
            assertThat(context.getBean("vellumHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
        });
    }

    @Test
    void anUnknownSettingFailsTheStartWithVellumsMessage() {
        runner.withPropertyValues("vellum.url=memory:", "vellum.pool-maximum=3").run(context -> {
            assertThat(context).hasFailed();
            Throwable t = context.getStartupFailure();
            while (t.getCause() != null && !(t instanceof dev.vellum.ConfigurationException)) {
                t = t.getCause();
            }
            assertThat(t).isInstanceOf(dev.vellum.ConfigurationException.class)
                    .hasMessageContaining("Unknown setting VELLUM_POOL_MAXIMUM");
        });
    }

    @Test
    void theApplicationsOwnStoreWins() {
        runner.withBean(RecordStore.class, () -> Vellum.open("memory:")).withPropertyValues("vellum.url=memory:")
                .run(context -> assertThat(context).hasSingleBean(RecordStore.class));
    }

    /** The properties (none here: SQLite by default) do not decide for the application's own memory store. */
    @Test
    void anApplicationsOwnMemoryStoreStartsWithoutADatabase() {
        runner.withBean(RecordStore.class, () -> Vellum.open("memory:")).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RecordStore.class);
            assertThat(context.getBeanProvider(Database.class).getIfAvailable()).isNull();
        });
        runner.withBean(VellumConfig.class, () -> VellumConfig.builder().url("memory:").build()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RecordStore.class).database()).isEmpty();
            assertThat(context.getBeanProvider(Database.class).getIfAvailable()).isNull();
        });
    }

    @Test
    void transactionsCommitRollBackAndNest(@TempDir Path dir) {
        runner.withPropertyValues("vellum.url=sqlite:" + dir.resolve("tx.db")).run(context -> {
            RecordStore store = context.getBean(RecordStore.class);
            TransactionTemplate tx = new TransactionTemplate(context.getBean(VellumTransactionManager.class));
            tx.executeWithoutResult(s -> store.collection("a").insert("kept", Map.of("n", 1), null));
            assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                store.collection("a").insert("gone", Map.of("n", 2), null);
                throw new IllegalStateException("roll back");
            })).isInstanceOf(IllegalStateException.class);
            String answer = tx.execute(s -> {
                store.collection("a").insert("marked", Map.of("n", 3), null);
                s.setRollbackOnly();
                return "answered";
            });
            assertThat(answer).isEqualTo("answered");
            // NESTED: a savepoint, whose failure undoes its own writes only
            TransactionTemplate nested = new TransactionTemplate(context.getBean(VellumTransactionManager.class));
            nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
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
            // REQUIRED joins: a joined method's failure dooms the whole transaction, even when the caller catches it
            assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                store.collection("a").insert("doomed", Map.of("n", 6), null);
                try {
                    tx.executeWithoutResult(inner -> {
                        throw new IllegalStateException("inner");
                    });
                } catch (IllegalStateException expected) {
                    // caught, yet the transaction cannot commit
                }
            })).isInstanceOf(org.springframework.transaction.UnexpectedRollbackException.class);
            assertThat(store.collection("a").getMany(java.util.List.of("kept", "gone", "marked", "outer", "inner",
                    "doomed"))).extracting(dev.vellum.Record::id).containsExactly("kept", "outer");
            // SUPPORTS runs without one, MANDATORY needs one, NEVER refuses one
            TransactionTemplate mandatory = new TransactionTemplate(context.getBean(VellumTransactionManager.class));
            mandatory.setPropagationBehavior(TransactionDefinition.PROPAGATION_MANDATORY);
            assertThatThrownBy(() -> mandatory.executeWithoutResult(s -> { }))
                    .isInstanceOf(IllegalTransactionStateException.class).hasMessageContaining("MANDATORY");
            tx.executeWithoutResult(s -> mandatory.executeWithoutResult(inner -> store.collection("a")
                    .insert("joined", Map.of("n", 7), null)));
            assertThat(store.collection("a").get("joined")).isPresent();
            TransactionTemplate never = new TransactionTemplate(context.getBean(VellumTransactionManager.class));
            never.setPropagationBehavior(TransactionDefinition.PROPAGATION_NEVER);
            Boolean newTransaction = never.execute(s -> s.isNewTransaction());
            assertThat(newTransaction).isFalse();
            assertThatThrownBy(() -> tx.executeWithoutResult(s -> never.executeWithoutResult(inner -> { })))
                    .isInstanceOf(IllegalTransactionStateException.class).hasMessageContaining("NEVER");

            VellumTransactionManager manager = context.getBean(VellumTransactionManager.class);
            assertThatThrownBy(() -> manager.getTransaction(new DefaultTransactionDefinition()))
                    .isInstanceOf(IllegalTransactionStateException.class).hasMessageContaining("@Transactional");
            DefaultTransactionDefinition requiresNew = new DefaultTransactionDefinition(
                    TransactionDefinition.PROPAGATION_REQUIRES_NEW);
            assertThatThrownBy(() -> manager.execute(requiresNew, s -> null))
                    .isInstanceOf(IllegalTransactionStateException.class).hasMessageContaining("REQUIRED");
        });
    }

    @Test
    void poolGaugesOnTheApplicationsRegistry(@TempDir Path dir) {
        runner.withPropertyValues("vellum.url=sqlite:" + dir.resolve("m.db")).run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean("vellumMetrics", io.micrometer.core.instrument.binder.MeterBinder.class).bindTo(registry);
            assertThat(registry.get("vellum.pool.max").gauge().value()).isGreaterThan(0);
            assertThat(registry.get("vellum.pool.connections").tag("state", "active").gauge()).isNotNull();
        });
    }
}
