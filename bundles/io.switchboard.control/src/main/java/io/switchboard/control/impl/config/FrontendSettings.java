package io.switchboard.control.impl.config;

import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the properties of one {@code io.switchboard.frontend} configuration into a spec. The common
 * keys are checked here; every other key is an option of the frontend's protocol, checked by the
 * protocol when the transport binds the frontend (an unknown one is rejected there).
 */
public final class FrontendSettings {
    public static final String FACTORY_PID = "io.switchboard.frontend";
    static final List<String> KEYS = List.of("name", "protocol", "address", "port", "cluster", "services");

    private FrontendSettings() {
    }

    public static FrontendSpec parse(Map<String, ?> props, ConfigReader r) throws ConfigProblem {
        String name = r.instanceName();
        String protocol = r.string("protocol", "http").toLowerCase(Locale.ROOT);
        if (!protocol.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new ConfigProblem("protocol", "'" + protocol + "' is not a protocol name (http, tcp, udp, or one a plugin provides)");
        }

        String address = r.string("address", "0.0.0.0");
        if (!isLiteralAddress(address)) {
            throw new ConfigProblem("address", "'" + address + "' is not an IP address");
        }
        int port = r.integer("port", null, 0, 65535);
        String cluster = r.requiredString("cluster");
        Map<String, String> options = new HashMap<>();
        for (Map.Entry<String, ?> e : props.entrySet()) {
            if (!KEYS.contains(e.getKey()) && !ConfigReader.isFrameworkKey(e.getKey())) {
                Object v = e.getValue();
                options.put(e.getKey(), v instanceof String[] ? String.join(",", (String[]) v) : String.valueOf(v).trim());
            }
        }
        return new FrontendSpec(name, protocol, address, port, cluster, services(r.list("services"), port, cluster), options, r.source());
    }

    /** Virtual services, written {@code ip:port[=cluster]} ({@code ip} alone: the frontend's port). */
    static Map<InetSocketAddress, String> services(List<String> items, int port, String dfltCluster) throws ConfigProblem {
        Map<InetSocketAddress, String> services = new LinkedHashMap<>();
        for (String item : items) {
            String target = item;
            String cluster = dfltCluster;
            int eq = item.indexOf('=');
            if (eq >= 0) {
                target = item.substring(0, eq).trim();
                cluster = item.substring(eq + 1).trim();
                if (cluster.isEmpty()) {
                    throw new ConfigProblem("services", "'" + item + "': no cluster after '='");
                }
            }
            String host = target;
            int servicePort = port;
            int colon = target.lastIndexOf(':');
            if (colon > 0 && target.indexOf(':') == colon) {
                host = target.substring(0, colon);
                try {
                    servicePort = Integer.parseInt(target.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new ConfigProblem("services", "'" + item + "': port is not a number");
                }
            }
            if (!isLiteralAddress(host) || servicePort < 1 || servicePort > 65535) {
                throw new ConfigProblem("services", "'" + item + "' is not ip:port[=cluster]");
            }
            if (services.put(new InetSocketAddress(host, servicePort), cluster) != null) {
                throw new ConfigProblem("services", "'" + target + "' is listed twice");
            }
        }
        return services;
    }

    public static FrontendSpec parse(Map<String, ?> props) throws ConfigProblem {
        return parse(props, new ConfigReader(props, KEYS));
    }

    private static boolean isLiteralAddress(String a) {
        if (!a.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            return false; // no host names: a frontend must not wait for DNS
        }
        try {
            InetAddress.getByName(a);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
