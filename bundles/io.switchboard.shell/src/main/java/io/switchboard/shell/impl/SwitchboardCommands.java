package io.switchboard.shell.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.routing.RouteTable;
import io.switchboard.api.runtime.TransportInfo;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Operator commands, scope {@code sb}. Each returns text; nothing here changes state. */
@Component(service = SwitchboardCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=status",
        "osgi.command.function=frontends",
        "osgi.command.function=clusters",
        "osgi.command.function=endpoints",
        "osgi.command.function=policies",
        "osgi.command.function=policy",
        "osgi.command.function=routes"})
public class SwitchboardCommands {

    @Reference
    private TransportInfo transport;

    @Reference
    private FrontendService frontends;

    @Reference
    private ClusterDirectory clusters;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile RouteTable routes;

    private String version;

    @Activate
    void activate(BundleContext context) {
        version = context.getBundle().getVersion().toString();
    }

    @Descriptor("platform status: version, uptime, transport, frontends, clusters with their endpoints")
    public String status() {
        StringBuilder sb = new StringBuilder();
        sb.append("Switchboard ").append(version)
                .append("  uptime ").append(uptime(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime())))
                .append("  transport ").append(transport.name())
                .append(" (").append(transport.eventLoops()).append(" event loops)");
        if (transport.fallbackReason() != null) {
            sb.append("  [").append(transport.fallbackReason()).append(']');
        }
        sb.append("\n\n").append(frontends()).append('\n').append(clustersWithEndpoints());
        return sb.toString();
    }

    @Descriptor("frontends: name, protocol, address, state, connections, requests")
    public String frontends() {
        Table t = new Table("FRONTEND", "PROTO", "ADDRESS", "CLUSTER", "STATE", "ACCEPTORS", "CONNS", "TOTAL", "REQUESTS", "REFUSED");
        for (FrontendStatus f : frontends.frontends()) {
            String address = f.spec().bindAddress() + ":" + (f.listening() ? f.boundPort() : f.spec().port());
            t.row(f.spec().name(), f.spec().protocol().name().toLowerCase(), address, clusters(f),
                    f.listening() ? "listening" : "FAILED: " + f.error(), f.acceptors(),
                    f.activeConnections(), f.totalConnections(), f.requests(), f.refused());
        }
        return t.toString();
    }

    private static String clusters(FrontendStatus f) {
        if (f.spec().services().isEmpty()) {
            return f.spec().cluster();
        }
        StringBuilder sb = new StringBuilder();
        f.spec().services().forEach((dest, cluster) -> sb.append(sb.length() == 0 ? "" : ",")
                .append(dest.getAddress().getHostAddress()).append(':').append(dest.getPort()).append('=').append(cluster));
        return sb.toString();
    }

    @Descriptor("clusters: name, policy, endpoints, requests, failures")
    public String clusters() {
        Table t = new Table("CLUSTER", "POLICY", "ENDPOINTS", "ACTIVE", "REQUESTS", "FAILURES");
        for (ClusterSnapshot c : clusters.clusters()) {
            long active = 0;
            long requests = 0;
            long failures = 0;
            for (Endpoint e : c.endpoints()) {
                EndpointCounters n = c.counters(e);
                active += n.active();
                requests += n.requests();
                failures += n.failures();
            }
            t.row(c.name(), c.ready() ? c.policy() : c.policy() + " (not installed)", c.endpoints().size(), active, requests, failures);
        }
        return t.toString();
    }

    @Descriptor("a cluster's timeouts and limits, then its endpoints with their counters")
    public String endpoints(@Descriptor("cluster name") String cluster) {
        ClusterSnapshot c = clusters.cluster(cluster);
        if (c == null) {
            return "no cluster named '" + cluster + "' (clusters: " + names() + ")";
        }
        String settings = c.name() + ": policy " + c.policy() + ", connect timeout " + c.connectTimeoutMillis() + " ms, first byte "
                + c.firstByteTimeoutMillis() + " ms, idle " + c.idleTimeoutMillis() + " ms, retries " + c.retries()
                + ", connections per endpoint and loop " + (c.maxConnections() > 0 ? String.valueOf(c.maxConnections()) : "unlimited")
                + "\n";
        Table t = new Table("ENDPOINT", "ADDRESS", "WEIGHT", "STATE", "ACTIVE", "REQUESTS", "FAILURES");
        for (Endpoint e : c.endpoints()) {
            EndpointCounters n = c.counters(e);
            String state = (n.down() ? "down" : "up") + (c.premium().contains(e.id()) ? ",premium" : "");
            t.row(e.id(), e.host() + ":" + e.port(), e.weight(), state, n.active(), n.requests(), n.failures());
        }
        return settings + t;
    }

    @Descriptor("balancing policies installed now")
    public String policies() {
        return String.join("\n", clusters.policies());
    }

    @Descriptor("switch a cluster to another balancing policy now (until its configuration file changes)")
    public String policy(@Descriptor("cluster name") String cluster, @Descriptor("policy name, see sb:policies") String policy) {
        if (!clusters.setPolicy(cluster, policy)) {
            return "no cluster named '" + cluster + "' (clusters: " + names() + ")";
        }
        ClusterSnapshot c = clusters.cluster(cluster);
        return "cluster " + cluster + " now balances with " + policy
                + (c != null && !c.ready() ? " (not installed: requests get 503 until it is; installed: " + clusters.policies() + ")" : "");
    }

    @Descriptor("HTTP routing rules in the order they are tried; the first that matches picks the cluster")
    public String routes() {
        RouteTable t = routes;
        if (t == null || t.rules().isEmpty()) {
            return "no routing rules: every request goes to its frontend's cluster";
        }
        Table table = new Table("ORDER", "ROUTE", "FRONTENDS", "MATCH", "CLUSTER");
        for (RouteRule r : t.rules()) {
            table.row(r.order(), r.name(), r.frontends().isEmpty() ? "all" : String.join(",", r.frontends()),
                    r.conditions().isEmpty() ? "any" : r.conditions().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(" ")),
                    r.cluster());
        }
        return table.toString();
    }

    private String clustersWithEndpoints() {
        StringBuilder sb = new StringBuilder(clusters());
        for (ClusterSnapshot c : clusters.clusters()) {
            sb.append('\n').append(c.name()).append(":\n").append(endpoints(c.name()).indent(2));
        }
        return sb.toString();
    }

    private String names() {
        StringBuilder sb = new StringBuilder();
        for (ClusterSnapshot c : clusters.clusters()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(c.name());
        }
        return sb.toString();
    }

    static String uptime(Duration d) {
        long s = d.getSeconds();
        return (s >= 86400 ? s / 86400 + "d " : "") + String.format("%d:%02d:%02d", (s / 3600) % 24, (s / 60) % 60, s % 60);
    }
}
