package dev.vellum.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.vellum.Health;
import dev.vellum.MigrationReport;
import dev.vellum.MigrationStatus;
import dev.vellum.spi.SqlDialect;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What operators ask of a database rather than what applications do with it: health (server version, connection
 * security, schema, pool, replicas), the pool's state, and the migrations. One per {@link JdbcDatabase}.
 */
final class Administration {
    private final JdbcDatabase db;
    private final SqlDialect dialect;
    private final DataSource pool;
    private final Migrator migrator;
    private final String target;
    private final Supplier<Health.Replicas> replicas;

    Administration(
            JdbcDatabase db,
            SqlDialect dialect,
            DataSource pool,
            Migrator migrator,
            String target,
            Supplier<Health.Replicas> replicas) {
        this.db = db;
        this.dialect = dialect;
        this.pool = pool;
        this.migrator = migrator;
        this.target = target;
        this.replicas = replicas;
    }

    Health health() {
        // one connection for both server questions: health backs readiness probes, which come often
        String[] server = db.onPooledConnection(c -> {
            try (java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet r = s.executeQuery(dialect.serverVersionQuery())) {
                return new String[] {r.next() ? r.getString(1) : "unknown", dialect.connectionSecurity(c)};
            }
        });
        Migrator.Current schema = migrator.current();
        return new Health(
                dialect.name(),
                server[0],
                target,
                schema.version(),
                schema.pending(),
                poolState(),
                server[1],
                replicas.get());
    }

    Health.PoolState poolState() {
        if (!(pool instanceof HikariDataSource hikari)) {
            return new Health.PoolState(0, 0, 0, 0); // the application's pool, of a kind Vellum cannot read
        }
        HikariPoolMXBean bean = hikari.getHikariPoolMXBean();
        return bean == null
                ? new Health.PoolState(0, 0, 0, hikari.getMaximumPoolSize())
                : new Health.PoolState(
                        bean.getActiveConnections(),
                        bean.getIdleConnections(),
                        bean.getThreadsAwaitingConnection(),
                        hikari.getMaximumPoolSize());
    }

    MigrationReport migrate() {
        return migrator.migrate();
    }

    List<MigrationStatus> migrationStatus() {
        return migrator.status();
    }

    List<String> validateMigrations() {
        return migrator.validate();
    }

    /** The schema role's database shares its primary's migrations. */
    Migrator migrator() {
        return migrator;
    }

    /** With auto-migrate off: a schema that is behind fails the open. */
    void requireCurrent() {
        migrator.requireCurrent();
    }
}
