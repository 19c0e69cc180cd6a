package dev.vellum;

/**
 * A configuration key: core's own are {@link Setting}s; a module declares its own (the PostgreSQL backend's, the
 * HTTP server's) through {@link dev.vellum.spi.ConfigurationExtension}, and {@link VellumConfig} reads, checks and
 * reports them all alike.
 */
public interface SettingKey {

    /** The environment variable name, e.g. {@code VELLUM_POSTGRES_POOL_MAX}. */
    String key();

    /** The value when none is set; empty for "none". */
    String defaultValue();

    /** One line on what it does, for {@code vellum config} and the docs. */
    String description();

    /** True when the value may carry a password and so is never echoed in messages. */
    default boolean isSecret() {
        return false;
    }

    /**
     * A variable read when this setting is not set anywhere, e.g. {@code DATABASE_URL} for the PostgreSQL URL
     * (the convention of hosting platforms); null when there is none.
     */
    default String fallbackKey() {
        return null;
    }

    /** A module's setting, declared in its {@link dev.vellum.spi.ConfigurationExtension}. */
    static Declared of(String key, String defaultValue, String description) {
        return new Declared(key, defaultValue, description, false, null);
    }

    /** A setting a module declares: see {@link #of}. */
    record Declared(String key, String defaultValue, String description, boolean isSecret, String fallbackKey)
            implements SettingKey {
        public Declared {
            if (!key.startsWith("VELLUM_")) {
                throw new IllegalArgumentException("a setting's key starts with VELLUM_: " + key);
            }
        }

        /** The same setting, its value never echoed. */
        public Declared secret() {
            return new Declared(key, defaultValue, description, true, fallbackKey);
        }

        /** The same setting, read from {@code variable} when it is set nowhere else. */
        public Declared fallingBackTo(String variable) {
            return new Declared(key, defaultValue, description, isSecret, variable);
        }

        @Override
        public String toString() {
            return key;
        }
    }
}
