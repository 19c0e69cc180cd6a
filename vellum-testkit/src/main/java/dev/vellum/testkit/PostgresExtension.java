package dev.vellum.testkit;

import dev.vellum.postgres.PostgresTarget;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class its own fresh database on a real PostgreSQL server ({@link PostgresServer}). Declare a
 * {@link PostgresTarget} parameter on a test, a lifecycle method or the constructor to receive it.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyTest {
 *     @Test void works(PostgresTarget db) { try (Database d = Database.open(db.toUrlWithCredentials())) { … } }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE)
                .put("database", ServerLifecycle.server(context).createDatabase());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        PostgresTarget database = context.getStore(NAMESPACE).remove("database", PostgresTarget.class);
        if (database != null) {
            ServerLifecycle.server(context).dropDatabase(database);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == PostgresTarget.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        PostgresTarget database = context.getStore(NAMESPACE).get("database", PostgresTarget.class);
        if (database == null) {
            throw new IllegalStateException("PostgresExtension hands out its database from @BeforeAll on; "
                    + "register it with @ExtendWith on the class");
        }
        return database;
    }
}
