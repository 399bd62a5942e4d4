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
 * Smooth weighted round-robin, as nginx does it: an endpoint of weight w gets w turns out of every
 * sum(weights), spread out rather than in bursts (weights 5, 1, 1 give a a b a c a a). Weight 0 means
 * drained: never chosen.
 *
 * <p>The sequence is computed once per snapshot (its endpoint list), when the platform publishes the
 * snapshot and asks for its first balancer, and shared read-only. Each balancer (one per switching
 * thread) walks it with a cursor of its own, as nginx's workers do: choosing costs an array read and
 * a plain increment, and no cache line is shared between event loops. The balancers of one snapshot
 * start at staggered places in the sequence, so that the loops do not all begin on one endpoint.
 * The sequence has sum(weights) entries, at most {@value #MAX_SEQUENCE} (or one per live endpoint
 * when there are more): larger weights are first divided by their greatest common divisor, then
 * scaled down proportionally, every live endpoint keeping at least one turn.
 *
 * <p>An excluded endpoint's turn goes to the next endpoint of the sequence that is not excluded; the
 * cursor still advances by one, so requests that exclude nothing see the sequence unchanged.
 */
@Component(property = BalancingPolicy.NAME + "=weighted-round-robin")
public class WeightedRoundRobinPolicy implements BalancingPolicy {
    /** Longest precomputed sequence. */
    static final int MAX_SEQUENCE = 4096;

    /** One sequence per snapshot (its endpoint list); forgotten with the snapshot. */
    private final Map<List<Endpoint>, Sequence> sequences = new WeakHashMap<>();

    @Override
    public Balancer newBalancer(List<Endpoint> endpoints) {
        Sequence sequence;
        synchronized (sequences) { // once per snapshot and thread, never per request
            sequence = sequences.computeIfAbsent(endpoints, Sequence::new);
        }
        return new Walker(sequence.order, sequence.nextStart());
    }

    /** The smooth sequence of one snapshot. Immutable but for where the next balancer starts. */
    static final class Sequence {
        /** The endpoints in turn order; empty when every endpoint is drained. */
        final Endpoint[] order;
        private final AtomicInteger starts = new AtomicInteger();

        Sequence(List<Endpoint> endpoints) {
            this.order = smooth(endpoints, MAX_SEQUENCE);
        }

        /** Where the next balancer begins: spread over the sequence, balancer after balancer. */
        int nextStart() {
            int n = order.length;
            return n == 0 ? 0 : Math.floorMod(starts.getAndIncrement() * (n / 2 + 1), n);
        }
    }

    /** One thread's walk through a sequence. */
    static final class Walker implements Balancer {
        private final Endpoint[] order;
        private int cursor;

        Walker(Endpoint[] order, int start) {
            this.order = order;
            this.cursor = start;
        }

        /** The sequence walked (for tests: one per snapshot). */
        Endpoint[] order() {
            return order;
        }

        @Override
        public Endpoint choose(RequestContext request, Set<String> excluded) {
            int n = order.length;
            if (n == 0) {
                return null;
            }
            int start = cursor;
            cursor = start + 1 == n ? 0 : start + 1;
            Endpoint e = order[start];
            if (excluded.isEmpty() || !excluded.contains(e.id())) {
                return e;
            }
            // Retry path: the next turn in the sequence whose endpoint is not excluded.
            for (int i = 1; i < n; i++) {
                e = order[(start + i) % n];
                if (!excluded.contains(e.id())) {
                    return e;
                }
            }
            return null;
        }
    }

    /**
     * The nginx smooth weighted round-robin sequence over one period: at each step every endpoint's
     * current weight grows by its weight, the greatest (the first in configuration order on a tie)
     * is chosen and loses the total.
     */
    static Endpoint[] smooth(List<Endpoint> endpoints, int cap) {
        int[] weights = scaledWeights(endpoints, cap);
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        Endpoint[] order = new Endpoint[total];
        long[] current = new long[weights.length];
        for (int step = 0; step < total; step++) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] == 0) {
                    continue;
                }
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[step] = endpoints.get(best);
        }
        return order;
    }

    /** Weights divided by their gcd, then scaled so that they sum to at most max(cap, live endpoints). */
    static int[] scaledWeights(List<Endpoint> endpoints, int cap) {
        int n = endpoints.size();
        int[] weights = new int[n];
        int gcd = 0;
        int live = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = endpoints.get(i).weight();
            gcd = gcd(gcd, weights[i]);
            live += weights[i] > 0 ? 1 : 0;
        }
        if (gcd == 0) {
            return weights; // all drained
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] /= gcd;
            sum += weights[i];
        }
        long limit = Math.max(cap, live);
        if (sum <= limit) {
            return weights;
        }
        // Every live endpoint keeps one turn; the rest of the limit is shared in proportion.
        long spare = limit - live;
        long scaledSum = 0;
        for (int i = 0; i < n; i++) {
            if (weights[i] > 0) {
                weights[i] = (int) (1 + (weights[i] - 1) * spare / (sum - live));
                scaledSum += weights[i];
            }
        }
        assert scaledSum <= limit;
        return weights;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
