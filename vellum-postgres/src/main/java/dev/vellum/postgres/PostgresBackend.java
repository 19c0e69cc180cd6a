package dev.vellum.postgres;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.vellum.ConfigurationException;
import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.MigrationException;
import dev.vellum.Row;
import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import dev.vellum.spi.BackendProvider;
import dev.vellum.spi.MigrationLock;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.SqlEngine;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.Supplier;
import org.postgresql.util.PSQLException;

/**
 * Opens PostgreSQL through a HikariCP pool. Every connection gets a {@code lock_timeout} (and the optional
 * {@code statement_timeout}) in its startup packet, so a blocked statement becomes an error rather than a hang.
 * In PgBouncer mode nothing relies on session state: no server-side prepared statements, no session settings.
 */
public final class PostgresBackend implements BackendProvider {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public List<String> aliases() {
        return List.of("postgresql");
    }

    @Override
    public List<String> urlForms() {
        return List.of("postgres://", "postgresql://", "jdbc:postgresql://");
    }

    @Override
    public boolean handlesUrl(String url) {
        return PostgresTarget.isPostgresUrl(url);
    }

    @Override
    public Map<SettingKey, String> settingsFromUrl(String url) {
        return Map.of(PostgresSettings.URL, url);
    }

    /** The server address is required and must parse, and a migration role's URL too when one is set. */
    @Override
    public void validate(VellumConfig config) {
        PostgresTarget.of(config);
        PostgresTarget.migrationOwner(config);
        PostgresTarget.replicas(config);
        config.getDuration(PostgresSettings.REPLICA_MAX_LAG);
        config.getDuration(PostgresSettings.REPLICA_WAIT);
    }

    @Override
    public String describeTarget(VellumConfig config) {
        return PostgresTarget.of(config).describe();
    }

    @Override
    public Database open(VellumConfig config) {
        PostgresTarget target = PostgresTarget.of(config);
        Optional<PostgresTarget> migrationOwner = PostgresTarget.migrationOwner(config);
        PostgresTarget owner = migrationOwner.orElse(target);
        Optional<javax.sql.DataSource> application = config.dataSource();
        javax.sql.DataSource pool = application.isPresent()
                ? application.get()
                : startPool(
                        target,
                        config,
                        "vellum-postgres",
                        PostgresSettings.poolMin(config),
                        PostgresSettings.poolMax(config),
                        e -> failure(target, config, e));
        PostgresDialect dialect = new PostgresDialect(PostgresSettings.pgbouncer(config));
        SqlEngine.Opening opening = SqlEngine.Opening.of(
                        dialect, config, new SqlEngine.Pool(pool, target.describe(), e -> failure(target, config, e)))
                .migrationLock(migrationLock(config, application, migrationOwner, owner));
        if (migrationOwner.isPresent()) {
            Function<SQLException, ConnectionException> ownerFailure =
                    e -> failure(owner, config, e, PostgresSettings.MIGRATION_URL.key());
            try {
                opening = opening.schemaOwner(new SqlEngine.Pool(
                        startPool(owner, config, "vellum-postgres-schema", 0, 2, ownerFailure),
                        owner.describe() + " (schema role)",
                        ownerFailure));
            } catch (RuntimeException e) {
                if (pool instanceof HikariDataSource own) {
                    own.close();
                }
                throw e;
            }
        }
        List<PostgresTarget> replicaTargets = PostgresTarget.replicas(config);
        if (!replicaTargets.isEmpty()) {
            List<SqlEngine.Pool> replicas = new ArrayList<>();
            for (int i = 0; i < replicaTargets.size(); i++) {
                PostgresTarget replica = replicaTargets.get(i);
                replicas.add(new SqlEngine.Pool(
                        startReplicaPool(replica, config, "vellum-postgres-replica-" + (i + 1)),
                        replica.describe(),
                        e -> failure(replica, config, e, PostgresSettings.REPLICA_URLS.key())));
            }
            opening = opening.replicas(new SqlEngine.Replicas(
                    replicas,
                    dialect.replication().orElseThrow(),
                    config.getDuration(PostgresSettings.REPLICA_MAX_LAG).orElse(Duration.ofSeconds(10)),
                    config.getDuration(PostgresSettings.REPLICA_WAIT).orElse(Duration.ZERO),
                    PROBE_EVERY));
        }
        return SqlEngine.get().open(opening);
    }

