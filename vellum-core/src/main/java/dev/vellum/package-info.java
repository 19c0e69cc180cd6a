/**
 * The user API: open a store or a database ({@link dev.vellum.Vellum}, {@link dev.vellum.Database}), configure it
 * ({@link dev.vellum.VellumConfig}), work with collections of records ({@link dev.vellum.Collection},
 * {@link dev.vellum.Filter}, {@link dev.vellum.Query}), and the exceptions every failure is one of. Everything
 * here is the compatible surface; the engine behind it lives in {@code dev.vellum.engine}, which has no
 * compatibility promise.
 */
package dev.vellum;
