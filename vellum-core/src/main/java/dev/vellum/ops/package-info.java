/**
 * Operations on whole stores, written as clients of the public API and the SPI: copy between backends
 * ({@link dev.vellum.ops.Transfer}), backup and restore ({@link dev.vellum.ops.Backup}), statistics and upkeep
 * ({@link dev.vellum.ops.Maintenance}). The {@code vellum} command's copy, backup, restore, stats and maintain use them.
 */
package dev.vellum.ops;
