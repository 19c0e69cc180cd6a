package dev.vellum.cli;

import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.server.ServerSettings;
import dev.vellum.server.VellumServer;
import dev.vellum.sqlite.SqliteBackend;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vellum serve}: the HTTP JSON API until SIGTERM or Ctrl-C, then a graceful stop. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve the HTTP JSON API (default http://127.0.0.1:8080 on ./vellum.db).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    VellumCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (VELLUM_HTTP_HOST)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Port, 0 for any free one (VELLUM_HTTP_PORT)")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        VellumConfig.Builder builder = cli.configure();
        if (host != null) {
            builder.set("VELLUM_HTTP_HOST", host);
        }
        if (port != null) {
            builder.set("VELLUM_HTTP_PORT", String.valueOf(port));
        }
        VellumConfig config = builder.build();
        ServerSettings settings = ServerSettings.from(config);
        RecordStore store = Vellum.open(config);
        VellumServer server;
        try {
            server = VellumServer.configure().store(store).settings(settings).start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        Thread hook = new Thread(
                () -> {
                    server.close();
                    store.close();
                },
                "vellum-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String data = config.backend().equals("sqlite")
                ? SqliteBackend.path(config).toAbsolutePath().normalize().toString()
                : config.describeTarget();
        spec.commandLine()
                .getOut()
                .printf(
                        "Vellum serving %s/v1 on %s at %s (%s); try: curl %s/v1/collections — " + "stop with Ctrl-C%n",
                        server.uri(),
                        config.backend(),
                        data,
                        settings.apiKeys().isEmpty() ? "no API keys" : "API keys required",
                        server.uri());
        spec.commandLine().getOut().flush();
        try {
            server.awaitStop();
        } finally {
            // interrupted (embedded use) rather than stopped by a signal: stop here, and drop the hook
            server.close();
            store.close();
            if (!Thread.currentThread().isInterrupted()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it closes the same things, and closing twice is harmless
                }
            }
        }
        return 0;
    }
}
