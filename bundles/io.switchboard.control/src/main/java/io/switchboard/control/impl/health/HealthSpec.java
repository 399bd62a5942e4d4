package io.switchboard.control.impl.health;

import java.util.Map;
import java.util.Objects;

/**
 * How the control side watches a cluster's endpoints: an active check (TCP connect or HTTP GET with
 * an expected status, rise/fall thresholds) and an agent polled for capacity. Each endpoint is
 * checked once here, never once per event loop.
 */
public final class HealthSpec {
    public enum CheckType { NONE, TCP, HTTP }

    public static final HealthSpec NONE = new HealthSpec(CheckType.NONE, "/", StatusRange.DEFAULT, 2000, 1000, 2, 3,
            0, Map.of(), 2000, 1000, 10, false, "", 0, 50, 0, 20);

    final CheckType check;
    final String httpPath;
    final StatusRange expectStatus;
    final int intervalMillis;
    final int timeoutMillis;
    final int rise;
    final int fall;
    final int agentPort;
    /** Agent ports of single endpoints ({@code agent=PORT} on the endpoint), by endpoint id. */
    final Map<String, Integer> agentPorts;
    final int agentIntervalMillis;
    final int agentTimeoutMillis;
    final int agentStaleSeconds;
    /** Whether agents are asked for Switchboard's JSON report rather than the agent-check line. */
    final boolean agentJson;
    /** The load-distribution algorithm that turns agent reports into weights; empty: the agents' stated capacity. */
    final String distribution;
    /** Seconds over which an endpoint that comes back ramps from 10 % to its full weight; 0: at once. */
    final int slowStartSeconds;
    /** The largest share of the cluster's endpoints that passive health may take out at once. */
    final int maxEjectionPercent;
    /** Share of failed requests within one second (of at least {@link #ejectMinRequests}) that ejects an endpoint; 0: off. */
    final int ejectErrorPercent;
    final int ejectMinRequests;

    public HealthSpec(CheckType check, String httpPath, StatusRange expectStatus, int intervalMillis, int timeoutMillis, int rise, int fall,
                      int agentPort, Map<String, Integer> agentPorts, int agentIntervalMillis, int agentTimeoutMillis, int agentStaleSeconds,
                      boolean agentJson, String distribution, int slowStartSeconds, int maxEjectionPercent,
                      int ejectErrorPercent, int ejectMinRequests) {
        this.ejectErrorPercent = ejectErrorPercent;
        this.ejectMinRequests = ejectMinRequests;
        this.agentJson = agentJson;
        this.distribution = Objects.requireNonNull(distribution);
        this.slowStartSeconds = slowStartSeconds;
        this.maxEjectionPercent = maxEjectionPercent;
        this.check = Objects.requireNonNull(check);
        this.httpPath = httpPath;
        this.expectStatus = expectStatus;
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = timeoutMillis;
        this.rise = rise;
        this.fall = fall;
        this.agentPort = agentPort;
        this.agentPorts = Map.copyOf(agentPorts);
        this.agentIntervalMillis = agentIntervalMillis;
        this.agentTimeoutMillis = agentTimeoutMillis;
        this.agentStaleSeconds = agentStaleSeconds;
    }

    public CheckType check() { return check; }

    /** The agent port of an endpoint: its own, else the cluster's; 0 when it has no agent. */
    public int agentPort(String endpointId) {
        Integer own = agentPorts.get(endpointId);
        return own != null ? own : agentPort;
    }

    public boolean hasAgents() {
        return agentPort > 0 || !agentPorts.isEmpty();
    }

    public long agentStaleMillis() {
        return agentStaleSeconds * 1000L;
    }

    /** The distribution algorithm's name; empty when the agents' stated capacity is used as it is. */
    public String distribution() {
        return distribution;
    }

    public int agentIntervalMillis() {
        return agentIntervalMillis;
    }

    public long slowStartMillis() {
        return slowStartSeconds * 1000L;
    }

    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }

    public int ejectErrorPercent() {
        return ejectErrorPercent;
    }

    public int ejectMinRequests() {
        return ejectMinRequests;
    }

    /** Equal specs give equal text: the cluster spec's text includes it. */
    @Override
    public String toString() {
        return check + "," + httpPath + "," + expectStatus + "," + intervalMillis + "," + timeoutMillis + "," + rise + "," + fall
                + ",agent " + agentPort + "," + new java.util.TreeMap<>(agentPorts) + "," + agentIntervalMillis + ","
                + agentTimeoutMillis + "," + agentStaleSeconds + "," + (agentJson ? "json" : "text") + ",distribution " + distribution
                + ",slowStart " + slowStartSeconds + ",maxEjection " + maxEjectionPercent + ",errorRate " + ejectErrorPercent + "/" + ejectMinRequests;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthSpec && o.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Accepted HTTP statuses: a list of codes and ranges such as {@code 200-399} or {@code 200,204}. */
    public static final class StatusRange {
        public static final StatusRange DEFAULT = parse("200-399");
        private final String text;
        private final boolean[] accepted = new boolean[600];

        private StatusRange(String text) {
            this.text = text;
        }

        public static StatusRange parse(String text) {
            StatusRange r = new StatusRange(text.trim());
            for (String part : text.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-');
                int from;
                int to;
                try {
                    from = Integer.parseInt((dash < 0 ? p : p.substring(0, dash)).trim());
                    to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + p + "' is not a status code or range like 200-399");
                }
                if (from < 100 || to > 599 || from > to) {
                    throw new IllegalArgumentException("'" + p + "' is not within 100-599");
                }
                for (int s = from; s <= to; s++) {
                    r.accepted[s] = true;
                }
            }
            return r;
        }

        public boolean accepts(int status) {
            return status >= 0 && status < accepted.length && accepted[status];
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
