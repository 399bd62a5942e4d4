package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.control.impl.health.HealthSpec;
import io.switchboard.control.impl.route.Match;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** A validated cluster configuration. */
public final class ClusterSpec {
    /** What premium requests do when every reserved endpoint is down. */
    public enum PremiumFallback { REFUSE, SPILL }

    /** Timeouts, retries and passive health of a cluster. */
    public static final class Options {
        public static final Options DEFAULTS = new Options(5000, 30000, 2, 3, 10, 0, 60_000);

        final int connectTimeoutMillis;
        final int firstByteTimeoutMillis;
        final int retries;
        final int maxFails;
        final int failTimeoutSeconds;
        final int maxConnections;
        final int idleTimeoutMillis;

        public Options(int connectTimeoutMillis, int firstByteTimeoutMillis, int retries, int maxFails, int failTimeoutSeconds) {
            this(connectTimeoutMillis, firstByteTimeoutMillis, retries, maxFails, failTimeoutSeconds, 0, 60_000);
        }

        public Options(int connectTimeoutMillis, int firstByteTimeoutMillis, int retries, int maxFails, int failTimeoutSeconds,
                       int maxConnections, int idleTimeoutMillis) {
            this.idleTimeoutMillis = idleTimeoutMillis;
            this.connectTimeoutMillis = connectTimeoutMillis;
            this.firstByteTimeoutMillis = firstByteTimeoutMillis;
            this.retries = retries;
            this.maxFails = maxFails;
            this.failTimeoutSeconds = failTimeoutSeconds;
            this.maxConnections = maxConnections;
        }

        public int idleTimeoutMillis() {
            return idleTimeoutMillis;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Options)) {
                return false;
            }
            Options x = (Options) o;
            return connectTimeoutMillis == x.connectTimeoutMillis && firstByteTimeoutMillis == x.firstByteTimeoutMillis
                    && retries == x.retries && maxFails == x.maxFails && failTimeoutSeconds == x.failTimeoutSeconds
                    && maxConnections == x.maxConnections && idleTimeoutMillis == x.idleTimeoutMillis;
        }

        @Override
        public int hashCode() {
            return Objects.hash(connectTimeoutMillis, firstByteTimeoutMillis, retries, maxFails, failTimeoutSeconds, maxConnections, idleTimeoutMillis);
        }
    }

    private final String name;
    private final String policy;
    private final List<Endpoint> endpoints;
    private final Set<String> premium;
    private final List<Match> premiumMatch;
    private final PremiumFallback premiumFallback;
    private final Options options;
    private final String source;
    private final HealthSpec health;
    /** How a client is keyed in the dispatch table shared by the dispatchers ("" : not sticky). */
    private final String dispatch;

    public ClusterSpec(String name, String policy, List<Endpoint> endpoints) {
        this(name, policy, endpoints, Set.of(), List.of(), PremiumFallback.REFUSE, Options.DEFAULTS, null);
    }

    public ClusterSpec(String name, String policy, List<Endpoint> endpoints, Set<String> premium, List<Match> premiumMatch,
                       PremiumFallback premiumFallback, Options options, String source) {
        this(name, policy, endpoints, premium, premiumMatch, premiumFallback, options, HealthSpec.NONE, source);
    }

    /** @param source the file the cluster was configured from, for messages (null: unknown) */
    public ClusterSpec(String name, String policy, List<Endpoint> endpoints, Set<String> premium, List<Match> premiumMatch,
                       PremiumFallback premiumFallback, Options options, HealthSpec health, String source) {
        this(name, policy, endpoints, premium, premiumMatch, premiumFallback, options, health, source, "");
    }

    private ClusterSpec(String name, String policy, List<Endpoint> endpoints, Set<String> premium, List<Match> premiumMatch,
                        PremiumFallback premiumFallback, Options options, HealthSpec health, String source, String dispatch) {
        this.dispatch = Objects.requireNonNull(dispatch);
        this.source = source;
        this.health = Objects.requireNonNull(health);
        this.name = Objects.requireNonNull(name);
        this.policy = Objects.requireNonNull(policy);
        this.endpoints = List.copyOf(endpoints);
        this.premium = Set.copyOf(premium);
        this.premiumMatch = List.copyOf(premiumMatch);
        this.premiumFallback = premiumFallback;
        this.options = options;
    }

    public String name() { return name; }
    public String policy() { return policy; }
    public List<Endpoint> endpoints() { return endpoints; }
    /** Ids of the endpoints reserved for premium requests; empty: no premium subset. */
    public Set<String> premium() { return premium; }
    /** Conditions that make a request premium (all must hold). */
    public List<Match> premiumMatch() { return premiumMatch; }
    public PremiumFallback premiumFallback() { return premiumFallback; }
    public Options options() { return options; }
    /** Active checks and agents. */
    public HealthSpec health() { return health; }
    /** The file the cluster was configured from (null: unknown); not part of what the cluster is. */
    public String source() { return source; }

    /**
     * How the cluster keys its clients in the dispatch table: {@code source} (the client's IP address),
     * {@code cookie:NAME} or {@code header:NAME}; "" when it does not use the table.
     */
    public String dispatch() { return dispatch; }

    public ClusterSpec withPolicy(String newPolicy) {
        return new ClusterSpec(name, newPolicy, endpoints, premium, premiumMatch, premiumFallback, options, health, source, dispatch);
    }

    public ClusterSpec withDispatch(String newDispatch) {
        return new ClusterSpec(name, policy, endpoints, premium, premiumMatch, premiumFallback, options, health, source, newDispatch);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ClusterSpec)) {
            return false;
        }
        ClusterSpec c = (ClusterSpec) o;
        return c.name.equals(name) && c.policy.equals(policy) && c.endpoints.equals(endpoints) && c.premium.equals(premium)
                && c.premiumMatch.equals(premiumMatch) && c.premiumFallback == premiumFallback && c.options.equals(options)
                && c.health.equals(health) && c.dispatch.equals(dispatch);
    }

    @Override
    public int hashCode() { return Objects.hash(name, policy, endpoints, premium, premiumMatch, premiumFallback, options, health, dispatch); }

    /** Equal specs give equal text: what a later version of this bundle compares. */
    @Override
    public String toString() {
        return name + " policy=" + policy + " endpoints=" + endpoints + " premium=" + premium + " premiumMatch=" + premiumMatch
                + " premiumFallback=" + premiumFallback + " options=" + options.connectTimeoutMillis + "," + options.firstByteTimeoutMillis
                + "," + options.retries + "," + options.maxFails + "," + options.failTimeoutSeconds + "," + options.maxConnections
                + "," + options.idleTimeoutMillis + (health.equals(HealthSpec.NONE) ? "" : " health=" + health)
                + (dispatch.isEmpty() ? "" : " dispatch=" + dispatch);
    }
}
