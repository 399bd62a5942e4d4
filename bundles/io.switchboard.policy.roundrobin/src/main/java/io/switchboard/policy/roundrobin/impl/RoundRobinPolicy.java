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
 * Round-robin: each endpoint in turn, skipping excluded ones and those of weight 0 (drained).
 * The balancers that the switching threads get for one snapshot share one cursor, so that
 * consecutive requests alternate whichever thread serves them.
 */
@Component(property = BalancingPolicy.NAME + "=round-robin")
public class RoundRobinPolicy implements BalancingPolicy {
    /** One cursor per snapshot (its endpoint list); forgotten with the snapshot. */
    private final Map<List<Endpoint>, AtomicInteger> cursors = new WeakHashMap<>();

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        AtomicInteger cursor;
        synchronized (cursors) { // once per snapshot and thread, never per request
            cursor = cursors.computeIfAbsent(endpoints, e -> new AtomicInteger());
        }
        return new RoundRobin(endpoints.toArray(new Endpoint[0]), cursor);
    }

    static final class RoundRobin implements Balancer {
        private final Endpoint[] endpoints;
        private final AtomicInteger cursor;

        RoundRobin(Endpoint[] endpoints, AtomicInteger cursor) {
            this.endpoints = endpoints;
            this.cursor = cursor;
        }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            int n = endpoints.length;
            int start = Math.floorMod(cursor.getAndIncrement(), n);
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
