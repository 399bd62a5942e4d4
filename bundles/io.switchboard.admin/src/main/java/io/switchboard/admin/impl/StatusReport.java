package io.switchboard.admin.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The runtime's status as JSON: the same figures {@code sb:status} prints, read from the same
 * services at the moment of the request (a service being updated is written as {@code null}).
 */
final class StatusReport {
    private static final JsonFactory JSON = new JsonFactory();

    /** What one report reads; any may be null while its bundle is being updated. */
    static final class Sources {
        final String version;
        final long uptimeMillis;
        final TransportInfo transport;
        final FrontendService frontends;
        final ClusterDirectory clusters;

        Sources(String version, long uptimeMillis, TransportInfo transport, FrontendService frontends, ClusterDirectory clusters) {
            this.version = version;
            this.uptimeMillis = uptimeMillis;
            this.transport = transport;
            this.frontends = frontends;
            this.clusters = clusters;
        }
    }

    enum Part { ALL, FRONTENDS, CLUSTERS }

    private StatusReport() {
    }

    static byte[] write(Sources s, Part part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            if (part == Part.ALL) {
                g.writeStringField("version", s.version);
                g.writeNumberField("uptimeMillis", s.uptimeMillis);
                transport(g, s.transport);
            }
            if (part != Part.CLUSTERS) {
                frontends(g, s.frontends);
            }
            if (part != Part.FRONTENDS) {
                clusters(g, s.clusters);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void transport(JsonGenerator g, TransportInfo t) throws IOException {
        g.writeFieldName("transport");
        if (t == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeNumberField("eventLoops", t.eventLoops());
        g.writeStringField("fallbackReason", t.fallbackReason());
        g.writeEndObject();
    }

    private static void frontends(JsonGenerator g, FrontendService service) throws IOException {
        g.writeFieldName("frontends");
        if (service == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (FrontendStatus f : service.frontends()) {
            g.writeStartObject();
            g.writeStringField("name", f.spec().name());
            g.writeStringField("protocol", f.spec().protocol());
            // As sb:frontends writes it: the bound port once listening, else the configured one.
            g.writeStringField("address", f.spec().bindAddress() + ":" + (f.listening() ? f.boundPort() : f.spec().port()));
            g.writeStringField("cluster", clusters(f));
            g.writeBooleanField("listening", f.listening());
            g.writeStringField("error", f.error());
            g.writeNumberField("acceptors", f.acceptors());
            g.writeNumberField("connections", f.activeConnections());
            g.writeNumberField("totalConnections", f.totalConnections());
            g.writeNumberField("requests", f.requests());
            g.writeNumberField("refused", f.refused());
            g.writeStringField("servedBy", f.servedBy());
            g.writeEndObject();
        }
        g.writeEndArray();
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

    private static void clusters(JsonGenerator g, ClusterDirectory directory) throws IOException {
        g.writeFieldName("clusters");
        if (directory == null) {
            g.writeNull();
            return;
        }
        g.writeStartArray();
        for (ClusterSnapshot c : directory.clusters()) {
            long active = 0;
            long requests = 0;
            long failures = 0;
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("policy", c.policy());
            g.writeBooleanField("policyInstalled", c.ready());
            g.writeNumberField("policyFallbacks", c.policyFallbacks());
            g.writeArrayFieldStart("endpoints");
            for (Endpoint e : c.endpoints()) {
                // One read of each counter, used for the endpoint and the cluster's sums alike.
                EndpointCounters n = c.counters(e);
                long a = n.active();
                long r = n.requests();
                long x = n.failures();
                active += a;
                requests += r;
                failures += x;
                endpoint(g, c, e, a, r, x);
            }
            g.writeEndArray();
            g.writeNumberField("active", active);
            g.writeNumberField("requests", requests);
            g.writeNumberField("failures", failures);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void endpoint(JsonGenerator g, ClusterSnapshot c, Endpoint e, long active, long requests, long failures) throws IOException {
        EndpointStatus st = c.status(e);
        g.writeStartObject();
        g.writeStringField("id", e.id());
        g.writeStringField("address", e.addressText());
        g.writeBooleanField("local", e.isLocal());
        g.writeNumberField("weight", e.weight());
        // sb:endpoints' STATE column: drained, else down (passive health), else up; premium appended.
        String state = (st != null && st.admin() == EndpointStatus.Admin.DRAINED ? "drained" : c.down(e) ? "down" : "up")
                + (c.premium().contains(e.id()) ? ",premium" : "");
        g.writeStringField("state", state);
        g.writeObjectFieldStart("health");
        if (st != null) {
            g.writeStringField("admin", st.admin().name().toLowerCase());
            g.writeStringField("check", st.check().name().toLowerCase());
            g.writeStringField("checkDetail", st.checkDetail());
            g.writeStringField("agent", st.agentReport());
            g.writeNumberField("effectiveWeight", st.weight());
            g.writeBooleanField("eligible", st.eligible());
        }
        g.writeEndObject();
        g.writeNumberField("active", active);
        g.writeNumberField("requests", requests);
        g.writeNumberField("failures", failures);
        g.writeEndObject();
    }
}
