package io.switchboard.policy.roundrobin.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** Round-robin: each endpoint in turn, skipping excluded ones and those of weight 0 (drained). */
@Component(property = BalancingPolicy.NAME + "=round-robin")
public class RoundRobinPolicy implements BalancingPolicy {

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        return new RoundRobin(endpoints.toArray(new Endpoint[0]));
    }

    /** Used by one thread only: a plain cursor is enough. */
    static final class RoundRobin implements Balancer {
        private final Endpoint[] endpoints;
        private int next;

        RoundRobin(Endpoint[] endpoints) {
            this.endpoints = endpoints;
        }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            int n = endpoints.length;
            for (int tried = 0; tried < n; tried++) {
                Endpoint e = endpoints[next];
                next = next + 1 == n ? 0 : next + 1;
                if (e.weight() > 0 && (excluded.isEmpty() || !excluded.contains(e.id()))) {
                    return e;
                }
            }
            return null;
        }
    }
}
