package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One immutable version of a cluster. Each switching thread gets its own balancer from the policy,
 * made on first use, so balancers keep plain (unsynchronized) state.
 */
final class Snapshot implements ClusterSnapshot {
    private final ClusterSpec spec;
    private final BalancingPolicy policy;
    private final Map<String, Counters> counters;
    private final Consumer<Throwable> policyFailure;
    private final ThreadLocal<Balancer> balancers;

    Snapshot(ClusterSpec spec, BalancingPolicy policy, Map<String, Counters> counters, Consumer<Throwable> policyFailure) {
        this.spec = spec;
        this.policy = policy;
        this.counters = counters;
        this.policyFailure = policyFailure;
        this.balancers = policy == null ? null : ThreadLocal.withInitial(() -> policy.newBalancer(spec.endpoints()));
    }

    @Override public String name() { return spec.name(); }
    @Override public String policy() { return spec.policy(); }
    @Override public boolean ready() { return policy != null; }
    @Override public List<Endpoint> endpoints() { return spec.endpoints(); }

    ClusterSpec spec() { return spec; }

    @Override
    public Endpoint choose(RequestContext request, Set<String> excluded) {
        if (balancers == null) {
            return null;
        }
        try {
            Endpoint e = balancers.get().choose(request, excluded);
            // A policy may only pick endpoints of this snapshot.
            return e == null || !counters.containsKey(e.id()) || excluded.contains(e.id()) ? null : e;
        } catch (RuntimeException | LinkageError e) {
            policyFailure.accept(e);
            return null;
        }
    }

    @Override
    public EndpointCounters counters(Endpoint endpoint) {
        return counters.get(endpoint.id());
    }
}
