package dev.vellum.spi;

import dev.vellum.VellumConfig;

/**
 * A module's check of the settings it reads, run each time a {@link VellumConfig} is built. Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.vellum.spi.SettingsCheck}), so a mistake in a
 * module's settings is reported when the configuration is built, whichever program builds it, while core does not
 * parse them.
 */
public interface SettingsCheck {
    /** Throws {@link dev.vellum.ConfigurationException} naming the setting to fix. */
    void check(VellumConfig config);
}
