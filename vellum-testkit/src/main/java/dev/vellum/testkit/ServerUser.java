package dev.vellum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Servers that refuse to run as root (PostgreSQL, PgBouncer) run as this user when the tests run as root. */
final class ServerUser {
    private ServerUser() {}

    /** {@code postgres} (or {@code nobody} where there is no such user) when this JVM is root; empty otherwise. */
    static Optional<String> whenRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(line -> line.startsWith("postgres:"))
                            ? "postgres"
                            : "nobody");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read /etc/passwd", e);
        }
    }
}
