package dev.vellum.server;

import dev.vellum.ConfigurationException;
import dev.vellum.VellumConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code vellum serve} needs: where to listen, who may call, and the limits on requests, read from the
 * {@code VELLUM_HTTP_*} and API-key settings of a {@link VellumConfig}.
 *
 * @param requestTimeout zero for no limit
 * @param shutdownGrace  how long requests in flight may run once a stop begins
 * @param maxConcurrent  requests handled at once; more wait for their turn
 * @param queueTimeout   how long a request waits for its turn before 503 (zero: answered 503 at once)
 * @param idleTimeout    a connection silent this long is closed
 * @param minBodyRate    bytes per second below which a request body is refused (0 = no minimum)
 * @param corsOrigins    origins whose pages may call the API ({@code *}: any); empty for none
 * @param streamTokenTtl how long a stream token opens its stream
 * @param allowedHosts   without API keys, the Host names served besides loopback's and the listening address
 * @param maxFeedReadersPerClient change-feed readers one client may hold at once (0: no limit)
 */
public record ServerSettings(
        String host,
        int port,
        List<String> apiKeys,
        long maxBodyBytes,
        int maxPageSize,
        int defaultPageSize,
        Duration requestTimeout,
        int maxFilterDepth,
        int maxFilterConditions,
        Duration shutdownGrace,
        int maxConcurrent,
        Duration queueTimeout,
        Duration idleTimeout,
        long minBodyRate,
        List<String> corsOrigins,
        Duration streamTokenTtl,
        List<String> allowedHosts,
        int maxFeedReadersPerClient) {

    /** The server settings of a configuration; every problem is a {@link ConfigurationException} naming the key. */
    public static ServerSettings from(VellumConfig config) {
        ServerSettings server = new ServerSettings(
                config.get(HttpSettings.HOST).trim(),
                config.getInt(HttpSettings.PORT, 0),
                apiKeys(config),
                config.getSize(HttpSettings.MAX_BODY),
                config.getInt(HttpSettings.MAX_PAGE_SIZE, 1),
                config.getInt(HttpSettings.DEFAULT_PAGE_SIZE, 1),
                config.getDuration(HttpSettings.REQUEST_TIMEOUT).orElse(Duration.ZERO),
                config.getInt(HttpSettings.MAX_FILTER_DEPTH, 1),
                config.getInt(HttpSettings.MAX_FILTER_CONDITIONS, 1),
                config.getDuration(HttpSettings.SHUTDOWN_GRACE).orElse(Duration.ZERO),
                config.getInt(HttpSettings.MAX_CONCURRENT, 1),
                config.getDuration(HttpSettings.QUEUE_TIMEOUT).orElse(Duration.ZERO),
                config.getDuration(HttpSettings.IDLE_TIMEOUT).orElse(Duration.ofSeconds(30)),
                config.getSize(HttpSettings.MIN_BODY_RATE),
                corsOrigins(config),
                config.getDuration(HttpSettings.STREAM_TOKEN_TTL).orElse(Duration.ofMinutes(10)),
                Arrays.stream(config.get(HttpSettings.ALLOWED_HOSTS).split(","))
                        .map(String::strip)
                        .filter(h -> !h.isEmpty())
                        .map(h -> h.toLowerCase(java.util.Locale.ROOT))
                        .toList(),
                config.getInt(HttpSettings.MAX_FEED_READERS_PER_CLIENT, 0));
        if (server.streamTokenTtl().isZero()) {
            throw new ConfigurationException(HttpSettings.STREAM_TOKEN_TTL.key() + " must be longer than 0, e.g. 10m");
        }
        if (server.port() > 65535) {
            throw new ConfigurationException(HttpSettings.PORT.key() + " must be at most 65535, got " + server.port());
        }
        if (server.defaultPageSize() > server.maxPageSize()) {
            throw new ConfigurationException(HttpSettings.DEFAULT_PAGE_SIZE.key() + " (" + server.defaultPageSize()
                    + ") must not be greater than " + HttpSettings.MAX_PAGE_SIZE.key() + " (" + server.maxPageSize()
                    + ")");
        }
        return server;
    }

    /** Origins as browsers send them: scheme, host and port, no path ({@code https://app.example.com:8443}). */
    private static List<String> corsOrigins(VellumConfig config) {
        List<String> origins = Arrays.stream(
                        config.get(HttpSettings.CORS_ORIGINS).split(","))
                .map(String::strip)
                .filter(o -> !o.isEmpty())
                .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                .toList();
        for (String origin : origins) {
            if (!origin.equals("*") && !origin.matches("(?i)https?://[^/?#\\s]+")) {
                throw new ConfigurationException(HttpSettings.CORS_ORIGINS.key() + " lists '" + origin + "', which "
                        + "is not an origin: write scheme, host and port, e.g. https://app.example.com or "
                        + "http://localhost:5173 (or * for any)");
            }
        }
        return origins;
    }

    private static List<String> apiKeys(VellumConfig config) {
        String raw = config.get(HttpSettings.API_KEYS);
        String file = config.get(HttpSettings.API_KEYS_FILE).trim();
        if (!file.isEmpty()) {
            try {
                raw = raw + "," + Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new ConfigurationException(
                        HttpSettings.API_KEYS_FILE.key() + " names '" + file + "', which cannot " + "be read ("
                                + e.getClass().getSimpleName() + "). Check the path and its permissions.");
            }
        }
        List<String> keys = Arrays.stream(raw.split("[,\\n]"))
                .map(String::strip)
                .filter(k -> !k.isEmpty())
                .toList();
        for (String key : keys) {
            if (key.length() < 16) {
                throw new ConfigurationException("Every API key (" + HttpSettings.API_KEYS.key()
                        + ") must be at least 16 " + "characters long; one has " + key.length()
                        + ". Generate one with: openssl rand -hex 32");
            }
        }
        return keys;
    }

    /** The keys are secrets: never printed. */
    @Override
    public String toString() {
        return "ServerSettings[" + host + ":" + port + ", " + apiKeys.size() + " API key(s)]";
    }
}
