package dev.vellum.internal;

import dev.vellum.ConfigurationException;
import dev.vellum.spi.BackendProvider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The backends on the classpath ({@link ServiceLoader}), and, for the backends Vellum ships as separate modules, what
 * to add when one is missing: a user who writes {@code sqlite:app.db} without {@code vellum-sqlite} learns which
 * dependency to add instead of reading "unknown URL".
 */
public final class Backends {
    /** A backend Vellum ships: how to recognise its names and URLs while its module is absent. */
    private record Shipped(String name, List<String> aliases, List<String> urlForms, String missingModule) {
        /** A URL form as written in messages ({@code sqlite:PATH}) without its placeholder is the URL's prefix. */
        boolean claims(String url) {
            return urlForms.stream().anyMatch(form -> url.startsWith(form.replace("PATH", "")));
        }
    }

    /** In the order messages list URL forms: memory first, it needs no module. */
    private static final List<Shipped> SHIPPED = List.of(
            new Shipped("memory", List.of(), List.of("memory:"), null),
            new Shipped(
                    "sqlite",
                    List.of(),
                    List.of("sqlite:PATH", "jdbc:sqlite:PATH"),
                    "SQLite backend requires the vellum-sqlite module "
                            + "(dev.vellum:vellum-sqlite, which brings org.xerial:sqlite-jdbc). Add it to your dependencies."),
            new Shipped(
                    "postgres",
                    List.of("postgresql"),
                    List.of("postgres://", "postgresql://", "jdbc:postgresql://"),
                    "PostgreSQL backend requires the "
                            + "vellum-postgres module (dev.vellum:vellum-postgres, which brings org.postgresql:postgresql). "
                            + "Add it to your dependencies."));
    /** The order messages list backend names in: the usual choice first. */
    private static final List<String> NAME_ORDER = List.of("sqlite", "postgres", "memory");

    private Backends() {}

    private static final class Installed {
        static final List<BackendProvider> PROVIDERS = load();

        private static List<BackendProvider> load() {
            return ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .toList();
        }
    }

    /** Every backend module on the classpath. */
    public static List<BackendProvider> installed() {
        return Installed.PROVIDERS;
    }

    /** The installed provider for a name or alias, case-insensitively. */
    public static Optional<BackendProvider> named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return installed().stream()
                .filter(p -> p.name().equals(wanted) || p.aliases().contains(wanted))
                .findFirst();
    }

    /**
     * The canonical name for a backend name or alias: an installed backend's, or a shipped backend's whose module is
     * absent (opening it then says which module to add); empty for a name nobody knows.
     */
    public static Optional<String> canonicalName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        Optional<String> installed = named(wanted).map(BackendProvider::name);
        if (installed.isPresent()) {
            return installed;
        }
        return SHIPPED.stream()
                .filter(s -> s.name.equals(wanted) || s.aliases.contains(wanted))
                .map(Shipped::name)
                .findFirst();
    }

    /** The provider for a backend, or a {@link ConfigurationException} naming the module to add. */
    public static BackendProvider require(String name) {
        return named(name).orElseThrow(() -> missing(name));
    }

    private static ConfigurationException missing(String name) {
        return new ConfigurationException(SHIPPED.stream()
                .filter(s -> s.name.equals(name) && s.missingModule != null)
                .map(Shipped::missingModule)
                .findFirst()
                .orElse("No module on the classpath provides the '" + name + "' backend."));
    }

    /**
     * The provider that reads a URL; a {@link ConfigurationException} naming the module when the URL belongs to a
     * shipped backend that is absent, or listing every accepted form when nobody reads it.
     */
    public static BackendProvider forUrl(String url) {
        for (BackendProvider provider : installed()) {
            if (provider.handlesUrl(url)) {
                return provider;
            }
        }
        for (Shipped s : SHIPPED) {
            if (named(s.name).isEmpty() && s.claims(url)) {
                throw missing(s.name);
            }
        }
        String scheme = url.contains(":") ? url.substring(0, url.indexOf(':') + 1) : url;
        List<String> forms = urlForms();
        String last = forms.remove(forms.size() - 1);
        throw new ConfigurationException("Unsupported database URL scheme '" + scheme + "'. Use "
                + String.join(", ", forms) + (forms.isEmpty() ? "" : " or ") + last);
    }

    /** The JDBC URL of an application's data source, read from one of its connections. */
    public static String urlOf(javax.sql.DataSource dataSource) {
        try (java.sql.Connection connection = dataSource.getConnection()) {
            return connection.getMetaData().getURL();
        } catch (java.sql.SQLException e) {
            throw new dev.vellum.ConnectionException(
                    "Cannot reach the application's data source to learn which " + "database it is: " + e.getMessage(),
                    e);
        }
    }

    /**
     * The installed provider for the JDBC URL of an application's data source; a {@link ConfigurationException}
     * naming the database when no backend serves it (its URL's scheme only: the rest may hold a password).
     */
    public static BackendProvider forDataSourceUrl(String url) {
        String jdbcUrl = url == null ? "" : url;
        for (BackendProvider provider : installed()) {
            if (provider.handlesUrl(jdbcUrl)) {
                return provider;
            }
        }
        for (Shipped s : SHIPPED) {
            if (s.claims(jdbcUrl)) {
                throw missing(s.name);
            }
        }
        String[] parts = jdbcUrl.split(":", 3);
        String scheme = parts.length >= 2 ? parts[0] + ":" + parts[1] + ":" : jdbcUrl;
        throw new ConfigurationException("The application's data source is a " + scheme + " database; Vellum runs on "
                + "SQLite and PostgreSQL. Give Vellum a database of its own (vellum.url in Spring, VELLUM_DB_BACKEND "
                + "with its settings elsewhere: sqlite:./vellum.db or postgres://…), or a SQLite or PostgreSQL data "
                + "source.");
    }

    /** Every backend name a user may choose: the shipped ones (installed or not), then the other installed ones. */
    public static List<String> knownNames() {
        LinkedHashSet<String> names = new LinkedHashSet<>(NAME_ORDER);
        installed().forEach(p -> names.add(p.name()));
        return List.copyOf(names);
    }

    private static List<String> urlForms() {
        LinkedHashSet<String> forms = new LinkedHashSet<>();
        for (Shipped s : SHIPPED) {
            forms.addAll(named(s.name).map(BackendProvider::urlForms).orElse(s.urlForms));
        }
        installed().forEach(p -> forms.addAll(p.urlForms()));
        return new ArrayList<>(forms);
    }
}
