package dev.vellum.spring;

import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.transaction.TransactionManager;

/**
 * A {@link RecordStore} (and its {@link Database}, except on the memory backend) from {@code vellum.*} properties and
 * the {@code VELLUM_*} variables, a transaction manager so that {@code @Transactional} methods span Vellum writes, a
 * health indicator that touches the database, and Micrometer gauges of the connection pool. Each bean steps aside
 * for one the application defines.
 */
@AutoConfiguration(before = TransactionAutoConfiguration.class)
@ConditionalOnClass(RecordStore.class)
public class VellumAutoConfiguration {

    /** The configuration the beans are built from: the {@code vellum.*} properties over the environment. */
    @Bean
    @ConditionalOnMissingBean
    public VellumConfig vellumConfig(Environment environment) {
        return VellumProperties.config(environment);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RecordStore vellumRecordStore(VellumConfig config) {
        return Vellum.open(config);
    }

    /**
     * The SQL layer of the store's database. Not on the memory backend, which has none: no bean when the properties
     * say memory, and a null bean (absent to injection, empty to {@code ObjectProvider}) when the application's own
     * store turns out to be one.
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(VellumProperties.HasDatabase.class)
    public Database vellumDatabase(RecordStore store) {
        return store.database().orElse(null);
    }

    @Bean
    @ConditionalOnMissingBean(TransactionManager.class)
    public VellumTransactionManager vellumTransactionManager(RecordStore store) {
        return new VellumTransactionManager(store);
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
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean(name = "vellumMetrics")
        public MeterBinder vellumMetrics(RecordStore store) {
            return new VellumMetrics(store);
        }
    }
}
