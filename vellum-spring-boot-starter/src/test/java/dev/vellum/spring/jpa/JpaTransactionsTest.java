package dev.vellum.spring.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.RecordStore;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.spring.VellumAutoConfiguration;
import dev.vellum.testkit.PostgresServer;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An application on JPA: its JpaTransactionManager stays the one @Transactional finds, and one of its transactions
 * carries an entity and a Vellum record together (Hibernate hands Spring its JDBC connection, which Vellum joins).
 */
class JpaTransactionsTest {

    @Configuration(proxyBeanMethods = false)
    @EntityScan(basePackageClasses = Invoice.class)
    static class JpaApplication {}

    @Test
    void oneJpaTransactionCarriesAnEntityAndARecord() {
        PostgresTarget database = PostgresServer.shared().createDatabase();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        DataSourceAutoConfiguration.class,
                        HibernateJpaAutoConfiguration.class,
                        TransactionAutoConfiguration.class,
                        VellumAutoConfiguration.class))
                .withUserConfiguration(JpaApplication.class)
                .withPropertyValues(
                        "spring.datasource.url=" + database.jdbcUrl(),
                        "spring.datasource.username=" + database.user(),
                        "spring.datasource.password=" + database.password(),
                        "spring.jpa.hibernate.ddl-auto=create")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(PlatformTransactionManager.class))
                            .isInstanceOf(JpaTransactionManager.class);
                    RecordStore store = context.getBean(RecordStore.class);
                    EntityManager entities = SharedEntityManagerCreator.createSharedEntityManager(
                            context.getBean(EntityManagerFactory.class));
                    TransactionTemplate tx = context.getBean(TransactionTemplate.class);

                    assertThatThrownBy(() -> tx.executeWithoutResult(s -> {
                                entities.persist(new Invoice("o1", new BigDecimal("12.50")));
                                entities.flush();
                                store.collection("orders").insert("o1", Map.of("total", 12.5), null);
                                throw new IllegalStateException("payment failed");
                            }))
                            .hasMessage("payment failed");
                    Invoice missing = tx.execute(s -> entities.find(Invoice.class, "o1"));
                    assertThat(missing).isNull();
                    assertThat(store.collection("orders").get("o1")).isEmpty();

                    tx.executeWithoutResult(s -> {
                        entities.persist(new Invoice("o2", new BigDecimal("3")));
                        store.collection("orders").insert("o2", Map.of("total", 3), null);
                    });
                    Invoice kept = tx.execute(s -> entities.find(Invoice.class, "o2"));
                    assertThat(kept).isNotNull();
                    assertThat(store.collection("orders").get("o2")).isPresent();
                });
    }
}
