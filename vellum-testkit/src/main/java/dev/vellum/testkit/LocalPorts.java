package dev.vellum.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers the tests start on 127.0.0.1. They are drawn below the kernel's ephemeral range (Linux:
 * 32768 and up): a port the kernel hands out ({@code new ServerSocket(0)}) can be taken, before the test's server
 * binds it, as the local end of any client connection on the machine — the tests open hundreds.
 */
public final class LocalPorts {
    private static final int LOWEST = 20_000;
    private static final int ABOVE_HIGHEST = 32_000;

    private LocalPorts() {}

    /** A port no one listens on right now (the server that takes it binds it moments later). */
    public static int free() {
        return freeRun(1);
    }

    /** The first of {@code count} consecutive free ports (a server and the replica a script puts on the next one). */
    public static int freeRun(int count) {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(LOWEST, ABOVE_HIGHEST - count);
            boolean allFree = true;
            for (int port = first; allFree && port < first + count; port++) {
                allFree = bindable(port);
            }
            if (allFree) {
                return first;
            }
        }
        throw new IllegalStateException(
                "No " + count + " free consecutive local ports between " + LOWEST + " and " + ABOVE_HIGHEST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
