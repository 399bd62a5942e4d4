package io.switchboard.policy.roundrobin.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * Round-robin: each endpoint in turn, skipping excluded ones and those of weight 0 (drained). Each
 * balancer (one per switching thread) keeps its own turn, as nginx's workers and Envoy's threads do,
 * so no counter is shared between event loops; the balancers of one snapshot start on different
 * endpoints, so that the loops together spread the first requests too.
 */
@Component(property = BalancingPolicy.NAME + "=round-robin")
public class RoundRobinPolicy implements BalancingPolicy {
    /** Where the next balancer of each snapshot (its endpoint list) starts; forgotten with the snapshot. */
    private final Map<List<Endpoint>, AtomicInteger> starts = new WeakHashMap<>();

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        AtomicInteger next;
        synchronized (starts) { // once per snapshot and thread, never per request
            next = starts.computeIfAbsent(endpoints, e -> new AtomicInteger());
        }
        Endpoint[] all = endpoints.toArray(new Endpoint[0]);
        return new RoundRobin(all, Math.floorMod(next.getAndIncrement(), Math.max(1, all.length)));
    }

    static final class RoundRobin implements Balancer {
        private final Endpoint[] endpoints;
        private int cursor;

        RoundRobin(Endpoint[] endpoints, int start) {
            this.endpoints = endpoints;
            this.cursor = start;
        }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            int n = endpoints.length;
            if (n == 0) {
                return null;
            }
            int start = cursor;
            cursor = start + 1 == n ? 0 : start + 1;
            for (int tried = 0; tried < n; tried++) {
                Endpoint e = endpoints[(start + tried) % n];
                if (e.weight() > 0 && (excluded.isEmpty() || !excluded.contains(e.id()))) {
                    return e;
                }
            }
            return null;
        }
    }
}
