package io.switchboard.admin.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.local.LocalRequest;
import io.switchboard.api.local.LocalResponse;
import io.switchboard.api.metrics.MetricsScrape;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.runtime.TransportInfo;
import io.switchboard.api.switching.TrackedFlow;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdminApplicationTest {

    static final class Counters implements EndpointCounters {
        final long active;
        final long requests;
        final long failures;

        Counters(long active, long requests, long failures) {
            this.active = active;
            this.requests = requests;
            this.failures = failures;
        }

        @Override public void started() { }
        @Override public void finished(boolean ok) { }
        @Override public long requests() { return requests; }
        @Override public long failures() { return failures; }
        @Override public long active() { return active; }
        @Override public int failuresInARow() { return 0; }
        @Override public long lastFailureNanos() { return 0; }
    }

    static final Endpoint A = new Endpoint("a", "127.0.0.1", 9001, 2);
    static final Endpoint L = Endpoint.local("admin", "admin", 1);

    static final ClusterSnapshot WEB = new ClusterSnapshot() {
        @Override public String name() { return "web"; }
        @Override public String policy() { return "round-robin"; }
        @Override public boolean ready() { return true; }
        @Override public List<Endpoint> endpoints() { return List.of(A, L); }
        @Override public Endpoint choose(RequestContext request, Set<String> excluded) { return A; }
        @Override public EndpointCounters counters(Endpoint e) { return e == A ? new Counters(1, 40, 3) : new Counters(0, 2, 0); }
        @Override public boolean down(Endpoint e) { return e == L; }
        @Override public long policyFallbacks() { return 0; }
        @Override public String policyProblem() { return null; }
        @Override public int connectTimeoutMillis() { return 1000; }
        @Override public int firstByteTimeoutMillis() { return 1000; }
        @Override public int retries() { return 2; }
        @Override public Set<String> premium() { return Set.of(); }
        @Override public EndpointStatus status(Endpoint e) {
            return e == A ? new EndpointStatus(EndpointStatus.Admin.DRAINED, EndpointStatus.Check.UP, "200", "75%", 10, 0, null, 150, false)
                    : new EndpointStatus(EndpointStatus.Admin.ENABLED, EndpointStatus.Check.NONE, null, null, -1, 0, null, 1, true);
        }
    };

    static final ClusterDirectory CLUSTERS = new ClusterDirectory() {
        @Override public ClusterSnapshot cluster(String name) { return name.equals("web") ? WEB : null; }
        @Override public List<ClusterSnapshot> clusters() { return List.of(WEB); }
        @Override public List<String> policies() { return List.of("round-robin"); }
        @Override public boolean setPolicy(String cluster, String policy) { return false; }
    };

    static final FrontendService FRONTENDS = new FrontendService() {
        @Override public void apply(FrontendSpec spec) { }
        @Override public void remove(String name) { }
        @Override public List<FrontendStatus> frontends() {
            return List.of(new FrontendStatus(new FrontendSpec("web", "http", "127.0.0.1", 0, "web"), 8080, null, 3, 17, 42, 1, 2, "x 1"),
                    new FrontendStatus(new FrontendSpec("busy", "http", "127.0.0.1", 8081, "web"), -1, "port 8081 is in use", 0, 0, 0, 0, 0, null));
        }
        @Override public List<TrackedFlow> flows() { return List.of(); }
        @Override public ConnectionTableStats connectionTable() { return null; }
        @Override public List<DrainRecord> drains() { return List.of(); }
    };

    static final TransportInfo TRANSPORT = new TransportInfo() {
        @Override public String name() { return "epoll"; }
        @Override public String fallbackReason() { return null; }
        @Override public int eventLoops() { return 2; }
    };

    private static LocalResponse get(AdminApplication app, String path) throws Exception {
        return app.handle(new LocalRequest("GET", path, "", Map.of(), null));
    }

    private static String body(LocalResponse r) {
        return new String(r.body(), UTF_8);
    }

    @Test
    void statusJsonHasTheFiguresOfTheServices() throws Exception {
        LocalResponse r = get(AdminApplication.of(TRANSPORT, FRONTENDS, CLUSTERS, null), "/api/status");
        assertEquals(200, r.status());
        assertEquals("application/json; charset=utf-8", r.headers().get("Content-Type"));
        assertEquals("no-store", r.headers().get("Cache-Control"));
        String json = body(r).replaceAll("\\s+", "");
        assertTrue(json.contains("\"transport\":{\"name\":\"epoll\",\"eventLoops\":2"), json);
        assertTrue(json.contains("\"name\":\"web\",\"protocol\":\"http\",\"address\":\"127.0.0.1:8080\",\"cluster\":\"web\",\"listening\":true,"
                + "\"error\":null,\"acceptors\":2,\"connections\":3,\"totalConnections\":17,\"requests\":42,\"refused\":1"), json);
        assertTrue(json.contains("\"address\":\"127.0.0.1:8081\",\"cluster\":\"web\",\"listening\":false,\"error\":\"port8081isinuse\""), json);
        assertTrue(json.contains("\"id\":\"a\",\"address\":\"127.0.0.1:9001\",\"local\":false,\"weight\":2,\"state\":\"drained\","
                + "\"health\":{\"admin\":\"drained\",\"check\":\"up\",\"checkDetail\":\"200\",\"agent\":\"75%\",\"effectiveWeight\":150,\"eligible\":false},"
                + "\"active\":1,\"requests\":40,\"failures\":3"), json);
        assertTrue(json.contains("\"id\":\"admin\",\"address\":\"local:admin\",\"local\":true,\"weight\":1,\"state\":\"down\""), json);
        assertTrue(json.contains("\"active\":1,\"requests\":42,\"failures\":3}"), "the cluster's sums: " + json);
    }

    @Test
    void partsAndAServiceBeingUpdated() throws Exception {
        AdminApplication app = AdminApplication.of(null, FRONTENDS, null, null);
        String all = body(get(app, "/api/status")).replaceAll("\\s+", "");
        assertTrue(all.contains("\"transport\":null") && all.contains("\"clusters\":null"), all);
        String frontends = body(get(app, "/api/frontends"));
        assertTrue(frontends.contains("\"frontends\"") && !frontends.contains("\"clusters\""), frontends);
        String clusters = body(get(AdminApplication.of(null, null, CLUSTERS, null), "/api/clusters"));
        assertTrue(clusters.contains("\"clusters\"") && !clusters.contains("\"frontends\""), clusters);
    }

    @Test
    void thePageIsSelfContained() throws Exception {
        LocalResponse r = get(AdminApplication.of(TRANSPORT, FRONTENDS, CLUSTERS, null), "/");
        assertEquals(200, r.status());
        assertEquals("text/html; charset=utf-8", r.headers().get("Content-Type"));
        String html = body(r);
        assertTrue(html.contains("fetch(\"api/status\""), "it refreshes from the JSON");
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "no asset from elsewhere");
        assertFalse(html.contains("<link"), "no stylesheet to fetch");
        assertFalse(html.contains("<script src"), "no script to fetch");
    }

    @Test
    void metricsFromTheScrapeServiceOr503() throws Exception {
        LocalResponse none = get(AdminApplication.of(TRANSPORT, FRONTENDS, CLUSTERS, null), "/metrics");
        assertEquals(503, none.status());
        assertTrue(body(none).contains("no MetricsScrape service"), body(none));
        MetricsScrape scrape = out -> out.write("# TYPE sb_requests_total counter\nsb_requests_total 7\n".getBytes(UTF_8));
        LocalResponse m = get(AdminApplication.of(TRANSPORT, FRONTENDS, CLUSTERS, scrape), "/metrics");
        assertEquals(200, m.status());
        assertEquals(MetricsScrape.CONTENT_TYPE, m.headers().get("Content-Type"));
        assertTrue(body(m).contains("sb_requests_total 7"));
    }

    @Test
    void otherPathsAndMethods() throws Exception {
        AdminApplication app = AdminApplication.of(TRANSPORT, FRONTENDS, CLUSTERS, null);
        assertEquals(404, get(app, "/nothing").status());
        LocalResponse post = app.handle(new LocalRequest("POST", "/api/status", "", Map.of(), null));
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.headers().get("Allow"));
    }
}
