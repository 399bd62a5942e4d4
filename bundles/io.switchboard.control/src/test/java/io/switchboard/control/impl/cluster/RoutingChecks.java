package io.switchboard.control.impl.cluster;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointStatus;
import java.net.InetSocketAddress;
import java.util.Collection;

/** What the stress tests share: requests from many clients, and the check of one routing decision against the snapshot read. */
final class RoutingChecks {
    private RoutingChecks() {
    }

    /** A request from one of many clients (so that hashing policies spread), with this path (null: none). */
    static RequestContext request(int client, String path) {
        InetSocketAddress address = new InetSocketAddress("10.0." + (client >> 8 & 255) + "." + (client & 255), 40000);
        return new RequestContext() {
            @Override public String frontend() { return "web"; }
            @Override public InetSocketAddress clientAddress() { return address; }
            @Override public String attribute(String name) { return "path".equals(name) ? path : null; }
        };
    }

    /** Adds to {@code wrong} what is wrong with choosing {@code e} from {@code s}: not one of its endpoints, or drained in it. */
    static void checkChoice(ClusterSnapshot s, Endpoint e, String read, Collection<String> wrong) {
        boolean member = false;
        for (Endpoint x : s.endpoints()) {
            member |= x == e;
        }
        if (!member) {
            wrong.add(e + " is not an endpoint of the snapshot read: " + s.endpoints());
        }
        EndpointStatus st = s.status(e);
        if (st != null && st.admin() == EndpointStatus.Admin.DRAINED) {
            wrong.add(e + " was drained in the " + read + " read");
        }
    }
}
