package dev.vellum.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The variables Kubernetes puts in every pod for each Service of its namespace ("service links"): a Service named
 * {@code vellum} gives {@code VELLUM_SERVICE_HOST}, {@code VELLUM_SERVICE_PORT}, {@code VELLUM_PORT=tcp://10.0.0.7:8080},
 * {@code VELLUM_PORT_8080_TCP_ADDR} and so on, and one named {@code vellum-postgres} gives
 * {@code VELLUM_POSTGRES_PORT=tcp://…}, the name of a setting. They are the cluster's, not the user's: left out of the
 * environment before settings are read, so neither a strict check nor a setting of the same name trips over them.
 */
public final class ServiceLinks {
    /** {@code X_SERVICE_HOST}, {@code X_SERVICE_PORT}, {@code X_SERVICE_PORT_<port name>}. */
    private static final Pattern SERVICE = Pattern.compile("[A-Z0-9_]+_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)");
    /** {@code X_PORT_8080_TCP}, {@code X_PORT_8080_TCP_PROTO}, {@code _PORT}, {@code _ADDR}. */
    private static final Pattern PORT_DETAIL =
            Pattern.compile("[A-Z0-9_]+_PORT_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?");
    /** The value of {@code X_PORT}: {@code tcp://10.0.0.7:8080} (IPv6 in brackets); never a port number. */
    private static final Pattern LINK_ADDRESS = Pattern.compile("(tcp|udp|sctp)://[0-9A-Fa-f.:\\[\\]]+:\\d+");

    private ServiceLinks() {}

    /** True for a variable Kubernetes sets for a Service (by its name, or for {@code X_PORT} by its value). */
    public static boolean isServiceLink(String name, String value) {
        if (SERVICE.matcher(name).matches() || PORT_DETAIL.matcher(name).matches()) {
            return true;
        }
        return name.endsWith("_PORT")
                && value != null
                && LINK_ADDRESS.matcher(value.trim()).matches();
    }

    /** The environment without Kubernetes' service links among the {@code VELLUM_*} variables. */
    public static Map<String, String> without(Map<String, String> environment) {
        Map<String, String> kept = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (!name.startsWith("VELLUM_") || !isServiceLink(name, value)) {
                kept.put(name, value);
            }
        });
        return kept;
    }
}
