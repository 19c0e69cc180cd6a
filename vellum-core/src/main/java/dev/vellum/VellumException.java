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
}
