package dev.vellum;

/**
 * A change-feed token points before the oldest change still kept ({@code VELLUM_CHANGES_RETENTION}): changes after it
 * are gone, so reading on would skip them. The client must resync (read the collection again) and continue from a
 * fresh token ({@code changes().now()}, or HTTP without {@code after}).
 */
public class ChangeTokenExpiredException extends VellumException {
    public ChangeTokenExpiredException(String token) {
        super("Change token " + token + " has expired: changes after it are older than the feed's retention "
                + "(VELLUM_CHANGES_RETENTION) and were removed. Read the records again to resync, then follow the "
                + "feed from a new token (omit 'after' to start from now)");
    }
}
