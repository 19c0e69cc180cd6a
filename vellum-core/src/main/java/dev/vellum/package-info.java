/**
 * The user API: open a store or a database ({@link dev.vellum.Vellum}, {@link dev.vellum.Database}), configure it
 * ({@link dev.vellum.VellumConfig}), work with collections of records ({@link dev.vellum.Collection},
 * {@link dev.vellum.Filter}, {@link dev.vellum.Query}), and the exceptions every failure is one of. Everything public
 * here is the compatible surface; the engine behind it is package-private.
 */
package dev.vellum;
