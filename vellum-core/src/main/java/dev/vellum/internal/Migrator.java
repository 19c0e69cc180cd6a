package dev.vellum.internal;

import dev.vellum.MigrationException;
import dev.vellum.MigrationReport;
import dev.vellum.MigrationStatus;
import dev.vellum.VellumConfig;
import dev.vellum.spi.MigrationLock;
import dev.vellum.spi.SqlDialect;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Runs Flyway twice over: once for Vellum's own schema ({@code vellum_schema_history}) and once for the application's
 * migrations ({@code flyway_schema_history}), each from its dialect's folder.
 */
final class Migrator {
    static final String VELLUM_LOCATION = "classpath:db/migration/vellum";
    static final String VELLUM_HISTORY = "vellum_schema_history";
    static final String APP_HISTORY = "flyway_schema_history";

    private final Flyway vellum;
    private final Flyway app;
    private final MigrationLock lock;

    Migrator(DataSource dataSource, SqlDialect dialect, VellumConfig config, MigrationLock lock) {
        this.lock = lock;
        this.vellum = configure(dataSource, dialect, VELLUM_HISTORY, List.of(VELLUM_LOCATION))
                .load();
        this.app = config.migrationLocations().isEmpty()
                ? null
                : configure(dataSource, dialect, APP_HISTORY, config.migrationLocations())
                        .failOnMissingLocations(true)
                        .load();
    }

    private static FluentConfiguration configure(
            DataSource dataSource, SqlDialect dialect, String table, List<String> locations) {
        FluentConfiguration flyway = Flyway.configure(Migrator.class.getClassLoader())
                .dataSource(dataSource)
                .table(table)
                .locations(locations.stream()
                        .map(l -> stripSlash(l) + "/" + dialect.migrationFolder())
                        .toArray(String[]::new))
                // Vellum's tables and the application's share a schema, so neither history may call it foreign.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .validateMigrationNaming(true)
                // Pending migrations are applied or reported as pending, never treated as invalid.
                .ignoreMigrationPatterns("*:future", "*:pending")
                .cleanDisabled(true)
                // quiet: Flyway's lines go to one logger at DEBUG (MigrationLogs), not to the console, and a
                // migration's SELECT prints no result table
                .loggers(MigrationLogs.class.getName())
                .outputQueryResults(false);
        dialect.configureFlyway(flyway);
        return flyway;
    }

    private static String stripSlash(String location) {
        return location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
    }

    MigrationReport migrate() {
        State vellumState = State.of(vellum);
        State appState = app == null ? State.NONE : State.of(app);
        if (vellumState.pending().isEmpty() && appState.pending().isEmpty()) {
            // nothing to apply: checked without the lock, so a process whose lock cannot work (behind a transaction
            // pooler) still opens a current database
            requireValid(vellum);
            if (app != null) {
                requireValid(app);
            }
            return new MigrationReport(0, vellumState.version(), app == null ? "" : appState.version());
        }
        return lock.around(() -> {
            int applied = run(vellum) + (app == null ? 0 : run(app));
            return new MigrationReport(applied, schemaVersion(), appVersion());
        });
    }

    /** Fails when migrations are pending: used when auto-migrate is off. */
    void requireCurrent() {
        List<String> pending = new ArrayList<>(pendingNames(vellum));
        if (app != null) {
            pending.addAll(pendingNames(app));
        }
        if (!pending.isEmpty()) {
            throw new MigrationException("The database schema is behind: " + pending.size() + " migration(s) pending ("
                    + String.join(", ", pending) + "). Run `vellum migrate`, or set VELLUM_AUTO_MIGRATE=true to apply "
                    + "them on open.");
        }
    }

    /** Vellum's schema version and how many migrations (Vellum's and the application's) are pending. */
    record Current(String version, int pending) {}

    /** One read of each history table: health asks this on every readiness probe. */
    Current current() {
        State vellumState = State.of(vellum);
        int appPending = app == null ? 0 : State.of(app).pending().size();
        return new Current(vellumState.version(), vellumState.pending().size() + appPending);
    }

