package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.policy.EndpointLoad;
import io.switchboard.api.policy.LoadAwarePolicy;
import io.switchboard.api.routing.Match;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One immutable version of a cluster. Each switching thread gets its own balancer from the policy,
 * made on first use, so balancers keep plain (unsynchronized) state. Endpoints that passive health
 * took out are skipped (unless all are out: then all are tried). With a premium subset, requests
 * that match its conditions go to the least-loaded reserved endpoint, all others are balanced over
 * the endpoints outside the subset.
 */
final class Snapshot implements ClusterSnapshot {
    private final ClusterSpec spec;
    private final BalancingPolicy policy;
    private final Map<String, Counters> counters;
    private final Consumer<Throwable> policyFailure;
    /** What the policy balances over: every endpoint, or those outside the premium subset. */
    private final List<Endpoint> regular;
    private final Endpoint[] premium;
    private final ThreadLocal<Balancer> balancers;

    Snapshot(ClusterSpec spec, BalancingPolicy policy, Map<String, Counters> counters, Consumer<Throwable> policyFailure) {
        this.spec = spec;
        this.policy = policy;
        this.counters = counters;
        this.policyFailure = policyFailure;
        List<Endpoint> rest = new ArrayList<>();
        List<Endpoint> reserved = new ArrayList<>();
        for (Endpoint e : spec.endpoints()) {
            (spec.premium().contains(e.id()) ? reserved : rest).add(e);
        }
        this.regular = List.copyOf(rest);
        this.premium = reserved.toArray(new Endpoint[0]);
        this.balancers = policy == null || regular.isEmpty() ? null : ThreadLocal.withInitial(() -> newBalancer(regular));
    }

    private Balancer newBalancer(List<Endpoint> endpoints) {
        if (policy instanceof LoadAwarePolicy) {
            return ((LoadAwarePolicy) policy).newBalancer(endpoints, new Load(counters));
        }
        return policy.newBalancer(endpoints);
    }

    /** Requests in flight per endpoint, for load-aware policies. A class, not a lambda: bnd then sees a provider. */
    private static final class Load implements EndpointLoad {
        private final Map<String, Counters> counters;

        Load(Map<String, Counters> counters) {
            this.counters = counters;
        }

        @Override
        public long active(Endpoint e) {
            Counters c = counters.get(e.id());
            return c == null ? 0 : c.active();
        }
    }

    @Override public String name() { return spec.name(); }
    @Override public String policy() { return spec.policy(); }
    @Override public boolean ready() { return policy != null || (premium.length > 0 && regular.isEmpty()); }
    @Override public List<Endpoint> endpoints() { return spec.endpoints(); }
    @Override public int connectTimeoutMillis() { return spec.options().connectTimeoutMillis; }
    @Override public int firstByteTimeoutMillis() { return spec.options().firstByteTimeoutMillis; }
    @Override public int retries() { return spec.options().retries; }
    @Override public Set<String> premium() { return spec.premium(); }
    @Override public int maxConnections() { return spec.options().maxConnections; }
    @Override public int idleTimeoutMillis() { return spec.options().idleTimeoutMillis; }

    ClusterSpec spec() { return spec; }

    @Override
    public Endpoint choose(RequestContext request, Set<String> excluded) {
        if (premium.length > 0 && isPremium(request)) {
            Endpoint e = leastLoadedPremium(excluded);
            if (e != null || spec.premiumFallback() == ClusterSpec.PremiumFallback.REFUSE) {
                return e;
            }
            // spill: the reserved endpoints are all down, serve from the rest
        }
        if (balancers == null) {
            return null;
        }
        Endpoint e = pick(request, excluded);
        if (e == null || !counters.get(e.id()).down()) {
            return e;
        }
        // Skip endpoints that passive health took out; when all are out, try them anyway.
        Set<String> more = new HashSet<>(excluded);
        for (int i = 0; i < regular.size() && e != null && counters.get(e.id()).down(); i++) {
            more.add(e.id());
            e = pick(request, more);
        }
        return e != null ? e : pick(request, excluded);
    }

    private Endpoint pick(RequestContext request, Set<String> excluded) {
        try {
            Endpoint e = balancers.get().choose(request, excluded);
            // A policy may only pick endpoints it was given.
            return e == null || !counters.containsKey(e.id()) || excluded.contains(e.id()) || spec.premium().contains(e.id()) ? null : e;
        } catch (RuntimeException | LinkageError t) {
            policyFailure.accept(t);
            return null;
        }
    }

    private boolean isPremium(RequestContext request) {
        for (Match m : spec.premiumMatch()) {
            if (!m.test(request)) {
                return false;
            }
        }
        return true;
    }

    /** The reserved endpoint with the fewest requests in flight (ties: the first), skipping down and excluded ones. */
    private Endpoint leastLoadedPremium(Set<String> excluded) {
        Endpoint best = null;
        long bestLoad = Long.MAX_VALUE;
        for (Endpoint e : premium) {
            Counters c = counters.get(e.id());
            if (e.weight() == 0 || excluded.contains(e.id()) || c.down()) {
                continue;
            }
            long load = c.active();
            if (load < bestLoad) {
                best = e;
                bestLoad = load;
            }
        }
        return best;
    }

    @Override
    public EndpointCounters counters(Endpoint endpoint) {
        return counters.get(endpoint.id());
    }
}
