package dev.vellum.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.ConfigurationException;
import dev.vellum.Database;
import dev.vellum.RecordStore;
import dev.vellum.Setting;
import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A backend module, found with {@link java.util.ServiceLoader}: register an implementation in
 * {@code META-INF/services/dev.vellum.spi.BackendProvider}. The provider says which backend names and URLs it
 * serves, so configuration needs no list of backends; it opens its database, and answers what operators ask of it
 * (statistics, upkeep). A SQL backend returns the shared engine from {@link #open} and its record SQL from
 * {@link #recordDialect}; a backend that keeps records some other way returns its store from
 * {@link #openNativeStore}.
 */
public interface BackendProvider {

    /**
     * The installed backend of this name ({@link #name}), for operations that ask a store's backend for its own
     * reports ({@link #describeServer}, {@link #maintain}).
     *
     * @throws dev.vellum.ConfigurationException when no installed backend has that name
     */
    static BackendProvider named(String name) {
        return java.util.ServiceLoader.load(BackendProvider.class, BackendProvider.class.getClassLoader()).stream()
                .map(java.util.ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new dev.vellum.ConfigurationException(
                        "No installed backend is named '" + name + "'; add its module to the classpath"));
    }

    /** The value of {@code VELLUM_DB_BACKEND} that selects this backend, e.g. {@code sqlite}. */
    String name();

    /** Other accepted spellings of {@link #name()}, e.g. {@code postgresql}. */
    default List<String> aliases() {
        return List.of();
    }

    /** The URL forms this backend reads, as shown in messages, e.g. {@code sqlite:PATH}. */
    List<String> urlForms();

    /** True when this backend reads the URL (like Flyway's {@code DatabaseType.handlesJDBCUrl}). */
    boolean handlesUrl(String url);

    /**
     * The settings a URL this backend {@linkplain #handlesUrl handles} stands for, besides the backend itself, e.g.
     * {@code VELLUM_SQLITE_PATH}. Throws {@link ConfigurationException} for a URL of its form that is malformed.
     */
    Map<SettingKey, String> settingsFromUrl(String url);

    /**
     * Checks this backend's settings while the configuration is built, so a mistake is reported before anything
     * opens. Throws {@link ConfigurationException} naming the setting to fix.
     */
    default void validate(VellumConfig config) {}

    /** Where the data lives, in one line and without secrets, e.g. {@code localhost:5432/app as user 'app'}. */
    String describeTarget(VellumConfig config);

    /**
     * Opens the SQL layer, applying migrations when {@link VellumConfig#autoMigrate()}. A backend without SQL throws
     * {@link ConfigurationException} saying so. For the record store to run on it, a SQL backend returns the database
     * that {@link SqlEngine#open} (core's JDBC engine) makes from its dialect and pools.
     */
    Database open(VellumConfig config);

    /** The record store's SQL for a database this provider opened. */
    RecordDialect recordDialect(Database db);

    /**
     * The record store of a backend that keeps records without SQL; empty (the default) for SQL backends, whose
     * records the shared engine keeps through {@link #open} and {@link #recordDialect}.
     */
    default Optional<RecordStore> openNativeStore(VellumConfig config) {
        return Optional.empty();
    }

    /**
     * Adds what the server reports about itself to {@code server} ({@code vellum stats}): version, size, activity.
     * {@code slow} is the threshold for listing running statements.
     */
    default void describeServer(Database db, ObjectNode server, Duration slow) {}

    /** Adds a collection's storage figures ({@code tableBytes}, {@code indexBytes}, …) for its record table. */
    default void describeTable(Database db, String table, ObjectNode collection) {}

    /**
     * Routine upkeep ({@code vellum maintain}) through the schema owner's connections; one line per step, saying
     * what was done and what it reclaimed. {@code vacuum} also rebuilds files to return free space, where that is a
     * separate, slower step.
     */
    default List<String> maintain(Database owner, boolean vacuum) {
        return List.of("nothing to do for the " + name() + " backend");
    }

    /**
     * What wakes change-feed readers waiting for new changes, including other processes' commits. The default polls
     * every {@code VELLUM_CHANGES_POLL_INTERVAL}.
     */
    default ChangeSignal changeSignal(Database db, VellumConfig config) {
        return ChangeNotices.polling(
                config.getDuration(Setting.CHANGES_POLL_INTERVAL).orElse(Duration.ofSeconds(1)));
    }
}