    /**
     * Flyway's own lock and ours are session advisory locks, taken on a direct connection as the schema's owner (the
     * application's data source when it is the only way in); behind a transaction-mode pooler there is no session.
     */
    private static MigrationLock migrationLock(
            VellumConfig config,
            Optional<javax.sql.DataSource> application,
            Optional<PostgresTarget> migrationOwner,
            PostgresTarget owner) {
        if (PostgresSettings.pgbouncer(config) && migrationOwner.isEmpty()) {
            return NO_SESSION;
        }
        return new AdvisoryMigrationLock(() -> {
            try {
                if (application.isPresent() && migrationOwner.isEmpty()) {
                    return application.get().getConnection(); // its credentials are the data source's
                }
                return DriverManager.getConnection(owner.jdbcUrl(), driverProperties(owner, config));
            } catch (SQLException e) {
                throw migrationOwner.isPresent()
                        ? failure(owner, config, e, PostgresSettings.MIGRATION_URL.key())
                        : failure(owner, config, e);
            }
        });
    }

    /** How often each replica is asked how far it has replayed (and whether it answers at all). */
    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    /** A replica read that gets no byte back for this long is read again from the primary. */
    private static final Duration REPLICA_READ_TIMEOUT = Duration.ofSeconds(10);
    /** A replica that does not hand out a connection within this serves no read: the primary does. */
    private static final Duration REPLICA_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /**
     * A replica's pool starts even when the replica is down (it is then left out until it answers), and gives up on
     * a connection sooner than the primary's: a read has the primary to fall back on.
     */
    private static HikariDataSource startReplicaPool(PostgresTarget replica, VellumConfig config, String name) {
        HikariConfig hikari =
                poolConfig(replica, config, name, PostgresSettings.poolMin(config), PostgresSettings.poolMax(config));
        hikari.setInitializationFailTimeout(-1);
        hikari.setConnectionTimeout(Math.min(config.connectTimeout().toMillis(), REPLICA_CONNECT_TIMEOUT.toMillis()));
        hikari.addDataSourceProperty("connectTimeout", Long.toString(seconds(REPLICA_CONNECT_TIMEOUT)));
        // a read on a replica that stops answering (a stopped process, a cut network) is read again from the primary
        // within this, instead of waiting for the operating system to give up on the socket
        hikari.addDataSourceProperty("socketTimeout", Long.toString(seconds(REPLICA_READ_TIMEOUT)));
        hikari.addDataSourceProperty("cancelSignalTimeout", Long.toString(seconds(REPLICA_CONNECT_TIMEOUT)));
        return new HikariDataSource(hikari);
    }

    /**
     * Behind a transaction-mode pooler every statement may reach another server session, so neither the migration
     * lock nor Flyway's own (session advisory locks) can hold: applying migrations there could run them twice or
     * leave a lock behind. Refused with the way out; a database that is already current opens without a lock.
     */
    private static final MigrationLock NO_SESSION = new MigrationLock() {
        @Override
        public <T> T around(Supplier<T> work) {
            throw new MigrationException("Migrations are pending, and they need a database session, which a "
                    + "transaction-mode PgBouncer (VELLUM_POSTGRES_PGBOUNCER=true) does not keep: set "
                    + "VELLUM_MIGRATION_URL to a direct connection to the server (or to a session-mode pool), or run "
                    + "`vellum migrate` against the server directly");
        }
    };

    /** The oldest server the record store is tested on (server_version_num). */
    private static final int MINIMUM_VERSION = 130000;

    @Override
    public RecordDialect recordDialect(Database db) {
        Row server = db.fetchOne(
                        "SELECT current_setting('server_version_num')::int AS v, "
                                + "current_setting('server_version') AS version, current_setting('server_encoding') AS encoding")
                .orElseThrow();
        int version = server.getLong("v").intValue();
        if (version < MINIMUM_VERSION) {
            throw new ConfigurationException("PostgreSQL " + server.getString("version") + " is too old for the "
                    + "record store: it needs PostgreSQL 13 or later (13 to 18 are tested)");
        }
        if (!"UTF8".equals(server.getString("encoding"))) {
            // ilike, ordering and patterns are defined on Unicode code points; another encoding cannot hold them.
            throw new ConfigurationException("The database's encoding is " + server.getString("encoding")
                    + "; the record store needs UTF8. Create the database with ENCODING 'UTF8' (for example "
                    + "CREATE DATABASE name ENCODING 'UTF8' TEMPLATE template0)");
        }
        warnWithoutSchemaPrivilege(db);
        return new PostgresRecords(version);
    }

