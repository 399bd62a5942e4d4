package io.switchboard.shell.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Operator commands, scope {@code sb}. Each returns text; nothing here changes state. */
@Component(service = SwitchboardCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=status",
        "osgi.command.function=frontends",
        "osgi.command.function=clusters",
        "osgi.command.function=endpoints",
        "osgi.command.function=policies"})
public class SwitchboardCommands {

    @Reference
    private TransportInfo transport;

    @Reference
    private FrontendService frontends;

    @Reference
    private ClusterDirectory clusters;

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

    @Descriptor("endpoints of a cluster with their counters")
    public String endpoints(@Descriptor("cluster name") String cluster) {
        ClusterSnapshot c = clusters.cluster(cluster);
        if (c == null) {
            return "no cluster named '" + cluster + "' (clusters: " + names() + ")";
        }
        Table t = new Table("ENDPOINT", "ADDRESS", "WEIGHT", "ACTIVE", "REQUESTS", "FAILURES");
        for (Endpoint e : c.endpoints()) {
            EndpointCounters n = c.counters(e);
            t.row(e.id(), e.host() + ":" + e.port(), e.weight(), n.active(), n.requests(), n.failures());
        }
        return t.toString();
    }

    @Descriptor("balancing policies installed now")
    public String policies() {
        return String.join("\n", clusters.policies());
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
