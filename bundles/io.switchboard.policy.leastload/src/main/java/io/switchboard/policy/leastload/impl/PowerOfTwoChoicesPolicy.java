package io.switchboard.policy.leastload.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.policy.EndpointLoad;
import io.switchboard.api.policy.LoadAwarePolicy;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Power of two choices: two distinct endpoints drawn at random, in proportion to their weights, and
 * the one with fewer outstanding requests per unit of weight wins (the first drawn on a tie). It reads
 * two loads per request whatever the cluster's size, and unlike least-load it does not send every
 * dispatcher's next request to the same momentarily idlest endpoint. Weight 0 means drained: never
 * drawn. A drawn endpoint that is excluded is replaced by the next one in configuration order that
 * is not (only requests being retried exclude anything).
 *
 * <p>Each balancer (one per switching thread) has its own random generator: nothing is shared.
 */
@Component(service = BalancingPolicy.class, property = BalancingPolicy.NAME + "=p2c")
public class PowerOfTwoChoicesPolicy implements LoadAwarePolicy {

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        return newBalancer(endpoints, LeastLoadPolicy.NO_LOAD);
    }

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints, EndpointLoad load) {
        return new TwoChoices(Live.of(endpoints), load, ThreadLocalRandom.current().nextLong());
    }

    static final class TwoChoices implements Balancer {
        /** Attempts at drawing a second endpoint distinct from the first before drawing uniformly. */
        private static final int DRAWS = 8;

        private final Endpoint[] live;
        private final EndpointLoad load;
        private final SplittableRandom random;
        /** Running sums of the weights, or null when all weights are equal (uniform draws). */
        private final long[] cumulative;

        TwoChoices(Endpoint[] live, EndpointLoad load, long seed) {
            this.live = live;
            this.load = load;
            this.random = new SplittableRandom(seed);
            boolean equal = true;
            long[] sums = new long[live.length];
            long sum = 0;
            for (int i = 0; i < live.length; i++) {
                sum += live[i].weight();
                sums[i] = sum;
                equal &= live[i].weight() == live[0].weight();
            }
            this.cumulative = equal ? null : sums;
        }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            int n = live.length;
            if (n < 2) {
                return n == 1 && allowed(live[0], excluded) ? live[0] : null;
            }
            int i = draw();
            int j = i;
            for (int t = 0; t < DRAWS && j == i; t++) {
                j = draw();
            }
            if (j == i) {
                j = (i + 1 + random.nextInt(n - 1)) % n;
            }
            if (!excluded.isEmpty()) {
                if (!allowed(live[i], excluded)) {
                    i = nextAllowed(i, j, excluded);
                    if (i < 0) {
                        return allowed(live[j], excluded) ? live[j] : null;
                    }
                }
                if (!allowed(live[j], excluded)) {
                    j = nextAllowed(j, i, excluded);
                    if (j < 0) {
                        return live[i];
                    }
                }
            }
            Endpoint x = live[i];
            Endpoint y = live[j];
            return Live.lighter(load.active(y), y.weight(), load.active(x), x.weight()) ? y : x;
        }

        private int draw() {
            if (cumulative == null) {
                return random.nextInt(live.length);
            }
            long r = random.nextLong(cumulative[cumulative.length - 1]);
            int lo = 0;
            int hi = cumulative.length - 1;
            while (lo < hi) { // first index whose running sum exceeds r
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > r) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        /** The first allowed endpoint after {@code from} (cyclically) other than {@code other}, or -1. */
        private int nextAllowed(int from, int other, Set<String> excluded) {
            int n = live.length;
            for (int step = 1; step < n; step++) {
                int k = (from + step) % n;
                if (k != other && allowed(live[k], excluded)) {
                    return k;
                }
            }
            return -1;
        }

        private static boolean allowed(Endpoint e, Set<String> excluded) {
            return excluded.isEmpty() || !excluded.contains(e.id());
        }
    }
}
