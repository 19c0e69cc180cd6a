package dev.vellum;

/**
 * A change-feed token names a change older than the retention ({@code VELLUM_CHANGES_RETENTION}), which has been
 * removed, and changes after it may be gone too, so reading on could skip them. The client must resync (read the
 * collection again) and continue from a fresh token ({@code changes().now()}, or HTTP without {@code after}).
 */
public class ChangeTokenExpiredException extends VellumException {
    public ChangeTokenExpiredException(String token) {
        super("Change token " + token + " has expired: it is older than the feed's retention "
                + "(VELLUM_CHANGES_RETENTION), and the changes it names were removed. Read the records again to resync, then follow the "
                + "feed from a new token (omit 'after' to start from now)");
    }
}
