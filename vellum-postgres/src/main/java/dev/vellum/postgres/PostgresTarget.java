package dev.vellum.postgres;

import dev.vellum.ConfigurationException;
import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a PostgreSQL database is and who connects to it, parsed from a {@code postgres://} or {@code jdbc:postgresql://}
 * URL. The password is held apart from the URL so that {@link #jdbcUrl()} and {@link #toString()} never show it.
 */
public final class PostgresTarget {
    private final String hosts;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> parameters;

    private PostgresTarget(
            String hosts, String database, String user, String password, Map<String, String> parameters) {
        this.hosts = hosts;
        this.database = database;
        this.user = user;
        this.password = password;
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /** True for the URL forms this class parses. */
    public static boolean isPostgresUrl(String url) {
        return url.startsWith("postgres://") || url.startsWith("postgresql://") || url.startsWith("jdbc:postgresql://");
    }

    /**
     * Parses {@code postgres://user:pass@host:port/db?sslmode=require}, {@code postgresql://…} or
     * {@code jdbc:postgresql://host/db?user=…&password=…}. User and password may be percent-encoded.
     *
     * @param settingName named in error messages, so the user knows which variable to fix
     */
    public static PostgresTarget parse(String url, String settingName) {
        if (!isPostgresUrl(url)) {
            throw new ConfigurationException(settingName + " must start with postgres://, postgresql:// or "
                    + "jdbc:postgresql:// (e.g. postgres://app:secret@localhost:5432/app)");
        }
        String rest = url.substring(url.indexOf("://") + 3);
        int queryStart = rest.indexOf('?');
        String query = queryStart >= 0 ? rest.substring(queryStart + 1) : "";
        String beforeQuery = queryStart >= 0 ? rest.substring(0, queryStart) : rest;
        int at = beforeQuery.lastIndexOf('@');
        String userInfo = at >= 0 ? beforeQuery.substring(0, at) : "";
        String hostAndPath = at >= 0 ? beforeQuery.substring(at + 1) : beforeQuery;
        int slash = hostAndPath.indexOf('/');
        String hosts = slash >= 0 ? hostAndPath.substring(0, slash) : hostAndPath;
        String database = slash >= 0 ? decode(hostAndPath.substring(slash + 1), settingName) : "";
        if (hosts.isEmpty()) {
            throw new ConfigurationException(settingName + " has no host (expected postgres://user:pass@host:port/db)");
        }
        String user = "";
        String password = null;
        if (!userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, settingName);
            password = colon >= 0 ? decode(userInfo.substring(colon + 1), settingName) : null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq >= 0 ? pair.substring(0, eq) : pair, settingName);
            String value = eq >= 0 ? decode(pair.substring(eq + 1), settingName) : "";
            switch (key) {
                case "user" -> user = value;
                case "password" -> password = value;
                default -> parameters.put(key, value);
            }
        }
        return new PostgresTarget(hosts, database, user, password, parameters);
    }

    /**
     * The server the configuration names ({@code VELLUM_POSTGRES_URL}, else {@code DATABASE_URL}), with the password
     * from {@code VELLUM_POSTGRES_PASSWORD_FILE} when that is set.
     */
    public static PostgresTarget of(VellumConfig config) {
        String url = config.get(PostgresSettings.URL).trim();
        String host = config.get(PostgresSettings.HOST).trim();
        if (url.isEmpty() && host.isEmpty()) {
            throw new ConfigurationException("The postgres backend needs a server address: set "
                    + PostgresSettings.URL.key() + " (or " + PostgresSettings.URL.fallbackKey() + "), e.g. "
                    + "postgres://app:secret@localhost:5432/app, or " + PostgresSettings.HOST.key() + " with "
                    + PostgresSettings.DATABASE.key() + " and " + PostgresSettings.USER.key());
        }
        PostgresTarget target;
        if (url.isEmpty()) {
            target = new PostgresTarget(host, "", "", null, new LinkedHashMap<>());
        } else {
            String source = config.sourceOf(PostgresSettings.URL);
            target =
                    parse(url, source.equals(PostgresSettings.URL.fallbackKey()) ? source : PostgresSettings.URL.key());
        }
        target = withParts(target, config, url.isEmpty());
        return withPasswordFile(target, config, PostgresSettings.PASSWORD_FILE);
    }

    /**
     * The server given as separate values ({@code VELLUM_POSTGRES_HOST}, {@code _PORT}, {@code _DATABASE},
     * {@code _USER}, {@code _PASSWORD}, or libpq's {@code PGHOST} … {@code PGPASSWORD} where those are unset), alone or
     * filling in what the URL leaves out. A value that says otherwise than the URL is refused, naming both; one from a
     * libpq variable gives way to the URL.
     */
    private static PostgresTarget withParts(PostgresTarget target, VellumConfig config, boolean noUrl) {
        String[] hostAndPort = splitHost(target.hosts);
        String host = part(config, PostgresSettings.HOST, noUrl ? "" : hostAndPort[0], "the host");
        String port = part(config, PostgresSettings.PORT, hostAndPort[1], "the port");
        if (!port.isEmpty() && !port.chars().allMatch(Character::isDigit)) {
            throw new ConfigurationException(
                    PostgresSettings.PORT.key() + " must be a port number, got '" + port + "'");
        }
        String user = part(config, PostgresSettings.USER, target.user, "the user");
        String given = part(config, PostgresSettings.DATABASE, target.database, "the database");
        String database = given.isEmpty() ? user : given; // as libpq: a role's own database by default
        String password =
                part(config, PostgresSettings.PASSWORD, target.password == null ? "" : target.password, "the password");
        String hosts = target.hosts.contains(",") ? target.hosts : port.isEmpty() ? host : host + ":" + port;
        return new PostgresTarget(
                hosts,
                database,
                user,
                password.isEmpty() ? target.password : password,
                new LinkedHashMap<>(target.parameters));
    }

    /** {@code host:port} as its two parts (an IPv6 host stays in brackets); a list of hosts is left whole. */
    private static String[] splitHost(String hosts) {
        if (hosts.isEmpty() || hosts.contains(",")) {
            return new String[] {hosts, ""};
        }
        int colon = hosts.lastIndexOf(':');
        boolean hasPort = colon > 0 && (!hosts.startsWith("[") || hosts.charAt(colon - 1) == ']');
        return hasPort
                ? new String[] {hosts.substring(0, colon), hosts.substring(colon + 1)}
                : new String[] {hosts, ""};
    }

    /** One part: the URL's, or the setting's where the URL has none; both differing is an error. */
    private static String part(VellumConfig config, SettingKey setting, String fromUrl, String what) {
        String given = config.get(setting).trim();
        if (given.isEmpty() || given.equals(fromUrl)) {
            return fromUrl;
        }
        if (fromUrl.isEmpty()) {
            return given;
        }
        if (setting.fallbackKey().equals(config.sourceOf(setting))) {
            return fromUrl; // libpq's variable, set for other tools: the URL is what Vellum was told
        }
        String shown = setting.isSecret() ? "another value" : "'" + given + "'";
        throw new ConfigurationException(setting.key() + " gives " + shown + " as " + what + " while "
                + PostgresSettings.URL.key() + " gives " + (setting.isSecret() ? "its own" : "'" + fromUrl + "'")
                + ": give the server one way (a URL, or separate values), or make them agree");
    }

    /** The schema owner's server ({@code VELLUM_MIGRATION_URL}), when migrations and DDL use a role of their own. */
    public static Optional<PostgresTarget> migrationOwner(VellumConfig config) {
        String url = config.get(PostgresSettings.MIGRATION_URL).trim();
        if (url.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(withPasswordFile(
                parse(url, PostgresSettings.MIGRATION_URL.key()), config, PostgresSettings.MIGRATION_PASSWORD_FILE));
    }

    /**
     * The read replicas {@code VELLUM_POSTGRES_REPLICA_URLS} lists, comma-separated (a comma inside a multi-host URL
     * stays with its URL: a new URL starts with its scheme). A replica URL without user takes the primary's user and
     * password; one without password takes the primary's password (its URL's, or {@code
     * VELLUM_POSTGRES_PASSWORD_FILE}'s).
     */
    public static List<PostgresTarget> replicas(VellumConfig config) {
        String urls = config.get(PostgresSettings.REPLICA_URLS).trim();
        if (urls.isEmpty()) {
            return List.of();
        }
        PostgresTarget primary = of(config);
        List<PostgresTarget> replicas = new ArrayList<>();
        for (String url : urls.split(",\\s*(?=(postgres|postgresql|jdbc:postgresql)://)")) {
            PostgresTarget replica = parse(url.trim(), PostgresSettings.REPLICA_URLS.key());
            if (replica.user().isEmpty()) {
                replica = replica.withUser(primary.user(), primary.password());
            } else if (replica.password() == null) {
                replica = replica.withPassword(primary.password());
            }
            replicas.add(replica);
        }
        return replicas;
    }

    /** The target with its password read from the file the setting names, if it names one. */
    private static PostgresTarget withPasswordFile(PostgresTarget target, VellumConfig config, SettingKey setting) {
        String passwordFile = config.get(setting).trim();
        if (passwordFile.isEmpty()) {
            return target;
        }
        try {
            return target.withPassword(Files.readString(Path.of(passwordFile)).strip());
        } catch (IOException e) {
            throw new ConfigurationException(setting.key() + " names '" + passwordFile + "', which cannot be read ("
                    + e.getClass().getSimpleName() + "). Check the path and its permissions.");
        }
    }

    /** A copy with the password replaced, e.g. by one read from a secrets file. */
    public PostgresTarget withPassword(String newPassword) {
        return new PostgresTarget(hosts, database, user, newPassword, new LinkedHashMap<>(parameters));
    }

    /** A copy that logs in as another role. */
    public PostgresTarget withUser(String newUser, String newPassword) {
        return new PostgresTarget(hosts, database, newUser, newPassword, new LinkedHashMap<>(parameters));
    }

    /** A copy pointing at another database on the same server. */
    public PostgresTarget withDatabase(String newDatabase) {
        return new PostgresTarget(hosts, newDatabase, user, password, new LinkedHashMap<>(parameters));
    }

    /** {@code host:port} (or a comma-separated list), without credentials. */
    public String hosts() {
        return hosts;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    /** The password, or null when none was given (trust or peer authentication, or a .pgpass file). */
    public String password() {
        return password;
    }

    /** URL query parameters other than user and password (sslmode, sslrootcert, …), passed to the driver. */
    public Map<String, String> parameters() {
        return parameters;
    }

    /** The JDBC URL without user or password; safe to log. */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://")
                .append(hosts)
                .append('/')
                .append(encode(database));
        String separator = "?";
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            url.append(separator).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
            separator = "&";
        }
        return url.toString();
    }

    /** A {@code postgres://} URL including the password: for handing to a child process, never for printing. */
    public String toUrlWithCredentials() {
        StringBuilder url = new StringBuilder("postgres://");
        if (!user.isEmpty()) {
            url.append(encode(user));
            if (password != null) {
                url.append(':').append(encode(password));
            }
            url.append('@');
        }
        url.append(hosts).append('/').append(encode(database));
        String separator = "?";
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            url.append(separator).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
            separator = "&";
        }
        return url.toString();
    }

    /** {@code host:5432/db as user 'app'}: how messages name the target. */
    public String describe() {
        String hostPart = hosts.contains(":") || hosts.contains(",") ? hosts : hosts + ":5432";
        return hostPart + "/" + (database.isEmpty() ? user : database)
                + (user.isEmpty() ? "" : " as user '" + user + "'");
    }

    @Override
    public String toString() {
        return "PostgresTarget[" + describe() + (password == null ? "" : ", password=****") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostgresTarget t
                && hosts.equals(t.hosts)
                && database.equals(t.database)
                && user.equals(t.user)
                && Objects.equals(password, t.password)
                && parameters.equals(t.parameters);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hosts, database, user, parameters);
    }

    /** Percent-decoding only: unlike form decoding, {@code +} stays a plus sign, as it must in a password. */
    private static String decode(String text, String settingName) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (c == '%') {
                int hi = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new ConfigurationException(settingName + " has a broken percent-escape (a % must be "
                            + "followed by two hex digits; write a literal % as %25)");
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            } else {
                byte[] encoded = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~';
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
