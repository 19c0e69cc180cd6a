package dev.vellum.spring;

import dev.vellum.ConfigurationException;
import dev.vellum.ConnectionException;
import dev.vellum.MigrationException;
import dev.vellum.VellumException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A start that Vellum stopped, explained the way Spring Boot explains its own: what is wrong (Vellum's message, which
 * names the property or variable) and what to do about it, instead of a stack of bean-creation exceptions.
 */
class VellumFailureAnalyzer extends AbstractFailureAnalyzer<VellumException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, VellumException cause) {
        if (cause instanceof ConfigurationException) {
            return new FailureAnalysis(
                    "Vellum's configuration is not valid: " + cause.getMessage(),
                    "Fix the "
                            + "vellum.* property (or the VELLUM_* variable) named above. Vellum's properties are listed, with "
                            + "their meaning, in your IDE's completion for vellum.* and in Vellum's README (Configuration).",
                    cause);
        }
        if (cause instanceof ConnectionException) {
            return new FailureAnalysis(
                    "Vellum could not reach its database: " + cause.getMessage(),
                    "Check that the "
                            + "database is running and reachable, and the setting named above (vellum.url or "
                            + "spring.datasource.url when Vellum runs on the application's data source).",
                    cause);
        }
        if (cause instanceof MigrationException) {
            return new FailureAnalysis(
                    "Vellum could not bring its schema up to date: " + cause.getMessage(),
                    "Follow the message above; `vellum migrate status` shows each migration and its state.",
                    cause);
        }
        return null;
    }
}
