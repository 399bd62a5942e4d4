package io.switchboard.admin.impl;

import io.switchboard.api.local.LocalApplication;
import io.switchboard.api.local.LocalRequest;
import io.switchboard.api.local.LocalResponse;
import io.switchboard.api.metrics.MetricsScrape;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.TransportInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The admin surface, as the local application {@code admin} (reached through the switch at
 * {@code local:admin}): {@code /} the live status page, {@code /api/status} (and
 * {@code /api/frontends}, {@code /api/clusters}) its figures as JSON, {@code /metrics} the
 * Prometheus scrape. Every service it reads is optional and dynamic: while one is being updated
 * its part of the answer is {@code null} (JSON) or 503 (metrics), and the page stays.
 */
@Component(service = LocalApplication.class, property = LocalApplication.NAME + "=" + AdminApplication.NAME)
public class AdminApplication implements LocalApplication {
    static final String NAME = "admin";
    private static final String JSON = "application/json; charset=utf-8";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TransportInfo transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FrontendService frontends;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ClusterDirectory clusters;

    /** Provided by the metrics bundle, when it is installed. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MetricsScrape metrics;

    private String version = "?";
    private byte[] page;

    @Activate
    void activate(BundleContext context) throws IOException {
        version = context.getBundle().getVersion().toString();
        page = statusPage();
    }

    /** The page is one file with its CSS and script inline: no other request, nothing from elsewhere. */
    static byte[] statusPage() throws IOException {
        try (InputStream in = AdminApplication.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IOException("status.html is missing from the bundle");
            }
            return in.readAllBytes();
        }
    }

    /** Outside a framework (tests): these services, no metrics. */
    static AdminApplication of(TransportInfo t, FrontendService f, ClusterDirectory c, MetricsScrape m) throws IOException {
        AdminApplication a = new AdminApplication();
        a.transport = t;
        a.frontends = f;
        a.clusters = c;
        a.metrics = m;
        a.page = statusPage();
        return a;
    }

    @Override
    public LocalResponse handle(LocalRequest request) throws IOException {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return LocalResponse.text(405, "only GET and HEAD\n").withHeader("Allow", "GET, HEAD");
        }
        switch (request.path()) {
            case "/":
            case "/index.html":
                return fresh(LocalResponse.of(200, "text/html; charset=utf-8", page));
            case "/api/status":
                return fresh(LocalResponse.of(200, JSON, StatusReport.write(sources(), StatusReport.Part.ALL)));
            case "/api/frontends":
                return fresh(LocalResponse.of(200, JSON, StatusReport.write(sources(), StatusReport.Part.FRONTENDS)));
            case "/api/clusters":
                return fresh(LocalResponse.of(200, JSON, StatusReport.write(sources(), StatusReport.Part.CLUSTERS)));
            case "/metrics":
                return metrics();
            default:
                return LocalResponse.text(404, "not found: " + request.path() + " (try /, /api/status, /api/frontends, /api/clusters, /metrics)\n");
        }
    }

    private LocalResponse metrics() throws IOException {
        MetricsScrape m = metrics;
        if (m == null) {
            return fresh(LocalResponse.text(503, "metrics are not available: no MetricsScrape service is registered"
                    + " (the metrics bundle is not installed, or is being updated)\n"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        m.write(out);
        return fresh(LocalResponse.of(200, MetricsScrape.CONTENT_TYPE, out.toByteArray()));
    }

    private StatusReport.Sources sources() {
        return new StatusReport.Sources(version, ManagementFactory.getRuntimeMXBean().getUptime(), transport, frontends, clusters);
    }

    /** Live figures: never cached. */
    private static LocalResponse fresh(LocalResponse r) {
        return r.withHeader("Cache-Control", "no-store");
    }
}