    /**
     * A role that may not create tables (the row-only role of a least-privilege setup) without a schema owner's URL
     * beside it: every new collection and index will be refused. Said once at open, where the fix is made, rather
     * than first at a user's write.
     */
    private static void warnWithoutSchemaPrivilege(Database db) {
        if (db.schemaOwner() != db) {
            return; // VELLUM_MIGRATION_URL names the schema's owner: schema changes go there
        }
        Row role = db.fetchOne("SELECT current_user AS role, current_schema() AS schema, "
                        + "has_schema_privilege(current_schema(), 'CREATE') AS can_create")
                .orElseThrow();
        if (Boolean.FALSE.equals(role.getBoolean("can_create"))) {
            org.slf4j.LoggerFactory.getLogger(PostgresBackend.class)
                    .warn(
                            "The role '{}' may not create tables in "
                                    + "schema {}: new collections, indexes and change feeds will be refused. Set "
                                    + "VELLUM_MIGRATION_URL to a role that owns the schema (VELLUM_POSTGRES_URL may keep this one).",
                            role.getString("role"),
                            role.getString("schema"));
        }
    }

    @Override
    public void describeServer(Database db, ObjectNode server, Duration slow) {
        PostgresStats.describeServer(db, server, slow);
    }

    @Override
    public void describeTable(Database db, String table, ObjectNode collection) {
        PostgresStats.describeTable(db, table, collection);
    }

    @Override
    public List<String> maintain(Database owner, boolean vacuum) {
        return PostgresStats.maintain(owner);
    }

    /**
     * LISTEN needs a session: through a transaction-mode PgBouncer it goes to {@code VELLUM_MIGRATION_URL} (which
     * reaches the server directly), and without one readers poll.
     */
    @Override
    public dev.vellum.spi.ChangeSignal changeSignal(Database db, VellumConfig config) {
        Optional<PostgresTarget> owner = PostgresTarget.migrationOwner(config);
        if (PostgresSettings.pgbouncer(config) && owner.isEmpty()) {
            return BackendProvider.super.changeSignal(db, config);
        }
        PostgresTarget direct = PostgresSettings.pgbouncer(config) ? owner.get() : PostgresTarget.of(config);
        if (!PostgresSettings.pgbouncer(config) && config.dataSource().isPresent()) {
            // one connection of the application's pool, held while feed readers wait
            javax.sql.DataSource application = config.dataSource().get();
            return new ListenSignal(application::getConnection, direct.describe());
        }
        return new ListenSignal(
                () -> DriverManager.getConnection(direct.jdbcUrl(), driverProperties(direct, config)),
                direct.describe());
    }

    /** The same connection settings the pool uses, for a connection outside it. */
    private static Properties driverProperties(PostgresTarget target, VellumConfig config) {
        Properties props = new Properties();
        props.putAll(connectionProperties(config));
        if (!target.user().isEmpty()) {
            props.setProperty("user", target.user());
        }
        if (target.password() != null) {
            props.setProperty("password", target.password());
        }
        return props;
    }

