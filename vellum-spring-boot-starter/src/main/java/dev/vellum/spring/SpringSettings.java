package dev.vellum.spring;

import dev.vellum.ConfigurationException;
import dev.vellum.RecordStore;
import dev.vellum.Setting;
import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import dev.vellum.internal.Messages;
import dev.vellum.postgres.PostgresSettings;
import dev.vellum.sqlite.SqliteSettings;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * How the starter turns {@code vellum.*} properties into Vellum's configuration, and Vellum's configuration errors
 * back into property names.
 *
 * <p>Strictness: a {@code vellum.*} property close to one of Vellum's (a likely typo, {@code vellum.postgres.pool-mx})
 * stops the start, naming the property and what it is close to; any other {@code vellum.*} property is not Vellum's
 * ({@code -Dvellum.version=…} in a build, say) and is ignored. {@code VELLUM_*} variables are checked by Vellum itself.
 */
final class SpringSettings {
    private static final Logger LOG = LoggerFactory.getLogger(SpringSettings.class);
    /** The settings that name where the records live: one of these set means Vellum has a database of its own. */
    private static final List<SettingKey> LOCATION =
            List.of(Setting.DB_BACKEND, SqliteSettings.PATH, PostgresSettings.URL, PostgresSettings.HOST);

    private SpringSettings() {}

    /**
     * The properties over the environment; on the application's data source (when it has one) unless a property or
     * variable names a database for Vellum.
     */
    static VellumConfig config(Environment environment, VellumProperties properties, DataSource dataSource) {
        checkPropertyNames(environment);
        return explained(() -> {
            VellumConfig own = builder(properties).build();
            if (dataSource == null || properties.getUrl() != null || namesADatabase(own)) {
                return own;
            }
            return builder(properties).dataSource(dataSource).build();
        });
    }

    private static VellumConfig.Builder builder(VellumProperties properties) {
        VellumConfig.Builder builder = VellumConfig.builder().joinTransactions(new SpringTransactionJoin());
        properties.settings().forEach(builder::set);
        if (properties.getUrl() != null) {
            builder.url(properties.getUrl());
        }
        return builder;
    }

    private static boolean namesADatabase(VellumConfig config) {
        return LOCATION.stream().anyMatch(s -> !config.sourceOf(s).equals("default"));
    }

    /** Runs {@code work}; a configuration error comes out naming the property beside each variable it names. */
    static <T> T explained(Supplier<T> work) {
        try {
            return work.get();
        } catch (ConfigurationException e) {
            String message = e.getMessage();
            for (Map.Entry<SettingKey, String> entry : VellumProperties.PROPERTY_NAMES.entrySet()) {
                message = message.replaceAll(
                        "\\b" + entry.getKey().key() + "\\b",
                        entry.getValue() + " (" + entry.getKey().key() + ")");
            }
            throw message.equals(e.getMessage()) ? e : new ConfigurationException(message, e);
        }
    }

    /** Fails on a {@code vellum.*} property that looks like a misspelt one of Vellum's; ignores the others. */
    static void checkPropertyNames(Environment environment) {
        List<String> known = VellumProperties.names();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || String.valueOf(source.getUnderlyingSource()).contains("systemEnvironment")) {
                continue; // VELLUM_* variables are Vellum's to check, and it does
            }
            iterable.stream()
                    .filter(name -> name.toString().startsWith("vellum."))
                    .forEach(name -> {
                        String property = withoutIndexes(name);
                        if (known.contains(property)) {
                            return;
                        }
                        var nearest = Messages.nearest(property, known);
                        if (nearest.isPresent()) {
                            var origin = iterable.getConfigurationProperty(name);
                            throw new ConfigurationException("Unknown property " + property
                                    + (origin == null || origin.getOrigin() == null
                                            ? ""
                                            : " (" + origin.getOrigin() + ")")
                                    + ". Did you mean "
                                    + nearest.get() + "?");
                        }
                        LOG.debug("{} is not one of Vellum's properties; ignored", property);
                    });
        }
    }

    /** {@code vellum.migrations[0]} is {@code vellum.migrations}. */
    private static String withoutIndexes(ConfigurationPropertyName name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            if (!name.isNumericIndex(i)) {
                out.append(out.isEmpty() ? "" : ".").append(name.getElement(i, ConfigurationPropertyName.Form.DASHED));
            }
        }
        return out.toString();
    }

    /**
     * True unless the store will be the memory backend (which has no SQL database). Where the application defines
     * its own store or configuration, which backend it has is only known once it is built: the bean is registered
     * and is absent (null) on memory.
     */
    static final class HasDatabase implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            ConfigurableListableBeanFactory beans = context.getBeanFactory();
            if (beans != null
                    && (applicationDefines(beans, RecordStore.class, "vellumRecordStore")
                            || applicationDefines(beans, VellumConfig.class, "vellumConfig"))) {
                return true;
            }
            VellumProperties properties = Binder.get(context.getEnvironment())
                    .bind("vellum", VellumProperties.class)
                    .orElseGet(VellumProperties::new);
            return !explained(() -> builder(properties).build()).backend().equals("memory");
        }

        private static boolean applicationDefines(ConfigurableListableBeanFactory beans, Class<?> type, String ours) {
            for (String name : beans.getBeanNamesForType(type, true, false)) {
                if (!name.equals(ours)) {
                    return true;
                }
            }
            return false;
        }
    }
}
