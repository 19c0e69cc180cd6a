package dev.vellum.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code vellum serve} as a real child process in a fixed heap, for the fault suite. */
final class ServeProcess implements AutoCloseable {
    final Process process;
    final URI base;
    private final Path log;

    private ServeProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts {@code vellum serve --port PORT} (0: any) with these variables, and waits for its first line. */
    static ServeProcess start(Path dir, Map<String, String> env, int port) throws IOException {
        return start(dir, env, port, "256m");
    }

    /** The same in a heap of {@code heap} ({@code -Xmx}). */
    static ServeProcess start(Path dir, Map<String, String> env, int port, String heap) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                VellumCli.class.getName(),
                "serve",
                "--port",
                String.valueOf(port)));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("VELLUM_"));
        builder.environment().putAll(env);
        builder.environment()
                .put(
                        "VELLUM_ENV_FILE",
                        Files.writeString(dir.resolve("serve.env"), "").toString());
        Path log = Files.createTempFile(dir, "serve", ".log");
        builder.redirectError(log.toFile());
        Process process = builder.start();
        BufferedReader stdout =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = stdout.readLine();
        if (line == null || !line.startsWith("Vellum serving http://")) {
            process.destroyForcibly();
            throw new IllegalStateException("vellum serve did not start: " + line + "\n" + Files.readString(log));
        }
        // keep draining stdout so the child never blocks on a full pipe
        Thread drain = new Thread(
                () -> {
                    try {
                        while (stdout.readLine() != null) {
                            // discard
                        }
                    } catch (IOException ignored) {
                        // the child is gone
                    }
                },
                "serve-stdout");
        drain.setDaemon(true);
        drain.start();
        return new ServeProcess(
                process, URI.create(line.substring("Vellum serving ".length(), line.indexOf("/v1 "))), log);
    }

    /** Whatever the server logged so far. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL: no shutdown hook, no graceful anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
