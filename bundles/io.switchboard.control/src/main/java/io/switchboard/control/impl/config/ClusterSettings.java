package io.switchboard.control.impl.config;

import io.switchboard.api.Endpoint;
import io.switchboard.control.impl.cluster.ClusterSpec;
import io.switchboard.control.impl.health.HealthSpec;
import java.util.HashMap;
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
 * Endpoints are written {@code [id=]host:port[;weight=N][;agent=PORT]}; without an id the endpoint
 * is named {@code host:port}; {@code agent} is the port of its agent when not the cluster's
 * {@code agentPort}. An application inside the runtime is written {@code [id=]local:NAME[;weight=N]}
 * (named {@code local:NAME} without an id): it has no host to check or ask, so it takes no agent.
 */
public final class ClusterSettings {
    public static final String FACTORY_PID = "io.switchboard.cluster";
    static final List<String> KEYS = List.of("name", "endpoints", "policy", "premium", "premiumMatch", "premiumFallback",
            "connectTimeoutMillis", "firstByteTimeoutMillis", "retries", "maxFails", "failTimeoutSeconds", "maxConnections", "idleTimeoutMillis",
            "healthCheck", "healthPath", "healthStatus", "healthIntervalMillis", "healthTimeoutMillis", "rise", "fall",
            "agentPort", "agentIntervalMillis", "agentTimeoutMillis", "agentStaleSeconds", "agentFormat", "distribution",
            "slowStartSeconds", "maxEjectionPercent", "ejectErrorPercent", "ejectMinRequests", "dispatch");

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
        Map<String, Integer> agentPorts = new HashMap<>();
        for (String item : items) {
            Endpoint e = endpoint(item);
            if (!ids.add(e.id())) {
                throw new ConfigProblem("endpoints", "duplicate endpoint id '" + e.id() + "'");
            }
            endpoints.add(e);
            int agent = agentPort(item);
            if (agent > 0) {
                agentPorts.put(e.id(), agent);
            }
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
        return new ClusterSpec(name, policy, endpoints, premium, premiumMatch, fallback, options, health(r, agentPorts), source)
                .withDispatch(dispatch(r));
    }

    /** {@code source}, {@code cookie:NAME} or {@code header:NAME}: how the dispatch table keys this cluster's clients. */
    private static String dispatch(ConfigReader r) throws ConfigProblem {
        String d = r.optionalString("dispatch", "");
        if (d.isEmpty() || d.equals("source")) {
            return d;
        }
        if ((d.startsWith("cookie:") || d.startsWith("header:")) && d.length() > 7 && d.substring(7).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            return d;
        }
        throw new ConfigProblem("dispatch", "'" + d + "' is not source, cookie:NAME or header:NAME");
    }

