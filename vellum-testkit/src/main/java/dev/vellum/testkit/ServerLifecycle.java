package dev.vellum.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;

/** Ties the shared server to the JUnit run: it is closed when the run ends, whether tests passed or not. */
final class ServerLifecycle {
    private ServerLifecycle() {}

    @SuppressWarnings("deprecation") // CloseableResource is the way to close at the end of the run on JUnit 5.x
    static PostgresServer server(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(
                        PostgresServer.class.getName(), k -> new Handle(PostgresServer.shared()), Handle.class)
                .server;
    }

    /** Both interfaces, so that JUnit versions before and after CloseableResource's deprecation close it. */
    @SuppressWarnings("deprecation")
    private record Handle(PostgresServer server) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }
}
