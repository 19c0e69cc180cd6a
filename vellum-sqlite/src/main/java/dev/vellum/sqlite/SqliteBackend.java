package dev.vellum.sqlite;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.vellum.ConfigurationException;
import dev.vellum.ConnectionException;
import dev.vellum.Database;
import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import dev.vellum.spi.BackendProvider;
import dev.vellum.spi.MigrationLock;
import dev.vellum.spi.RecordDialect;
import dev.vellum.spi.SqlEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opens SQLite files: WAL (readers never wait for the writer), a busy timeout, foreign keys on, {@code synchronous =
 * NORMAL} (durable at every checkpoint, safe against corruption), and transactions that take the write lock at
 * {@code BEGIN}. In-process writers queue on one fair lock per file, so callers never see {@code SQLITE_BUSY}.
 */
public final class SqliteBackend implements BackendProvider {
    /** Readers run in parallel under WAL; more connections than this only add memory. */
    private static final int POOL_SIZE = 8;

    private static final Map<Path, ReentrantLock> WRITE_LOCKS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public List<String> urlForms() {
        return List.of("sqlite:PATH", "jdbc:sqlite:PATH");
    }

    @Override
    public boolean handlesUrl(String url) {
        return url.startsWith("sqlite:") || url.startsWith("jdbc:sqlite:");
    }

    @Override
    public Map<SettingKey, String> settingsFromUrl(String url) {
        String path = url.substring(url.indexOf("sqlite:") + "sqlite:".length());
        if (path.isEmpty()) {
            throw new ConfigurationException("The SQLite URL '" + url + "' has no file path; use e.g. sqlite:./app.db");
        }
        return Map.of(SqliteSettings.PATH, path);
    }

    @Override
    public String describeTarget(VellumConfig config) {
        return path(config).toString();
    }

    /** The database file {@code VELLUM_SQLITE_PATH} names, as given (relative paths stay relative). */
    public static Path path(VellumConfig config) {
        String path = config.get(SqliteSettings.PATH);
        return Path.of(path.isBlank() ? SqliteSettings.PATH.defaultValue() : path);
    }

    @Override
    public Database open(VellumConfig config) {
        if (config.dataSource().isPresent()) {
            return openOn(config.dataSource().get(), config);
        }
        Path file = path(config).toAbsolutePath().normalize();
        try {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new ConnectionException(
                    "Cannot create the directory for the SQLite database " + file + ": " + e.getMessage()
                            + ". Check VELLUM_SQLITE_PATH.",
                    e);
        }
        String target = path(config).toString();
        // One lock per file shared by every Database on it in this JVM, so two handles never race each other.
        ReentrantLock writeLock = WRITE_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        HikariDataSource pool;
        writeLock.lock();
        try {
            pool = startPool(file, config, target);
        } finally {
            writeLock.unlock();
        }
        return SqlEngine.get()
                .open(
                        new SqliteDialect(),
                        pool,
                        config,
                        target,
                        writeLock,
                        MigrationLock.file(Path.of(file + ".lock")),
                        e -> failure(target, e));
    }

    /**
     * On the application's data source: its connections get Vellum's functions and settings as Vellum first uses each
     * ({@link SqliteDialect#prepareForeignConnection}); writers of this JVM queue on the file's lock as with Vellum's
     * own pool.
     */
    private static Database openOn(javax.sql.DataSource dataSource, VellumConfig config) {
        String location = config.get(SqliteSettings.PATH);
        if (location.isBlank() || location.contains(":memory:") || location.contains("mode=memory")) {
            throw new ConfigurationException("The application's data source is an in-memory SQLite database, which "
                    + "each connection sees on its own; Vellum needs a SQLite file (jdbc:sqlite:./app.db)");
        }
        Path file = path(config).toAbsolutePath().normalize();
        String target = path(config).toString();
        ReentrantLock writeLock = WRITE_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        return SqlEngine.get()
                .open(
                        new SqliteDialect((int) Math.min(
                                Integer.MAX_VALUE, config.connectTimeout().toMillis())),
                        dataSource,
                        config,
                        target,
                        writeLock,
                        MigrationLock.file(Path.of(file + ".lock")),
                        e -> failure(target, e));
    }

    @Override
    public dev.vellum.spi.ChangeSignal changeSignal(Database db, VellumConfig config) {
        return new DataVersionSignal(path(config).toAbsolutePath().normalize());
    }

    @Override
    public RecordDialect recordDialect(Database db) {
        return new SqliteRecords();
    }

    @Override
    public void describeServer(Database db, ObjectNode server, Duration slow) {
        SqliteStats.describeServer(db, server);
    }

    @Override
    public void describeTable(Database db, String table, ObjectNode collection) {
        SqliteStats.describeTable(db, table, collection);
    }

    @Override
    public List<String> maintain(Database owner, boolean vacuum) {
        return SqliteStats.maintain(owner, vacuum);
    }

    private static HikariDataSource startPool(Path file, VellumConfig config, String target) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setBusyTimeout(
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.enforceForeignKeys(true);
        sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = SqliteFunctions.dataSource(sqlite);
        dataSource.setUrl("jdbc:sqlite:" + file);

        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("vellum-sqlite");
        hikari.setDataSource(dataSource);
        hikari.setMaximumPoolSize(POOL_SIZE);
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        // Switching a new file to WAL needs a moment of exclusive access; another process opening the same file at
        // that moment gets SQLITE_BUSY before any busy timeout applies, so opening retries until the connect timeout.
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        while (true) {
            try {
                return new HikariDataSource(hikari);
            } catch (HikariPool.PoolInitializationException e) {
                SQLException cause = e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), e);
                boolean busy = cause instanceof SQLiteException se
                        && (se.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_BUSY.code;
                if (!busy || System.nanoTime() > deadline) {
                    throw failure(target, cause);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw failure(target, cause);
                }
            }
        }
    }

    private static ConnectionException failure(String target, SQLException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ConnectionException(
                "Cannot open the SQLite database at " + target + ": " + reason
                        + ". Check VELLUM_SQLITE_PATH and the file's permissions.",
                e);
    }
}
