package dev.vellum;

/** The schema is behind, a migration failed, or an applied migration was changed afterwards. */
public class MigrationException extends StorageException {
    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
