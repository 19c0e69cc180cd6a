package dev.vellum.sqlite;

import dev.vellum.SettingKey;
import dev.vellum.spi.ConfigurationExtension;
import java.util.List;

/** The SQLite backend's settings. */
public final class SqliteSettings {
    public static final SettingKey PATH = SettingKey.of("VELLUM_SQLITE_PATH", "./vellum.db", "SQLite database file");

    /** Every setting of this module, in the order {@code vellum config} lists them. */
    public static final List<SettingKey> ALL = List.of(PATH);

    private SqliteSettings() {}

    /** Declares the settings to {@code VellumConfig}. */
    public static final class Extension implements ConfigurationExtension {
        @Override
        public List<SettingKey> settings() {
            return ALL;
        }
    }
}
