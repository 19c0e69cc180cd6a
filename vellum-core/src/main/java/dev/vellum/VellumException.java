package dev.vellum;

/**
 * Base of every exception Vellum throws. Messages are written for the person reading them: they say what was wrong
 * and how to fix it, and never contain a password or a token.
 */
public class VellumException extends RuntimeException {
    public VellumException(String message) {
        super(message);
    }

    public VellumException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Input as Vellum's messages quote it, for modules that write their own: at most 80 characters (then the length),
     * control characters and lone surrogates escaped, so a hostile value cannot flood or forge a log line.
     */
    public static String quote(String input) {
        return dev.vellum.internal.Messages.abbreviate(input);
    }
}
