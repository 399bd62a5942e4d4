package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.dispatch.DispatchEntry;
import io.switchboard.api.dispatch.DispatchTable;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The dispatch table shared by the dispatchers, as a sticky cluster uses it: the client's entry
 * decides before the policy does; a client without one gets the policy's choice, which is recorded
 * (and broadcast by the dispatcher cluster). The table is read from one volatile field: the service
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
                           java.util.function.Supplier<Endpoint> balanced) {
        DispatchEntry e = t.lookup(cluster, client);
        if (e != null) {
            Endpoint ep = byId.get(e.endpoint());
            if (ep != null && usable.test(ep)) {
                return ep;
            }
            Endpoint next = balanced.get(); // its endpoint cannot serve: the client moves, everywhere
            if (next != null) {
                t.reassign(cluster, client, next.id());
            }
            return next;
        }
        Endpoint chosen = balanced.get();
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

    static boolean excludedOrOut(Set<String> excluded, Endpoint e) {
        return excluded.contains(e.id());
    }
}
