package dev.vellum.spi;

import dev.vellum.MigrationException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serialises migrations of one database across threads and processes. PostgreSQL needs nothing here (Flyway takes an
 * advisory lock); SQLite has no server, so a lock file beside the database file does the job.
 */
public interface MigrationLock {

    <T> T around(Supplier<T> work);

    /** No extra locking: the database serialises migrations itself. */
    static MigrationLock none() {
        return new MigrationLock() {
            @Override
            public <T> T around(Supplier<T> work) {
                return work.get();
            }
        };
    }

    /** An exclusive lock on {@code lockFile}, held across threads of this JVM and across processes. */
    static MigrationLock file(Path lockFile) {
        Path key = lockFile.toAbsolutePath().normalize();
        return new MigrationLock() {
            @Override
            public <T> T around(Supplier<T> work) {
                // A FileLock is per process; the JVM-wide lock keeps two threads of one process apart.
                ReentrantLock local = FileLocks.LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
                local.lock();
                try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    return work.get();
                } catch (IOException e) {
                    throw new MigrationException(
                            "Cannot lock " + key + " to run migrations: " + e.getMessage()
                                    + ". Check that the directory is writable.",
                            e);
                } finally {
                    local.unlock();
                }
            }
        };
    }

    /** Holder for the per-JVM locks, so that every {@link #file} lock on one path shares one. */
    final class FileLocks {
        private static final Map<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

        private FileLocks() {}
    }
}
