package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.metrics.MetricsScrape;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.Endpoint;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The scrape inside Felix, with the Prometheus client's own bundles: real requests through real
 * frontends to a real back-end and to a dead one, counted exactly per status class and endpoint;
 * then the metrics bundle and the HTTP handler bundle are updated and the counts go on.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT extends PlatformTestSupport {
    @Inject
    private ClusterDirectory clusters;

    private HttpBackend live;
    private HttpBackend other;
    private int deadPort;
    private int webPort;
    private int badPort;
    private int retryPort;

    @Before
    public void start() throws Exception {
        live = new HttpBackend("live");
        other = new HttpBackend("other");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again: connections to it are refused
        }
        configure("io.switchboard.cluster", "m-ok", "endpoints", "live=127.0.0.1:" + live.port());
        configure("io.switchboard.cluster", "m-dead", "endpoints", "dead=127.0.0.1:" + deadPort, "retries", 0, "maxFails", 3);
        configure("io.switchboard.cluster", "m-retry", "endpoints", new String[] {"gone=127.0.0.1:" + deadPort, "other=127.0.0.1:" + other.port()},
                "retries", 1, "maxFails", 0);
        configure("io.switchboard.frontend", "m-web", "address", "127.0.0.1", "port", 0, "cluster", "m-ok");
        configure("io.switchboard.frontend", "m-bad", "address", "127.0.0.1", "port", 0, "cluster", "m-dead");
        configure("io.switchboard.frontend", "m-retry", "address", "127.0.0.1", "port", 0, "cluster", "m-retry");
        webPort = awaitListening("m-web");
        badPort = awaitListening("m-bad");
        retryPort = awaitListening("m-retry");
        await("clusters", () -> clusters.cluster("m-ok") != null && clusters.cluster("m-dead") != null && clusters.cluster("m-retry") != null);
    }

    @After
    public void stop() throws IOException {
        live.close();
        other.close();
    }

    @Test
    public void countsEachStatusClassPerEndpointExactlyAndGoOnAcrossUpdatesOfMetricsAndHttpHandler() throws Exception {
        String ok = series("switchboard_http_requests_total", "address", "127.0.0.1:" + live.port(), "cluster", "m-ok",
                "code_class", "2xx", "endpoint", "live", "frontend", "m-web");
        String bad = series("switchboard_http_requests_total", "address", "127.0.0.1:" + deadPort, "cluster", "m-dead",
                "code_class", "5xx", "endpoint", "dead", "frontend", "m-bad");
        String okCount = series("switchboard_http_request_duration_seconds_count", "address", "127.0.0.1:" + live.port(),
                "cluster", "m-ok", "endpoint", "live", "frontend", "m-web");
        String ejected = series("switchboard_endpoint_ejections_total", "address", "127.0.0.1:" + deadPort, "cluster", "m-dead", "endpoint", "dead");

        get(webPort, 10, 200);
        get(badPort, 3, 502);
        Map<String, Double> m = scrapeWhen(ok, 10.0);
        assertEquals(10.0, m.get(ok), 0);
        assertEquals(3.0, m.get(bad), 0);
        assertEquals(10.0, m.get(okCount), 0);
        assertEquals("three refusals in a row take the dead endpoint out once", 1.0, m.get(ejected), 0);
        assertEquals(1.0, m.get(series("switchboard_endpoint_up", "address", "127.0.0.1:" + live.port(), "cluster", "m-ok", "endpoint", "live")), 0);
        assertEquals(0.0, m.get(series("switchboard_endpoint_up", "address", "127.0.0.1:" + deadPort, "cluster", "m-dead", "endpoint", "dead")), 0);
        // Each event loop keeps its own back-end connection to 'live', idle between requests.
        double idle = m.get(series("switchboard_backend_pool_connections", "address", "127.0.0.1:" + live.port(), "cluster", "m-ok",
                "endpoint", "live", "state", "idle"));
        assertTrue("idle " + idle, idle >= 1 && idle <= live.connections());
        assertEquals(0.0, m.get(series("switchboard_backend_pool_connections", "address", "127.0.0.1:" + live.port(), "cluster", "m-ok",
                "endpoint", "live", "state", "busy")), 0);
        assertTrue(m.toString(), m.get(series("switchboard_ring_remaining_capacity", "ring", "control")) > 0);

        // A refused attempt on 'gone' is retried on 'other': every failure of 'gone' is one retry counted on it.
        get(retryPort, 6, 200);
        ClusterSnapshot retry = clusters.cluster("m-retry");
        Endpoint gone = retry.endpoints().stream().filter(e -> e.id().equals("gone")).findFirst().get();
        long refusals = retry.counters(gone).failures();
        assertTrue("round-robin sent some requests to 'gone' first", refusals > 0);
        assertEquals((double) refusals, scrape().get(series("switchboard_retries_total", "address", "127.0.0.1:" + deadPort,
                "cluster", "m-retry", "endpoint", "gone", "frontend", "m-retry")), 0);

        // The metrics bundle goes away and comes back: the data path does not notice, the counts go on.
        Bundle metrics = bundle("io.switchboard.metrics");
        try (InputStream in = new URL(metrics.getLocation()).openStream()) {
            metrics.update(in);
            get(webPort, 1, 200); // while the new version starts
        }
        awaitVerdict("io.switchboard.metrics");
        refresh(metrics);
        get(webPort, 1, 200);
        await("the scrape service of the new metrics bundle", () -> scrapeQuietly() != null);
        m = scrapeWhen(ok, 12.0);
        assertEquals(12.0, m.get(ok), 0);
        assertEquals(3.0, m.get(bad), 0);

        // The HTTP handler is replaced: its new code counts into the same cells.
        Bundle http = bundle("io.switchboard.handler.http");
        try (InputStream in = new URL(http.getLocation()).openStream()) {
            http.update(in);
        }
        awaitVerdict("io.switchboard.handler.http");
        refresh(http);
        get(webPort, 3, 200);
        get(badPort, 1, 502);
        m = scrapeWhen(ok, 15.0);
        assertEquals(15.0, m.get(ok), 0);
        assertEquals(4.0, m.get(bad), 0);
        assertEquals(15.0, m.get(okCount), 0);
        promtool(scrapeText());

        // The transport itself is replaced: its next version takes the cells over with its loops.
        Bundle transport = bundle("io.switchboard.transport");
        long before = serviceId(io.switchboard.api.telemetry.Telemetry.class);
        try (InputStream in = new URL(transport.getLocation()).openStream()) {
            transport.update(in);
        }
        await("the new transport's telemetry", () -> serviceId(io.switchboard.api.telemetry.Telemetry.class) > before);
        refresh(transport);
        await("the new transport's telemetry after the refresh", () -> serviceId(io.switchboard.api.telemetry.Telemetry.class) > before
                && currentPort("m-web") > 0);
        get(currentPort("m-web"), 2, 200);
        m = scrapeWhen(ok, 17.0);
        assertEquals(17.0, m.get(ok), 0);
        assertEquals(4.0, m.get(bad), 0);
    }

    /** The frontend's port as the transport in force has it (the injected FrontendService is the first version's). */
    private int currentPort(String name) {
        ServiceReference<io.switchboard.api.runtime.FrontendService> ref = context.getServiceReference(io.switchboard.api.runtime.FrontendService.class);
        if (ref == null) {
            return -1;
        }
        try {
            for (io.switchboard.api.runtime.FrontendStatus f : context.getService(ref).frontends()) {
                if (f.spec().name().equals(name)) {
                    return f.boundPort();
                }
            }
            return -1;
        } finally {
            context.ungetService(ref);
        }
    }

    private long serviceId(Class<?> type) {
        ServiceReference<?> ref = context.getServiceReference(type);
        return ref == null ? -1 : (Long) ref.getProperty(Constants.SERVICE_ID);
    }

    // ---- helpers ----

    /** Sends n requests, each on a connection of its own, and checks each status. */
    private static void get(int port, int n, int status) throws IOException {
        for (int i = 0; i < n; i++) {
            try (RawHttpClient c = new RawHttpClient(port)) {
                assertEquals(status, c.get("/" + i).status);
            }
        }
    }

    /** A series' key as the text format writes it: labels in name order. */
    private static String series(String name, String... labels) {
        StringBuilder s = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            s.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
        }
        return s.append('}').toString();
    }

    private String scrapeText() throws IOException {
        ServiceReference<MetricsScrape> ref = context.getServiceReference(MetricsScrape.class);
        assertNotNull("the scrape service", ref);
        MetricsScrape s = context.getService(ref);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.write(out);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            context.ungetService(ref);
        }
    }

    private String scrapeQuietly() {
        try {
            return scrapeText();
        } catch (IOException | RuntimeException | AssertionError e) {
            return null;
        }
    }

    /**
     * A scrape once the series has reached the value, or after 5 s: a request is counted when its
     * exchange ends on its event loop, which can be a moment after the client has read the response.
     * A count that never comes fails the assertion that follows.
     */
    private Map<String, Double> scrapeWhen(String series, double value) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Map<String, Double> m = scrape();
        while (!Double.valueOf(value).equals(m.get(series)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            m = scrape();
        }
        return m;
    }

    private Map<String, Double> scrape() throws IOException {
        Map<String, Double> values = new HashMap<>();
        for (String line : scrapeText().split("\n")) {
            if (!line.startsWith("#") && !line.isEmpty()) {
                int space = line.lastIndexOf(' ');
                values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return values;
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }

    private void refresh(Bundle bundle) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(List.of(bundle), e -> {
                    if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                        refreshed.countDown();
                    }
                });
        assertTrue("refresh of " + bundle.getSymbolicName(), refreshed.await(30, TimeUnit.SECONDS));
        await(bundle.getSymbolicName() + " active", () -> bundle.getState() == Bundle.ACTIVE);
    }

    /**
     * Waits for the update guard's verdict on the bundle's latest update (it gives it 1.5 s after the
     * update; a refresh before then voids that check, and nothing would be counted).
     */
    private void awaitVerdict(String bundle) throws InterruptedException {
        await("the update of " + bundle + " counted as started", () -> {
            String t = scrapeQuietly();
            return t != null && t.contains("switchboard_bundle_updates_total{bundle=\"" + bundle + "\",result=\"started\"} 1.0");
        });
    }

    /** Prometheus' own parser, where it is installed (.ci/run installs it): the scrape from inside Felix parses. */
    private static void promtool(String exposition) throws IOException, InterruptedException {
        String promtool = new File("/opt/promtool/promtool").canExecute() ? "/opt/promtool/promtool" : null;
        if (promtool == null) {
            return;
        }
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals("promtool check metrics: " + said, 0, p.exitValue());
        assertEquals("", said);
    }
}
