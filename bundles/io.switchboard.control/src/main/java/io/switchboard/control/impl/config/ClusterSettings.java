package io.switchboard.control.impl.config;

import io.switchboard.api.Endpoint;
import io.switchboard.control.impl.cluster.ClusterSpec;
import java.util.ArrayList;
import io.switchboard.control.impl.route.Match;
import io.switchboard.support.config.ConfigProblem;
import io.switchboard.support.config.ConfigReader;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the properties of one {@code io.switchboard.cluster} configuration into a spec.
 * Endpoints are written {@code [id=]host:port[;weight=N]}; without an id the endpoint is named
 * {@code host:port}.
 */
public final class ClusterSettings {
    public static final String FACTORY_PID = "io.switchboard.cluster";
    static final List<String> KEYS = List.of("name", "endpoints", "policy", "premium", "premiumMatch", "premiumFallback",
            "connectTimeoutMillis", "firstByteTimeoutMillis", "retries", "maxFails", "failTimeoutSeconds", "maxConnections", "idleTimeoutMillis");

    private ClusterSettings() {
    }

    public static ClusterSpec parse(Map<String, ?> props) throws ConfigProblem {
        return parse(props, null);
    }

    public static ClusterSpec parse(Map<String, ?> props, String source) throws ConfigProblem {
        ConfigReader r = new ConfigReader(props, KEYS);
        r.rejectUnknownKeys();
        String name = r.instanceName();
        String policy = r.string("policy", "round-robin");
        List<String> items = r.list("endpoints");
        if (items.isEmpty()) {
            throw new ConfigProblem("endpoints", "a cluster needs at least one endpoint");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String item : items) {
            Endpoint e = endpoint(item);
            if (!ids.add(e.id())) {
                throw new ConfigProblem("endpoints", "duplicate endpoint id '" + e.id() + "'");
            }
            endpoints.add(e);
        }
        Set<String> premium = new LinkedHashSet<>(r.list("premium"));
        for (String id : premium) {
            if (!ids.contains(id)) {
                throw new ConfigProblem("premium", "'" + id + "' is not an endpoint id of this cluster (ids: " + ids + ")");
            }
        }
        if (!premium.isEmpty() && premium.size() == endpoints.size()) {
            throw new ConfigProblem("premium", "the premium subset must leave at least one endpoint for other requests");
        }
        List<Match> premiumMatch = new ArrayList<>();
        for (String condition : r.list("premiumMatch")) {
            try {
                premiumMatch.add(Match.parse(condition));
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("premiumMatch", e.getMessage());
            }
        }
        if (premium.isEmpty() != premiumMatch.isEmpty()) {
            throw new ConfigProblem(premium.isEmpty() ? "premium" : "premiumMatch",
                    "premium and premiumMatch go together: which endpoints are reserved, and for which requests");
        }
        ClusterSpec.PremiumFallback fallback;
        String fb = r.string("premiumFallback", "refuse");
        try {
            fallback = ClusterSpec.PremiumFallback.valueOf(fb.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("premiumFallback", "'" + fb + "' is not refuse or spill");
        }
        ClusterSpec.Options options = new ClusterSpec.Options(
                r.integer("connectTimeoutMillis", 5000, 1, 600_000),
                r.integer("firstByteTimeoutMillis", 30_000, 1, 3_600_000),
                r.integer("retries", 2, 0, 10),
                r.integer("maxFails", 3, 0, 1000),
                r.integer("failTimeoutSeconds", 10, 1, 3600),
                r.integer("maxConnections", 0, 0, 1_000_000),
                r.integer("idleTimeoutMillis", 60_000, 1, 86_400_000));
        return new ClusterSpec(name, policy, endpoints, premium, premiumMatch, fallback, options, source);
    }

    static Endpoint endpoint(String item) throws ConfigProblem {
        String rest = item;
        int weight = 1;
        int semi = rest.indexOf(';');
        if (semi >= 0) {
            String opt = rest.substring(semi + 1).trim();
            rest = rest.substring(0, semi).trim();
            if (!opt.startsWith("weight=")) {
                throw new ConfigProblem("endpoints", "'" + item + "': unknown option '" + opt + "' (expected weight=N)");
            }
            try {
                weight = Integer.parseInt(opt.substring(7).trim());
            } catch (NumberFormatException e) {
                throw new ConfigProblem("endpoints", "'" + item + "': weight is not a whole number");
            }
            if (weight < 0 || weight > 1000) {
                throw new ConfigProblem("endpoints", "'" + item + "': weight out of range 0..1000");
            }
        }
        String id = null;
        int eq = rest.indexOf('=');
        if (eq >= 0) {
            id = rest.substring(0, eq).trim();
            rest = rest.substring(eq + 1).trim();
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9._:-]*")) {
                throw new ConfigProblem("endpoints", "'" + item + "': '" + id + "' is not an endpoint id");
            }
        }
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new ConfigProblem("endpoints", "'" + item + "' is not host:port");
        }
        String host = rest.substring(0, colon).trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(rest.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new ConfigProblem("endpoints", "'" + item + "': port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigProblem("endpoints", "'" + item + "': port " + port + " is out of range 1..65535");
        }
        Endpoint e = new Endpoint(id == null ? host + ":" + port : id, host, port, weight);
        if (e.address().isUnresolved()) {
            throw new ConfigProblem("endpoints", "'" + item + "': host '" + host + "' does not resolve");
        }
        return e;
    }
}
