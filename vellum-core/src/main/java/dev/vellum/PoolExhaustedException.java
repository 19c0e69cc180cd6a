package dev.vellum;

/**
 * Every connection of the pool stayed in use for as long as the caller could wait: the database answers, but this
 * process already runs as much at once as its pool allows. Nothing was written; retry shortly, or raise the pool's
 * size ({@code VELLUM_POSTGRES_POOL_MAX}) if it happens under normal load.
 */
public class PoolExhaustedException extends StorageException {
    public PoolExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