    String schemaVersion() {
        return versionOf(vellum);
    }

    String appVersion() {
        return app == null ? "" : versionOf(app);
    }

    /** Every known migration, Vellum's then the application's, for {@code vellum migrate status}. */
    List<MigrationStatus> status() {
        List<MigrationStatus> all = new ArrayList<>(status("vellum", vellum));
        if (app != null) {
            all.addAll(status("app", app));
        }
        return all;
    }

    private static List<MigrationStatus> status(String scope, Flyway flyway) {
        return Arrays.stream(guard(() -> flyway.info().all()))
                .map(m -> new MigrationStatus(
                        scope,
                        m.getVersion() == null ? "" : m.getVersion().getVersion(),
                        m.getDescription(),
                        m.getScript(),
                        m.getState().getDisplayName(),
                        m.getInstalledOn() == null ? null : m.getInstalledOn().toInstant()))
                .toList();
    }

    /** Problems with applied migrations (edited, missing, failed); pending ones are not problems. */
    List<String> validate() {
        List<String> problems = new ArrayList<>(validate(vellum));
        if (app != null) {
            problems.addAll(validate(app));
        }
        return problems;
    }

    private static List<String> validate(Flyway flyway) {
        ValidateResult result = guard(flyway::validateWithResult);
        if (result.validationSuccessful) {
            return List.of();
        }
        if (result.invalidMigrations.isEmpty()) {
            return List.of(result.getAllErrorMessages().strip());
        }
        return result.invalidMigrations.stream()
                .map(m -> name(m) + ": " + (m.errorDetails == null ? "invalid" : m.errorDetails.errorMessage.strip()))
                .toList();
    }

    private static String versionOf(Flyway flyway) {
        return State.of(flyway).version();
    }

    private static List<String> pendingNames(Flyway flyway) {
        return State.of(flyway).pending();
    }

    /** What one read of a history table says: the migrations not applied yet and the newest applied version. */
    private record State(List<String> pending, String version) {
        static final State NONE = new State(List.of(), "none");

        static State of(Flyway flyway) {
            MigrationInfoService info = guard(flyway::info);
            MigrationInfo current = info.current();
            return new State(
                    Arrays.stream(info.pending())
                            .map(m -> m.getScript() == null ? m.getDescription() : m.getScript())
                            .toList(),
                    current == null || current.getVersion() == null
                            ? "none"
                            : current.getVersion().getVersion());
        }
    }

    private static int run(Flyway flyway) {
        try {
            return flyway.migrate().migrationsExecuted;
        } catch (FlywayException e) {
            throw explain(flyway, e);
        }
    }

    private static void requireValid(Flyway flyway) {
        try {
            flyway.validate();
        } catch (FlywayException e) {
            throw explain(flyway, e);
        }
    }

    /** Turns Flyway's report into a message that names the migration and says what to do. */
    private static MigrationException explain(Flyway flyway, FlywayException e) {
        if (e.getErrorCode() == CoreErrorCode.VALIDATE_ERROR) {
            ValidateResult result = flyway.validateWithResult();
            List<ValidateOutput> changed = result.invalidMigrations.stream()
                    .filter(m -> m.errorDetails != null && m.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH)
                    .toList();
            if (!changed.isEmpty()) {
                return new MigrationException(
                        "Migration " + changed.stream().map(Migrator::name).collect(Collectors.joining(", "))
                                + " was changed after it was applied to this database. "
                                + "Applied migrations must never be edited: revert the change and put it in a new migration.",
                        e);
            }
        }
        String message = e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getMessage().strip();
        return new MigrationException("Migration failed: " + message, e);
    }

    private static String name(ValidateOutput m) {
        String path = m.filepath == null ? "" : m.filepath.replace('\\', '/');
        String file =
                path.isEmpty() ? "V" + m.version + "__" + m.description : path.substring(path.lastIndexOf('/') + 1);
        return file + (path.isEmpty() ? "" : " (" + path + ")");
    }

    private static <T> T guard(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (FlywayException e) {
            throw new MigrationException("Cannot read migration state: " + e.getMessage(), e);
        }
    }
}
