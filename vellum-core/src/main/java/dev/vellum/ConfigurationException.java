package dev.vellum;

/** A setting is unknown, missing or has a bad value. The message names the setting. */
public class ConfigurationException extends VellumException {
    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
