package dev.vellum.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vellum.Collection;
import dev.vellum.Filter;
import dev.vellum.Query;
import dev.vellum.RecordStore;
import dev.vellum.Vellum;
import dev.vellum.VellumConfig;
import dev.vellum.postgres.PostgresTarget;
import dev.vellum.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The roles of {@code deploy/initdb/sql/roles.sql}: Vellum migrates and changes the schema as the owner
 * ({@code VELLUM_MIGRATION_URL}) and serves as a role that can only read and write rows.
 */
@ExtendWith(PostgresExtension.class)
class LeastPrivilegeTest {
    @Test
    void theApplicationRoleWritesRowsButCannotChangeTheSchema(PostgresTarget pg) throws Exception {
        String script = Files.readString(Path.of("..", "deploy", "initdb", "sql", "roles.sql"))
                .replace(":'migrator_password'", "'migrator-secret'")
                .replace(":'app_password'", "'app-secret'")
                .replace(":\"db\"", "\"" + pg.database() + "\"");
        try (Connection admin = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                Statement s = admin.createStatement()) {
            s.execute(script);
        }
        PostgresTarget app = pg.withUser("vellum_app", "app-secret");
        PostgresTarget owner = pg.withUser("vellum_migrator", "migrator-secret");
        try {
            VellumConfig config = VellumConfig.builder()
                    .isolated()
                    .url(app.toUrlWithCredentials())
                    .set("VELLUM_MIGRATION_URL", owner.toUrlWithCredentials())
                    .build();
            try (RecordStore store = Vellum.open(config)) {
                Collection users = store.collection("users");
                users.insert("ada", Map.of("name", "Ada", "age", 36), null);
                users.createIndex("by_age", "age");
                users.patch("ada", Map.of("city", "London"));
                assertThat(users.find(Query.where(Filter.gte("age", 30))).records())
                        .hasSize(1);
                assertThat(users.updateMany(Filter.all(), Map.of("seen", true))).isEqualTo(1);
                store.useTransaction(tx -> tx.collection("audit").insert("e1", Map.of("event", "x"), null));
                assertThat(store.collections()).containsExactly("audit", "users");
                assertThat(users.dropIndex("by_age")).isTrue();
                // the change feed: enabled through the owner, written and read (and purged) by the row-only role
                assertThat(users.enableChanges()).isTrue();
                users.patch("ada", Map.of("feed", 1));
                users.insertMany(List.of(dev.vellum.NewRecord.of("bob", Map.of("age", 5))));
                users.delete("bob");
                users.insertMany(List.of(dev.vellum.NewRecord.of("bob", Map.of("age", 6))));
                assertThat(users.changes().poll("0", 10).changes())
                        .extracting(c -> c.op() + " " + c.version())
                        .containsExactly("UPDATE 4", "INSERT 1", "DELETE 2", "INSERT 3");
                assertThat(store.changes().removeExpired()).isZero();
                assertThat(store.dropCollection("audit")).isTrue();
            }
            try (Connection c = DriverManager.getConnection(app.jdbcUrl(), app.user(), app.password());
                    Statement s = c.createStatement()) {
                for (String ddl : List.of(
                        "DROP TABLE vc_users",
                        "DROP TABLE vellum_schema_history",
                        "CREATE TABLE sneaky (id int)",
                        "ALTER TABLE vc_users ADD COLUMN x int",
                        "TRUNCATE vc_users")) {
                    assertThatThrownBy(() -> s.execute(ddl))
                            .as(ddl)
                            .isInstanceOf(SQLException.class)
                            .satisfies(e ->
                                    assertThat(((SQLException) e).getSQLState()).isIn("42501", "42P01"));
                }
                s.execute("SELECT count(*) FROM vc_users");
            }
            // without the owner's URL, the application role cannot create a collection: a clear error, no damage
            try (RecordStore store = Vellum.open(VellumConfig.builder()
                    .isolated()
                    .url(app.toUrlWithCredentials())
                    .build())) {
                assertThatThrownBy(() -> store.collection("new").insert("x", Map.of(), null))
                        .isInstanceOf(dev.vellum.ConfigurationException.class)
                        .hasMessageContaining("permission denied")
                        .hasMessageContaining("VELLUM_MIGRATION_URL")
                        .hasMessageNotContaining("app-secret");
                assertThat(store.collection("users").count()).isEqualTo(2);
            }
        } finally {
            try (Connection admin = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                    Statement s = admin.createStatement()) {
                s.execute("ALTER DATABASE \"" + pg.database() + "\" OWNER TO CURRENT_USER");
                s.execute("REASSIGN OWNED BY vellum_migrator, vellum_app TO CURRENT_USER");
                s.execute("DROP OWNED BY vellum_app");
                s.execute("DROP OWNED BY vellum_migrator");
                s.execute("DROP ROLE vellum_migrator");
                s.execute("DROP ROLE vellum_app");
            }
        }
    }
}
