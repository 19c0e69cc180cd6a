package dev.vellum.server;

import dev.vellum.SettingKey;
import dev.vellum.VellumConfig;
import dev.vellum.spi.ConfigurationExtension;
import java.util.List;

/** The settings of {@code vellum serve}: where it listens, who may call, and the limits on requests. */
public final class HttpSettings {
    public static final SettingKey HOST = SettingKey.of(
            "VELLUM_HTTP_HOST",
            "127.0.0.1",
            "vellum serve: address to listen on (a non-loopback address needs VELLUM_API_KEYS)");

    public static final SettingKey PORT =
            SettingKey.of("VELLUM_HTTP_PORT", "8080", "vellum serve: port (0 = any free port)");

    public static final SettingKey API_KEYS = SettingKey.of(
                    "VELLUM_API_KEYS",
                    "",
                    "vellum serve: comma-separated API keys; when set, /v1 requests need 'Authorization: Bearer <key>'")
            .secret();

    public static final SettingKey API_KEYS_FILE = SettingKey.of(
            "VELLUM_API_KEYS_FILE",
            "",
            "vellum serve: read the API keys from this file (one per line or comma-separated)");

    public static final SettingKey MAX_BODY = SettingKey.of(
            "VELLUM_HTTP_MAX_BODY",
            "10MB",
            "vellum serve: largest JSON request body (NDJSON batches are streamed and not limited), e.g. 512KB, 10MB");

    public static final SettingKey MAX_PAGE_SIZE =
            SettingKey.of("VELLUM_HTTP_MAX_PAGE_SIZE", "1000", "vellum serve: largest page a query may ask for");

    public static final SettingKey DEFAULT_PAGE_SIZE =
            SettingKey.of("VELLUM_HTTP_DEFAULT_PAGE_SIZE", "100", "vellum serve: page size when a query names none");

    public static final SettingKey REQUEST_TIMEOUT = SettingKey.of(
            "VELLUM_HTTP_REQUEST_TIMEOUT",
            "30s",
            "vellum serve: a request still running after this long gets 503 (exports and batches are exempt)");

    public static final SettingKey MAX_FILTER_DEPTH = SettingKey.of(
            "VELLUM_HTTP_MAX_FILTER_DEPTH", "16", "vellum serve: deepest nesting of and/or/not in a filter");

    public static final SettingKey MAX_FILTER_CONDITIONS = SettingKey.of(
            "VELLUM_HTTP_MAX_FILTER_CONDITIONS",
            "200",
            "vellum serve: most conditions (and list elements) in one filter");

    public static final SettingKey MAX_CONCURRENT = SettingKey.of(
            "VELLUM_HTTP_MAX_CONCURRENT",
            "128",
            "vellum serve: most requests handled at once; more wait up to VELLUM_HTTP_QUEUE_TIMEOUT for their turn");

    public static final SettingKey QUEUE_TIMEOUT = SettingKey.of(
            "VELLUM_HTTP_QUEUE_TIMEOUT",
            "2s",
            "vellum serve: how long a request waits for its turn when VELLUM_HTTP_MAX_CONCURRENT are at work, before "
                    + "503 with Retry-After (0 = answer 503 at once)");

    public static final SettingKey IDLE_TIMEOUT = SettingKey.of(
            "VELLUM_HTTP_IDLE_TIMEOUT",
            "30s",
            "vellum serve: close a connection that sends or reads nothing for this long");

    public static final SettingKey MIN_BODY_RATE = SettingKey.of(
            "VELLUM_HTTP_MIN_BODY_RATE",
            "64",
            "vellum serve: slowest request body accepted, in bytes per second on average (slower uploads get 408; "
                    + "0 = no minimum)");

    public static final SettingKey MAX_FEED_READERS_PER_CLIENT = SettingKey.of(
            "VELLUM_HTTP_MAX_FEED_READERS_PER_CLIENT",
            "32",
            "vellum serve: change-feed streams and long-polls one client (its API key, or without keys its IP address) "
                    + "may hold at once; more get 429 with Retry-After (0 = no limit)");

    public static final SettingKey ALLOWED_HOSTS = SettingKey.of(
            "VELLUM_HTTP_ALLOWED_HOSTS",
            "",
            "vellum serve without API keys: more names this machine answers to (a Host header other than localhost, "
                    + "127.0.0.1, [::1], the listening address or these is refused, so a web page cannot reach the "
                    + "server through a name it rebinds), comma-separated");

    public static final SettingKey CORS_ORIGINS = SettingKey.of(
            "VELLUM_HTTP_CORS_ORIGINS",
            "",
            "vellum serve: origins whose pages may call the API from a browser, comma-separated "
                    + "(https://app.example.com), or * for any; empty = none");

    public static final SettingKey STREAM_TOKEN_TTL = SettingKey.of(
            "VELLUM_HTTP_STREAM_TOKEN_TTL",
            "10m",
            "vellum serve: how long a stream token (for a browser's EventSource) opens its stream");

    public static final SettingKey SHUTDOWN_GRACE = SettingKey.of(
            "VELLUM_HTTP_SHUTDOWN_GRACE",
            "20s",
            "vellum serve: on SIGTERM, how long requests in flight may take to finish");

    /** Every setting of this module, in the order {@code vellum config} lists them. */
    public static final List<SettingKey> ALL = List.of(
            HOST,
            PORT,
            API_KEYS,
            API_KEYS_FILE,
            MAX_BODY,
            MAX_PAGE_SIZE,
            DEFAULT_PAGE_SIZE,
            REQUEST_TIMEOUT,
            MAX_FILTER_DEPTH,
            MAX_FILTER_CONDITIONS,
            MAX_CONCURRENT,
            QUEUE_TIMEOUT,
            IDLE_TIMEOUT,
            MIN_BODY_RATE,
            MAX_FEED_READERS_PER_CLIENT,
            ALLOWED_HOSTS,
            CORS_ORIGINS,
            STREAM_TOKEN_TTL,
            SHUTDOWN_GRACE);

    private HttpSettings() {}

    /** Declares the settings to {@link VellumConfig} and checks them whenever a configuration is built. */
    public static final class Extension implements ConfigurationExtension {
        @Override
        public List<SettingKey> settings() {
            return ALL;
        }

        @Override
        public void check(VellumConfig config) {
            ServerSettings.from(config);
        }
    }
}
