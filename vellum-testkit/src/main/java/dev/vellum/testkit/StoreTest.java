package dev.vellum.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the test on every record-store backend (memory, SQLite, PostgreSQL, and the plugin backends named by
 * {@code -Dvellum.test.extraBackends=name=url,…}), each on a fresh store. The test receives a
 * {@link dev.vellum.RecordStore} and/or a {@link TestBackend}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@BackendTest({"memory", "sqlite", "postgres"})
public @interface StoreTest {}
