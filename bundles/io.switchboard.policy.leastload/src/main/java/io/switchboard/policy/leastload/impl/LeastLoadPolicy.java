package io.switchboard.policy.leastload.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.policy.EndpointLoad;
import io.switchboard.api.policy.LoadAwarePolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * Least load: the endpoint with the fewest outstanding requests, relative to its weight (active /
 * weight, as nginx's least_conn; with equal weights simply the fewest). Ties are broken by rotation:
 * the scan starts one endpoint further at each request, with one cursor that all balancers of a
 * snapshot share, so an idle cluster is served in turn. Weight 0 means drained: never chosen.
 * Each choice reads the load of every endpoint: O(endpoints).
 */
@Component(service = BalancingPolicy.class, property = BalancingPolicy.NAME + "=least-load")
public class LeastLoadPolicy implements LoadAwarePolicy {
    /** No load known: every endpoint counts as idle, and the choice is plain rotation. */
    static final EndpointLoad NO_LOAD = e -> 0;

    /** One rotation cursor per snapshot (its endpoint list); forgotten with the snapshot. */
    private final Map<List<Endpoint>, AtomicInteger> cursors = new WeakHashMap<>();

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        return newBalancer(endpoints, NO_LOAD);
    }

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints, EndpointLoad load) {
        AtomicInteger cursor;
        synchronized (cursors) { // once per snapshot and thread, never per request
            cursor = cursors.computeIfAbsent(endpoints, e -> new AtomicInteger());
        }
        return new LeastLoad(Live.of(endpoints), load, cursor);
    }

    static final class LeastLoad implements Balancer {
        private final Endpoint[] live;
        private final EndpointLoad load;
        private final AtomicInteger cursor;

        LeastLoad(Endpoint[] live, EndpointLoad load, AtomicInteger cursor) {
            this.live = live;
            this.load = load;
            this.cursor = cursor;
        }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            int n = live.length;
            if (n == 0) {
                return null;
            }
            int start = Math.floorMod(cursor.getAndIncrement(), n);
            Endpoint best = null;
            long bestActive = 0;
            for (int i = 0; i < n; i++) {
                int k = start + i;
                Endpoint e = live[k < n ? k : k - n];
                if (!excluded.isEmpty() && excluded.contains(e.id())) {
                    continue;
                }
                long active = load.active(e);
                // Strictly lighter only: on a tie the first in rotation order keeps it.
                if (best == null || Live.lighter(active, e.weight(), bestActive, best.weight())) {
                    best = e;
                    bestActive = active;
                    if (active == 0) {
                        break; // nothing is lighter than idle
                    }
                }
            }
            return best;
        }
    }
}
