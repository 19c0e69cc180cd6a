/**
 * The memory engine: records in the process, evaluated by the reference semantics that every other backend is
 * tested against. Package-private inside; {@code MemoryStore} is what {@code Vellum} opens.
 */
package dev.vellum.engine.memory;
