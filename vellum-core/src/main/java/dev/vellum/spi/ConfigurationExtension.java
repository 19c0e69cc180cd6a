package dev.vellum.spi;

import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import java.util.List;

/**
 * A module's own settings (Flyway's configuration extensions): the keys it declares, which {@link VellumConfig}
 * then accepts, layers (builder, environment, {@code .env}, default) and lists beside core's, and its check of their
 * values, run each time a configuration is built so a mistake is reported before anything opens. Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.vellum.spi.ConfigurationExtension}), so a third-party
 * backend adds settings without editing core.
 */
public interface ConfigurationExtension {

    /** The keys this module reads; each starts with {@code VELLUM_} and is declared by one module only. */
    List<? extends SettingKey> settings();

    /** Throws {@link dev.vellum.ConfigurationException} naming the setting to fix. */
    default void check(VellumConfig config) {}
}
