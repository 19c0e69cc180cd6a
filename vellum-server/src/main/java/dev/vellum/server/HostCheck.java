package dev.vellum.server;

import io.javalin.http.Context;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A server without API keys listens on loopback only, but a web page can still reach it: a name the page's site
 * controls is rebound to 127.0.0.1, and the browser then sends the page's requests there with that name as their Host
 * (DNS rebinding). Without keys, only the names of this machine are served — {@code localhost}, {@code 127.0.0.1},
 * {@code [::1]}, the listening address and {@code VELLUM_HTTP_ALLOWED_HOSTS} — and any other Host is refused with 421
 * before anything runs. With keys, the key is what keeps a page out.
 */
final class HostCheck {
    private final Set<String> names = new HashSet<>();

    HostCheck(String listeningHost, List<String> allowed) {
        names.addAll(List.of("localhost", "127.0.0.1", "::1", "[::1]"));
        String host = listeningHost.toLowerCase(Locale.ROOT);
        names.add(host);
        names.add(host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        names.addAll(allowed);
    }

    /** Refuses a request whose Host names another machine; one without a Host (HTTP/1.0) is served. */
    void check(Context ctx) {
        String host = ctx.header("Host");
        if (host == null
                || host.isBlank()
                || names.contains(withoutPort(host.strip().toLowerCase(Locale.ROOT)))) {
            return;
        }
        throw new Problem(
                421,
                "host-not-allowed",
                "Host not allowed",
                "This server has no API keys and answers only "
                        + "to this machine's names (localhost, 127.0.0.1, [::1], " + "its listening address, and "
                        + "VELLUM_HTTP_ALLOWED_HOSTS); the request named another host. Add the name to "
                        + "VELLUM_HTTP_ALLOWED_HOSTS, or set VELLUM_API_KEYS.");
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 || host.indexOf(':', colon + 1) >= 0 ? host : host.substring(0, colon);
    }
}
