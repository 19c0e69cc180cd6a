package dev.vellum.spring;

import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.TypeMapper;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionManager;

/**
 * A {@link RecordStore} (and its {@link Database}, except on the memory backend) from {@code vellum.*} properties and
 * the {@code VELLUM_*} variables, a transaction manager so that {@code @Transactional} methods span Vellum writes, a
 * health indicator that touches the database, and Micrometer gauges of the connection pool. Each bean steps aside
 * for one the application defines.
 *
 * <p>Transactions: where no Vellum database is configured and the application has a {@code DataSource}, the store
 * runs on it, and its writes join the application's own transactions (its {@code DataSourceTransactionManager} or
 * {@code JpaTransactionManager}): one {@code @Transactional} method commits or rolls back JDBC, JPA and Vellum
 * writes together. Where Vellum has a database of its own, {@code vellumTransactionManager} runs its transactions; it
 * is the application's default only when the application has no transaction manager of its own (otherwise
 * {@code @Transactional("vellumTransactionManager")} names it).
 */
@AutoConfiguration(
        before = TransactionAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
            "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"
        })
@ConditionalOnClass(RecordStore.class)
@EnableConfigurationProperties(VellumProperties.class)
public class VellumAutoConfiguration {
    static final String TRANSACTION_MANAGER = "vellumTransactionManager";

    /**
     * The configuration the beans are built from: the {@code vellum.*} properties over the environment, on the
     * application's data source when nothing names a database for Vellum.
     */
    @Bean
    @ConditionalOnMissingBean
    public VellumConfig vellumConfig(
            Environment environment, VellumProperties properties, ObjectProvider<DataSource> dataSources) {
        return SpringSettings.config(environment, properties, dataSources.getIfUnique());
    }

    /**
     * The store, each operation observed (timers, and spans where tracing is set up) when the application has
     * Micrometer's observations, its typed collections mapped by the application's {@link TypeMapper} when it has
     * one ({@code vellum.json.application-mapper=true} makes its Jackson 3 mapper one).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RecordStore vellumRecordStore(
            VellumConfig config, ObjectProvider<StoreObserver> observer, ObjectProvider<TypeMapper> typeMapper) {
        TestedVersions.check();
        RecordStore store = SpringSettings.explained(() -> Vellum.open(config));
        return ObservedStore.wrap(store, observer.getIfAvailable(), typeMapper.getIfUnique());
    }

    /**
     * The SQL layer of the store's database. Not on the memory backend, which has none: no bean when the properties
     * say memory, and a null bean (absent to injection, empty to {@code ObjectProvider}) when the application's own
     * store turns out to be one.
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(SpringSettings.HasDatabase.class)
    public Database vellumDatabase(RecordStore store) {
        return store.database().orElse(null);
    }

    /**
     * Spring's own transaction manager over the store's data source ({@link VellumTransactionManager}), or, for a
     * store without SQL (memory), one over its transactions: the application's default, as it has no other.
     */
    @Bean(TRANSACTION_MANAGER)
    @ConditionalOnMissingBean(value = TransactionManager.class, name = TRANSACTION_MANAGER)
    public PlatformTransactionManager vellumTransactionManager(RecordStore store) {
        return transactionManager(store);
    }

    /**
     * The same beside the application's own transaction manager (a {@code DataSource}'s, JPA's, its own bean), which
     * it never displaces: plain {@code @Transactional}, {@code TransactionTemplate} and injection by type keep finding
     * the application's; {@code @Transactional("vellumTransactionManager")} names this one.
     */
    @Bean(name = TRANSACTION_MANAGER, defaultCandidate = false)
    @ConditionalOnBean(TransactionManager.class)
    @ConditionalOnMissingBean(name = TRANSACTION_MANAGER)
    public PlatformTransactionManager vellumTransactionManagerBesideTheApplications(RecordStore store) {
        return transactionManager(store);
    }

    private static PlatformTransactionManager transactionManager(RecordStore store) {
        return store.database()
                .<PlatformTransactionManager>map(VellumTransactionManager::new)
                .orElseGet(() -> new MemoryTransactionManager(store));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "vellumHealthIndicator")
        public HealthIndicator vellumHealthIndicator(RecordStore store) {
            return new VellumHealthIndicator(store);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    static class Observations {
        @Bean
        @ConditionalOnBean(ObservationRegistry.class)
        StoreObserver vellumStoreObserver(ObservationRegistry registry) {
            return new ObservationStoreObserver(registry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    @ConditionalOnProperty(name = "vellum.json.application-mapper", havingValue = "true")
    static class ApplicationJsonMapper {
        @Bean
        @ConditionalOnMissingBean(TypeMapper.class)
        TypeMapper vellumTypeMapper(tools.jackson.databind.json.JsonMapper mapper) {
            return new Jackson3TypeMapper(mapper);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean(name = "vellumMetrics")
        public MeterBinder vellumMetrics(RecordStore store) {
            return new VellumMetrics(store);
        }
    }
}
