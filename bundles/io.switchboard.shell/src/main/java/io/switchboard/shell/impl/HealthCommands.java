package io.switchboard.shell.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Operator commands on endpoint health, scope {@code sb}: what the active checks and the agents say,
 * the weights balanced with now, and draining an endpoint by hand.
 */
@Component(service = HealthCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=health",
        "osgi.command.function=agents",
        "osgi.command.function=weights",
        "osgi.command.function=drain",
        "osgi.command.function=enable"})
public class HealthCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ClusterDirectory clusters;

    @Descriptor("every endpoint's health: drained or not, the active check's verdict and what it saw, the agent's answer, "
            + "whether new work may go to it, and its failed requests in a row (passive health takes it out at maxFails)")
    public String health() {
        return health(null);
    }

    @Descriptor("the health of one cluster's endpoints")
    public String health(@Descriptor("cluster name") String cluster) {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "the control plane is not running";
        }
        TextTable t = new TextTable("CLUSTER", "ENDPOINT", "ADDRESS", "ADMIN", "CHECK", "AGENT", "ELIGIBLE", "FAILS", "LATEST CHECK");
        for (ClusterSnapshot s : selected(c, cluster)) {
            for (Endpoint e : s.endpoints()) {
                EndpointStatus st = s.status(e);
                if (st == null) {
                    t.row(s.name(), e.id(), address(e), "?", "?", "?", s.down(e) ? "no" : "yes", s.counters(e).failuresInARow(), "-");
                    continue;
                }
                t.row(s.name(), e.id(), address(e), st.admin().name().toLowerCase(), st.check().name().toLowerCase(),
                        st.agentReport() == null ? "-" : st.agentReport(), st.eligible() ? "yes" : "no",
                        s.counters(e).failuresInARow(), st.checkDetail() == null ? "-" : st.checkDetail());
            }
        }
        return unknown(c, cluster) + t;
    }

    @Descriptor("every endpoint's agent: its latest good answer and how old, answers ignored, the latest problem")
    public String agents() {
        return agents(null);
    }

    @Descriptor("the agents of one cluster's endpoints")
    public String agents(@Descriptor("cluster name") String cluster) {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "the control plane is not running";
        }
        TextTable t = new TextTable("CLUSTER", "ENDPOINT", "ANSWER", "AGE", "IGNORED", "LATEST PROBLEM");
        for (ClusterSnapshot s : selected(c, cluster)) {
            for (Endpoint e : s.endpoints()) {
                EndpointStatus st = s.status(e);
                if (st == null) {
                    continue;
                }
                t.row(s.name(), e.id(), st.agentReport() == null ? (st.agentAgeMillis() < 0 ? "none yet" : "stale") : st.agentReport(),
                        st.agentAgeMillis() < 0 ? "-" : st.agentAgeMillis() + " ms", st.agentProblems(),
                        st.agentProblem() == null ? "-" : st.agentProblem());
            }
        }
        return unknown(c, cluster) + t;
    }

    @Descriptor("the weights a cluster balances with now: configured, and effective (scaled by the agent's capacity; 0 when drained)")
    public String weights(@Descriptor("cluster name") String cluster) {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "the control plane is not running";
        }
        ClusterSnapshot s = c.cluster(cluster);
        if (s == null) {
            return "no cluster named '" + cluster + "'" + names(c);
        }
        TextTable t = new TextTable("ENDPOINT", "CONFIGURED", "EFFECTIVE", "ELIGIBLE");
        long sum = 0;
        List<Object[]> rows = new ArrayList<>();
        for (Endpoint e : s.endpoints()) {
            EndpointStatus st = s.status(e);
            int w = st == null ? e.weight() : st.weight();
            boolean eligible = st == null ? !s.down(e) : st.eligible();
            if (eligible && !s.premium().contains(e.id())) {
                sum += w;
            }
            rows.add(new Object[] {e.id(), e.weight(), w, eligible});
        }
        for (Object[] r : rows) {
            int w = (Integer) r[2];
            boolean eligible = (Boolean) r[3];
            String share = eligible && sum > 0 ? String.format(" (%.1f %%)", 100.0 * w / sum) : "";
            t.row(r[0], r[1], w + share, eligible ? "yes" : "no");
        }
        return "cluster " + s.name() + ", policy " + s.policy() + "\n" + t;
    }

    @Descriptor("usage: sb:weights <cluster>")
    public String weights() {
        ClusterDirectory c = clusters;
        return "usage: sb:weights <cluster>" + (c == null ? "" : names(c));
    }

    @Descriptor("drain an endpoint: no new request or connection goes to it, open ones finish")
    public String drain(@Descriptor("[cluster/]endpoint id or host:port") String endpoint) {
        ClusterDirectory c = clusters;
        return c == null ? "the control plane is not running" : c.drain(endpoint);
    }

    @Descriptor("usage: sb:drain [cluster/]endpoint")
    public String drain() {
        return "usage: sb:drain [cluster/]endpoint   (see sb:health for the endpoints)";
    }

    @Descriptor("undo sb:drain: the endpoint takes new work again")
    public String enable(@Descriptor("[cluster/]endpoint id or host:port") String endpoint) {
        ClusterDirectory c = clusters;
        return c == null ? "the control plane is not running" : c.enable(endpoint);
    }

    @Descriptor("usage: sb:enable [cluster/]endpoint")
    public String enable() {
        return "usage: sb:enable [cluster/]endpoint   (see sb:health for the endpoints)";
    }

    private static List<ClusterSnapshot> selected(ClusterDirectory c, String cluster) {
        if (cluster == null) {
            return c.clusters();
        }
        ClusterSnapshot s = c.cluster(cluster);
        return s == null ? List.of() : List.of(s);
    }

    private static String unknown(ClusterDirectory c, String cluster) {
        return cluster != null && c.cluster(cluster) == null ? "no cluster named '" + cluster + "'" + names(c) + "\n" : "";
    }

    private static String names(ClusterDirectory c) {
        List<String> n = new ArrayList<>();
        c.clusters().forEach(s -> n.add(s.name()));
        return " (clusters: " + String.join(", ", n) + ")";
    }

    private static String address(Endpoint e) {
        return e.addressText(); // host:port, or local:NAME
    }
}
