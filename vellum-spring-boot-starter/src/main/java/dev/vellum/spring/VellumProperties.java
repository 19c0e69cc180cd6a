package dev.vellum.spring;

import dev.vellum.VellumConfig;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.util.Locale;
import java.util.Map;

/**
 * {@code vellum.*} properties as Vellum settings: {@code vellum.url} is the store's URL ({@code sqlite:./app.db},
 * {@code postgres://…}, {@code memory:}), and every other key is the setting of the same name
 * ({@code vellum.postgres.pool-max} or {@code vellum.postgres-pool-max} is {@code VELLUM_POSTGRES_POOL_MAX}). A property
 * wins over the environment variable, which wins over {@code .env}; an unknown key fails the start with Vellum's own
 * message.
 */
final class VellumProperties {
    private VellumProperties() {
    }

    static VellumConfig config(Environment environment) {
        Map<String, String> properties = Binder.get(environment)
                .bind("vellum", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        VellumConfig.Builder builder = VellumConfig.builder();
        properties.forEach((key, value) -> {
            if (key.equals("url")) {
                return; // last, below: the URL names the backend and its location together
            }
            String setting = "VELLUM_" + key.replaceAll("[.\\-\\[\\]]+", "_").replaceAll("_+$", "")
                    .toUpperCase(Locale.ROOT);
            builder.set(setting, value);
        });
        if (properties.containsKey("url")) {
            builder.url(properties.get("url"));
        }
        return builder.build();
    }

    /**
     * True unless the properties make a memory store (which has no SQL database). Where the application defines its
     * own store or configuration, which backend it has is only known once it is built: the bean is registered and
     * is absent (null) on memory.
     */
    static final class HasDatabase implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            var beans = context.getBeanFactory();
            if (beans != null && (applicationDefines(beans, dev.vellum.RecordStore.class, "vellumRecordStore")
                    || applicationDefines(beans, VellumConfig.class, "vellumConfig"))) {
                return true;
            }
            return !config(context.getEnvironment()).backend().equals("memory");
        }

        private static boolean applicationDefines(
                org.springframework.beans.factory.config.ConfigurableListableBeanFactory beans, Class<?> type,
                String ours) {
            for (String name : beans.getBeanNamesForType(type, true, false)) {
                if (!name.equals(ours)) {
                    return true;
                }
            }
            return false;
        }
    }
}