    private static HealthSpec health(ConfigReader r, Map<String, Integer> agentPorts) throws ConfigProblem {
        String type = r.string("healthCheck", "none");
        HealthSpec.CheckType check;
        try {
            check = HealthSpec.CheckType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("healthCheck", "'" + type + "' is not none, tcp or http");
        }
        String path = r.string("healthPath", "/");
        if (!path.startsWith("/") || !path.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ConfigProblem("healthPath", "'" + path + "' is not a path starting with / (no spaces or control characters)");
        }
        HealthSpec.StatusRange status;
        try {
            status = HealthSpec.StatusRange.parse(r.string("healthStatus", "200-399"));
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("healthStatus", e.getMessage());
        }
        int interval = r.integer("healthIntervalMillis", 2000, 100, 3_600_000);
        // Unset, a timeout is at most the interval: a short interval alone is a valid setting.
        int timeout = r.integer("healthTimeoutMillis", Math.min(1000, interval), 10, 60_000);
        if (timeout > interval) {
            throw new ConfigProblem("healthTimeoutMillis", timeout + " is longer than healthIntervalMillis " + interval);
        }
        int rise = r.integer("rise", 2, 1, 100);
        int fall = r.integer("fall", 3, 1, 100);
        int agentPort = r.integer("agentPort", 0, 0, 65535);
        int agentInterval = r.integer("agentIntervalMillis", 2000, 100, 3_600_000);
        int agentTimeout = r.integer("agentTimeoutMillis", Math.min(1000, agentInterval), 10, 60_000);
        if (agentTimeout > agentInterval) {
            throw new ConfigProblem("agentTimeoutMillis", agentTimeout + " is longer than agentIntervalMillis " + agentInterval);
        }
        int stale = r.integer("agentStaleSeconds", 10, 1, 86_400);
        String format = r.string("agentFormat", "text");
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigProblem("agentFormat", "'" + format + "' is not text (HAProxy's agent-check line) or json (Switchboard's agent report)");
        }
        String distribution = r.string("distribution", "");
        if (!distribution.isEmpty() && !distribution.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigProblem("distribution", "'" + distribution + "' is not a distribution algorithm name");
        }
        if (!distribution.isEmpty() && agentPort == 0 && agentPorts.isEmpty()) {
            throw new ConfigProblem("distribution", "a load distribution needs agents: set agentPort, or agent=PORT on endpoints");
        }
        int slowStart = r.integer("slowStartSeconds", 0, 0, 3600);
        int maxEjection = r.integer("maxEjectionPercent", 50, 0, 100);
        int errorPercent = r.integer("ejectErrorPercent", 0, 0, 100);
        int minRequests = r.integer("ejectMinRequests", 20, 1, 1_000_000);
        return new HealthSpec(check, path, status, interval, timeout, rise, fall, agentPort, agentPorts, agentInterval, agentTimeout, stale,
                format.equals("json"), distribution, slowStart, maxEjection, errorPercent, minRequests);
    }

    /** The {@code agent=PORT} option of an endpoint item; 0 when it has none. */
    static int agentPort(String item) throws ConfigProblem {
        for (String opt : options(item)) {
            if (opt.startsWith("agent=")) {
                try {
                    int port = Integer.parseInt(opt.substring(6).trim());
                    if (port >= 1 && port <= 65535) {
                        return port;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new ConfigProblem("endpoints", "'" + item + "': agent port is not a number in 1..65535");
            }
        }
        return 0;
    }

    /** The {@code ;}-separated options after an endpoint's address. */
    private static List<String> options(String item) {
        List<String> out = new ArrayList<>();
        String[] parts = item.split(";");
        for (int i = 1; i < parts.length; i++) {
            out.add(parts[i].trim());
        }
        return out;
    }

    static Endpoint endpoint(String item) throws ConfigProblem {
        String rest = item;
        int weight = 1;
        int semi = rest.indexOf(';');
        if (semi >= 0) {
            rest = rest.substring(0, semi).trim();
        }
        Set<String> seen = new HashSet<>();
        for (String opt : options(item)) {
            String key = opt.contains("=") ? opt.substring(0, opt.indexOf('=')).trim() : opt;
            if (!seen.add(key)) {
                throw new ConfigProblem("endpoints", "'" + item + "': option '" + key + "' given twice");
            }
            if (opt.startsWith("weight=")) {
                try {
                    weight = Integer.parseInt(opt.substring(7).trim());
                } catch (NumberFormatException e) {
                    throw new ConfigProblem("endpoints", "'" + item + "': weight is not a whole number");
                }
                if (weight < 0 || weight > 1000) {
                    throw new ConfigProblem("endpoints", "'" + item + "': weight out of range 0..1000");
                }
            } else if (!opt.startsWith("agent=")) {
                throw new ConfigProblem("endpoints", "'" + item + "': unknown option '" + opt + "' (expected weight=N or agent=PORT)");
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
        if (rest.startsWith(Endpoint.LOCAL_PREFIX)) {
            return localEndpoint(item, id, rest.substring(Endpoint.LOCAL_PREFIX.length()).trim(), weight);
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

    /** {@code local:NAME}: the local application registered under that name. */
    private static Endpoint localEndpoint(String item, String id, String name, int weight) throws ConfigProblem {
        if (!Endpoint.isLocalName(name)) {
            throw new ConfigProblem("endpoints", "'" + item + "': '" + name + "' is not a local application name (letters, digits, . _ -)");
        }
        if (agentPort(item) > 0) {
            throw new ConfigProblem("endpoints", "'" + item + "': a local endpoint has no agent");
        }
        return Endpoint.local(id == null ? Endpoint.LOCAL_PREFIX + name : id, name, weight);
    }
}
