package dev.vellum;

/** A copy or restore was refused or could not finish; the message says which and what to do. */
public class TransferException extends VellumException {
    public TransferException(String message) {
        super(message);
    }
}
