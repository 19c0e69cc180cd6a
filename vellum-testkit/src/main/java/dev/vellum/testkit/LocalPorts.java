package dev.vellum.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Ports for the servers the tests start on 127.0.0.1. */
final class LocalPorts {
    private LocalPorts() {
    }

    /** A port no one listens on right now (the server that takes it binds it moments later). */
    static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free local port", e);
        }
    }
}