    private static Map<String, String> connectionProperties(VellumConfig config) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("connectTimeout", Long.toString(seconds(config.connectTimeout())));
        props.put("ApplicationName", "vellum");
        props.put("tcpKeepAlive", "true");
        if (PostgresSettings.pgbouncer(config)) {
            // Transaction pooling hands each transaction a different server session: named prepared statements
            // and session settings would leak between clients or vanish.
            props.put("prepareThreshold", "0");
        }
        return props;
    }

    /**
     * The timeouts every pooled session carries, set when the connection opens. Not as a startup {@code options}
     * parameter: PgBouncer refuses that one, even in session mode, where session settings are safe.
     */
    private static Optional<String> sessionSettings(VellumConfig config) {
        if (PostgresSettings.pgbouncer(config)) {
            return Optional.empty();
        }
        StringBuilder sql = new StringBuilder("SELECT set_config('lock_timeout', '"
                + PostgresSettings.lockTimeout(config).toMillis() + "', false)");
        PostgresSettings.statementTimeout(config)
                .ifPresent(t -> sql.append(", set_config('statement_timeout', '")
                        .append(t.toMillis())
                        .append("', false)"));
        return Optional.of(sql.toString());
    }

    private static HikariDataSource startPool(
            PostgresTarget target,
            VellumConfig config,
            String name,
            int min,
            int max,
            Function<SQLException, ConnectionException> failure) {
        HikariConfig hikari = poolConfig(target, config, name, min, max);
        try {
            return new HikariDataSource(hikari);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause();
            throw failure.apply(cause instanceof SQLException s ? s : new SQLException(e.getMessage(), cause));
        }
    }

    private static HikariConfig poolConfig(PostgresTarget target, VellumConfig config, String name, int min, int max) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setJdbcUrl(target.jdbcUrl());
        if (!target.user().isEmpty()) {
            hikari.setUsername(target.user());
        }
        if (target.password() != null) {
            hikari.setPassword(target.password());
        }
        hikari.setMinimumIdle(min);
        hikari.setMaximumPoolSize(max);
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        connectionProperties(config).forEach(hikari::addDataSourceProperty);
        if (target.hosts().contains(",") && !target.parameters().containsKey("hostRecheckSeconds")) {
            // the driver remembers which host was primary for hostRecheckSeconds (10 by default): after a failover
            // it would keep away from the promoted standby that long
            hikari.addDataSourceProperty("hostRecheckSeconds", "2");
        }
        sessionSettings(config).ifPresent(hikari::setConnectionInitSql);
        return hikari;
    }

    private static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    /** {@code Cannot connect to PostgreSQL at host:5432/db as user 'app': Connection refused. Check VELLUM_POSTGRES_URL.} */
    static ConnectionException failure(PostgresTarget target, VellumConfig config, SQLException e) {
        return failure(
                target,
                config,
                e,
                "DATABASE_URL".equals(config.sourceOf(PostgresSettings.URL))
                        ? "DATABASE_URL"
                        : PostgresSettings.URL.key());
    }

    /** As above, naming the setting that holds this target's URL. */
    static ConnectionException failure(PostgresTarget target, VellumConfig config, SQLException e, String setting) {
        String reason = tlsReason(e, target).orElseGet(() -> reason(e, config));
        if (target.password() != null && !target.password().isEmpty()) {
            reason = reason.replace(target.password(), "****");
        }
        return new ConnectionException(
                "Cannot connect to PostgreSQL at " + target.describe() + ": " + reason + ". Check " + setting + ".", e);
    }

    /**
     * The TLS failures pgjdbc reports with a class name or a hostname-verifier name in the text, said as what is
     * wrong and which URL parameter fixes it.
     */
    private static Optional<String> tlsReason(SQLException e, PostgresTarget target) {
        String rootCert = target.parameters().getOrDefault("sslrootcert", "~/.postgresql/root.crt");
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("could not be verified by hostnameverifier")) {
                return Optional.of("the server's TLS certificate is not issued for the host in the URL "
                        + "(sslmode=verify-full checks the name): connect by a name the certificate lists");
            }
            if (t instanceof java.security.cert.CertPathBuilderException
                    || t instanceof java.security.cert.CertificateException
                    || message.contains("PKIX path")) {
                return Optional.of("the server's TLS certificate is not signed by a certificate authority in "
                        + "sslrootcert (" + rootCert + "): set sslrootcert to the file of the CA that issued it");
            }
        }
        return Optional.empty();
    }

    private static String reason(SQLException e, VellumConfig config) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "Connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof SocketTimeoutException) {
                return "no answer within " + config.connectTimeout().toMillis() + " ms (VELLUM_CONNECT_TIMEOUT)";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p && p.getSQLState() != null) {
                String message = p.getServerErrorMessage() != null
                        ? p.getServerErrorMessage().getMessage()
                        : firstSentence(p.getMessage());
                return KNOWN_STATES.getOrDefault(p.getSQLState(), "") + message;
            }
        }
        if (e instanceof SQLTransientConnectionException) {
            return "no connection became free within " + config.connectTimeout().toMillis() + " ms (pool max "
                    + PostgresSettings.poolMax(config) + "; raise VELLUM_POSTGRES_POOL_MAX or VELLUM_CONNECT_TIMEOUT)";
        }
        return firstSentence(e.getMessage());
    }

    private static final Map<String, String> KNOWN_STATES = Map.of(
            "28P01", "authentication failed: ",
            "28000", "not authorised: ",
            "3D000", "no such database: ");

    private static String firstSentence(String message) {
        if (message == null) {
            return "unknown error";
        }
        String trimmed = message.strip();
        int dot = trimmed.indexOf(". ");
        String first = dot < 0 ? trimmed : trimmed.substring(0, dot);
        // the caller ends the sentence itself
        return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
    }
}
