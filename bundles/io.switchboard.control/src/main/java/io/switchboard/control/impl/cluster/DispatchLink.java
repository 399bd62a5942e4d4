package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.dispatch.DispatchEntry;
import io.switchboard.api.dispatch.DispatchTable;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The dispatch table shared by the dispatchers, as a sticky cluster uses it: the client's entry
 * decides; a client without one gets {@link #firstChoice} (the same at every dispatcher), which is
 * recorded and broadcast by the dispatcher cluster. The policy chooses only when the entry's
 * endpoint cannot serve any more (the client is reassigned, everywhere) or no endpoint is usable. The table is read from one volatile field: the service
 * comes and goes with the dispatcher cluster (off by default: then the cluster balances as usual).
 */
final class DispatchLink {
    static volatile DispatchTable table;

    private DispatchLink() {
    }

    /** The client's key for the cluster's {@code dispatch} setting, or null when the request has none. */
    static String clientKey(String dispatch, RequestContext request) {
        if (dispatch.equals("source")) {
            return request.clientAddress() == null || request.clientAddress().getAddress() == null ? null
                    : request.clientAddress().getAddress().getHostAddress();
        }
        return request.attribute(dispatch); // cookie:NAME or header:NAME
    }

    /**
     * The endpoint for the request: the client's entry if its endpoint may serve, else the policy's
     * choice, recorded. A peer's entry that arrived first wins over this dispatcher's choice.
     *
     * @param usable whether an endpoint may take the request now (not excluded, not down or drained)
     * @param balanced the policy's choice
     */
    static Endpoint choose(DispatchTable t, String cluster, String client, Map<String, Endpoint> byId, Predicate<Endpoint> usable,
                           Predicate<Endpoint> up, java.util.function.Supplier<Endpoint> balanced) {
        DispatchEntry e = t.lookup(cluster, client);
        if (e != null) {
            Endpoint ep = byId.get(e.endpoint());
            if (ep != null && (usable.test(ep) || up.test(ep) && fresh(e))) {
                return ep;
            }
            Endpoint next = firstChoice(client, byId, usable); // its endpoint cannot serve: the client moves, everywhere
            if (next == null) {
                next = balanced.get();
            }
            if (next != null) {
                t.reassign(cluster, client, next.id());
            }
            return next;
        }
        Endpoint chosen = firstChoice(client, byId, usable);
        if (chosen == null) {
            chosen = balanced.get();
        }
        if (chosen == null) {
            return null;
        }
        DispatchEntry inForce = t.record(cluster, client, chosen.id());
        if (!inForce.endpoint().equals(chosen.id())) {
            Endpoint theirs = byId.get(inForce.endpoint());
            if (theirs != null && usable.test(theirs)) {
                return theirs;
            }
        }
        return chosen;
    }

    /**
     * Whether the entry is a decision the group has just made (a client lock's answer, or a peer's first
     * choice that arrived meanwhile). Such a decision is followed even when its endpoint is drained here
     * (a drain at this dispatcher only, its view differs from the owner's): moving the client at once
     * would give its simultaneous first connections two endpoints. Down endpoints still move it.
     */
    static boolean fresh(DispatchEntry e) {
        return System.currentTimeMillis() - (e.created() >>> 16) < FRESH_DECISION_MILLIS;
    }

    /** How long a new decision is followed on an endpoint drained only here. */
    static final long FRESH_DECISION_MILLIS = 1000;

    /**
     * A new client's endpoint: the weighted rendezvous hash of its key over the endpoints that may
     * serve. Endpoint ids and weights are configuration, the same on every dispatcher, so two
     * dispatchers that see the client's first connections at the same moment choose the same
     * endpoint without asking each other; the entry then keeps the client there whatever changes
     * later (endpoints added, weights changed). Null when no endpoint may serve.
     */
    static Endpoint firstChoice(String client, Map<String, Endpoint> byId, Predicate<Endpoint> usable) {
        Endpoint best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Endpoint e : byId.values()) {
            if (e.weight() <= 0 || !usable.test(e)) {
                continue;
            }
            long h = mix(client.hashCode() * 0x9E3779B97F4A7C15L ^ mix(e.id().hashCode()) ^ client.length());
            double u = ((h >>> 11) + 0.5) / (double) (1L << 53); // in (0, 1)
            double score = -e.weight() / Math.log(u);
            if (score > bestScore || score == bestScore && best != null && e.id().compareTo(best.id()) < 0) {
                best = e;
                bestScore = score;
            }
        }
        return best;
    }

    /** SplitMix64's finalizer: spreads similar keys (10.0.0.1, 10.0.0.2) over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
