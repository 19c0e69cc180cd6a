package dev.vellum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A SQLite file with Vellum's schema migrated in, made once per JVM: store tests start from a copy of it, as they
 * start from a template database on PostgreSQL, instead of running every migration each time.
 */
final class SqliteTemplate {
    private static Path template;

    private SqliteTemplate() {}

    /** Copies the migrated file to {@code target}, which must not exist yet. */
    static void copyTo(Path target) throws IOException {
        Files.copy(template(), target);
    }

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path dir = Files.createTempDirectory("vellum-template");
            Path file = dir.resolve("template.db");
            TestBackend.sqlite(file).migrate();
            if (Files.exists(dir.resolve("template.db-wal"))) {
                // the last connection folds the write-ahead log into the file; one left over would not be copied
                throw new IllegalStateException("SQLite left a write-ahead log beside " + file + " on close");
            }
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    TestFiles.deleteTree(dir);
                                } catch (UncheckedIOException | IOException e) {
                                    // a leftover temporary file is harmless
                                }
                            },
                            "vellum-template-cleanup"));
            template = file;
        }
        return template;
    }
}
