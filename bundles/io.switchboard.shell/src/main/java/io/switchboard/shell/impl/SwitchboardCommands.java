package io.switchboard.shell.impl;

import io.switchboard.api.Endpoint;
import io.switchboard.api.log.AccessLog;
import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.routing.RouteTable;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import io.switchboard.api.switching.IntelligentSwitch;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Operator commands, scope {@code sb}. Each returns text. Every service is optional and dynamic:
 * while a bundle is being updated its part of the answer says so, and the commands stay.
 */
@Component(service = SwitchboardCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=status",
        "osgi.command.function=frontends",
        "osgi.command.function=clusters",
        "osgi.command.function=endpoints",
        "osgi.command.function=policies",
        "osgi.command.function=policy",
        "osgi.command.function=routes",
        "osgi.command.function=drains"})
public class SwitchboardCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TransportInfo transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FrontendService frontends;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ClusterDirectory clusters;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile RouteTable routes;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile IntelligentSwitch switchboard;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AccessLog accessLog;

    private String version;

    @Activate
    void activate(BundleContext context) {
        version = context.getBundle().getVersion().toString();
    }

    @Descriptor("platform status: version, uptime, transport, frontends, clusters with their endpoints, problems")
    public String status() {
        StringBuilder sb = new StringBuilder();
        sb.append("Switchboard ").append(version)
                .append("  uptime ").append(uptime(Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime())));
        TransportInfo t = transport;
        if (t == null) {
            sb.append("  transport not running");
        } else {
            sb.append("  transport ").append(t.name()).append(" (").append(t.eventLoops()).append(" event loops)");
            if (t.fallbackReason() != null) {
                sb.append("  [").append(t.fallbackReason()).append(']');
            }
        }
        sb.append("\n\n").append(frontends()).append('\n').append(clustersWithEndpoints()).append(problems());
        return sb.toString();
    }

    /** Policies overruled, handlers caught blocking: what an operator should look at. */
    private String problems() {
        StringBuilder sb = new StringBuilder();
        ClusterDirectory c = clusters;
        if (c != null) {
            for (ClusterSnapshot s : c.clusters()) {
                if (s.policyFallbacks() > 0) {
                    sb.append("  cluster ").append(s.name()).append(": ").append(s.policyFallbacks())
                            .append(" requests balanced round-robin because ").append(s.policyProblem()).append('\n');
                }
                List<String> out = new java.util.ArrayList<>();
                for (Endpoint e : s.endpoints()) {
                    EndpointStatus st = s.status(e);
                    if (st != null ? !st.eligible() : s.down(e)) {
                        out.add(e.id());
                    }
                }
                if (!out.isEmpty()) {
                    sb.append("  cluster ").append(s.name()).append(": ").append(out.size() == s.endpoints().size() ? "no endpoint takes new work ("
                            : "endpoints out of rotation (").append(String.join(", ", out)).append("; see sb:health)\n");
                }
            }
        }
        IntelligentSwitch s = switchboard;
        if (s != null) {
            for (String b : s.blockedHandlers()) {
                sb.append("  ").append(b).append(": its messages take the default path\n");
            }
        }
        String accessLogProblem = AccessLogCommands.problem(accessLog);
        if (accessLogProblem != null) {
            sb.append("  ").append(accessLogProblem).append('\n');
        }
        return sb.length() == 0 ? "" : "\nproblems:\n" + sb;
    }

    @Descriptor("frontends: name, protocol, address, state, connections, requests")
    public String frontends() {
        FrontendService f = frontends;
        if (f == null) {
            return "the transport is not running\n";
        }
        TextTable t = new TextTable("FRONTEND", "PROTO", "ADDRESS", "CLUSTER", "STATE", "ACCEPTORS", "CONNS", "TOTAL", "REQUESTS", "REFUSED");
        for (FrontendStatus s : f.frontends()) {
            String address = s.spec().bindAddress() + ":" + (s.listening() ? s.boundPort() : s.spec().port());
            String state = s.listening() ? "listening" + (s.error() == null ? "" : " (" + s.error() + ")") : "FAILED: " + s.error();
            t.row(s.spec().name(), s.spec().protocol(), address, clusters(s), state, s.acceptors(),
                    s.activeConnections(), s.totalConnections(), s.requests(), s.refused());
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

    @Descriptor("the latest drains: connections told to finish because their code or settings were replaced")
    public String drains() {
        FrontendService f = frontends;
        if (f == null) {
            return "the transport is not running";
        }
        List<DrainRecord> all = f.drains();
        if (all.isEmpty()) {
            return "no drains since start";
        }
        TextTable t = new TextTable("STARTED", "CONNS", "FINISHED", "CUT", "TOOK", "WHAT");
        for (DrainRecord d : all) {
            t.row(LocalTime.ofInstant(Instant.ofEpochMilli(d.startedMillis()), ZoneId.systemDefault()).withNano(0),
                    d.connections(), d.finished(), d.forced(), d.tookMillis() + " ms" + (d.done() ? "" : "…"), d.reason());
        }
        return t.toString();
    }

    @Descriptor("clusters: name, policy, endpoints, requests, failures")
    public String clusters() {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "the control plane is not running\n";
        }
        TextTable t = new TextTable("CLUSTER", "POLICY", "ENDPOINTS", "ACTIVE", "REQUESTS", "FAILURES");
        for (ClusterSnapshot s : c.clusters()) {
            long active = 0;
            long requests = 0;
            long failures = 0;
            for (Endpoint e : s.endpoints()) {
                EndpointCounters n = s.counters(e);
                active += n.active();
                requests += n.requests();
                failures += n.failures();
            }
            t.row(s.name(), s.ready() ? s.policy() : s.policy() + " (not installed)", s.endpoints().size(), active, requests, failures);
        }
        return t.toString();
    }

    @Descriptor("a cluster's timeouts and limits, then its endpoints with their counters")
    public String endpoints(@Descriptor("cluster name") String cluster) {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "the control plane is not running";
        }
        ClusterSnapshot s = c.cluster(cluster);
        if (s == null) {
            return "no cluster named '" + cluster + "' (clusters: " + names(c) + ")";
        }
        String settings = s.name() + ": policy " + s.policy() + ", connect timeout " + s.connectTimeoutMillis() + " ms, first byte "
                + s.firstByteTimeoutMillis() + " ms, idle " + s.idleTimeoutMillis() + " ms, retries " + s.retries()
                + ", connections per endpoint and loop " + (s.maxConnections() > 0 ? String.valueOf(s.maxConnections()) : "unlimited")
                + "\n";
        TextTable t = new TextTable("ENDPOINT", "ADDRESS", "WEIGHT", "STATE", "ACTIVE", "REQUESTS", "FAILURES");
        for (Endpoint e : s.endpoints()) {
            EndpointCounters n = s.counters(e);
            EndpointStatus st = s.status(e);
            String state = (st != null && st.admin() == EndpointStatus.Admin.DRAINED ? "drained" : s.down(e) ? "down" : "up")
                    + (s.premium().contains(e.id()) ? ",premium" : "");
            t.row(e.id(), e.addressText(), e.weight(), state, n.active(), n.requests(), n.failures());
        }
        return settings + t;
    }

    @Descriptor("usage: sb:endpoints <cluster>")
    public String endpoints() {
        ClusterDirectory c = clusters;
        return "usage: sb:endpoints <cluster>" + (c == null ? "" : " (clusters: " + names(c) + ")");
    }

    @Descriptor("balancing policies installed now")
    public String policies() {
        ClusterDirectory c = clusters;
        return c == null ? "the control plane is not running" : String.join("\n", c.policies());
    }

    @Descriptor("switch a cluster to another balancing policy now (until its configuration file changes)")
    public String policy(@Descriptor("cluster name") String cluster, @Descriptor("policy name, see sb:policies") String policy) {
        ClusterDirectory c = clusters;
        if (c == null) {
            return "the control plane is not running";
        }
        if (!c.setPolicy(cluster, policy)) {
            return "no cluster named '" + cluster + "' (clusters: " + names(c) + ")";
        }
        ClusterSnapshot s = c.cluster(cluster);
        return "cluster " + cluster + " now balances with " + policy
                + (s != null && !s.ready() ? " (not installed: it balances round-robin until it is; installed: " + c.policies() + ")" : "");
    }

    @Descriptor("usage: sb:policy <cluster> <policy>")
    public String policy(@Descriptor("cluster name") String cluster) {
        return policyUsage();
    }

    @Descriptor("usage: sb:policy <cluster> <policy>")
    public String policy() {
        return policyUsage();
    }

    private String policyUsage() {
        ClusterDirectory c = clusters;
        return "usage: sb:policy <cluster> <policy>" + (c == null ? ""
                : "\n  clusters: " + names(c) + "\n  policies: " + String.join(", ", c.policies()));
    }

    @Descriptor("HTTP routing rules in the order they are tried; the first that matches picks the cluster")
    public String routes() {
        RouteTable t = routes;
        if (t == null || t.rules().isEmpty()) {
            return "no routing rules: every request goes to its frontend's cluster";
        }
        TextTable table = new TextTable("ORDER", "ROUTE", "FRONTENDS", "MATCH", "CLUSTER");
        for (RouteRule r : t.rules()) {
            table.row(r.order(), r.name(), r.frontends().isEmpty() ? "all" : String.join(",", r.frontends()),
                    r.conditions().isEmpty() ? "any" : String.join(" ", r.conditions()), r.cluster());
        }
        return table.toString();
    }

    private String clustersWithEndpoints() {
        StringBuilder sb = new StringBuilder(clusters());
        ClusterDirectory c = clusters;
        if (c != null) {
            for (ClusterSnapshot s : c.clusters()) {
                sb.append('\n').append(s.name()).append(":\n").append(endpoints(s.name()).indent(2));
            }
        }
        return sb.toString();
    }

    private static String names(ClusterDirectory c) {
        StringBuilder sb = new StringBuilder();
        for (ClusterSnapshot s : c.clusters()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(s.name());
        }
        return sb.toString();
    }

    static String uptime(Duration d) {
        long s = d.getSeconds();
        return (s >= 86400 ? s / 86400 + "d " : "") + String.format("%d:%02d:%02d", (s / 3600) % 24, (s / 60) % 60, s % 60);
    }
}
