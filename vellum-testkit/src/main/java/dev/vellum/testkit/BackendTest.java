package dev.vellum.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test once per backend, each time on a fresh, empty database. The test receives a {@link TestBackend}
 * and/or a {@link dev.vellum.Database} opened on it with default settings (closed after the test).
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BackendInvocations.class)
public @interface BackendTest {
    /** The backends to run on. */
    String[] value() default {"sqlite", "postgres"};
}
