package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.routing.RouteTable;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.util.Random;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Application-layer distribution: each request on a keep-alive connection routed on its own; premium subsets. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RoutingIT extends PlatformTestSupport {

    @Inject
    private ClusterDirectory clusters;

    @Inject
    private RouteTable routes;

    private void awaitClusters(String... names) throws InterruptedException {
        for (String n : names) {
            await("cluster " + n, () -> clusters.cluster(n) != null && clusters.cluster(n).ready());
        }
    }

    @Test
    public void aHundredRequestsOnOneConnectionEachReachTheirRulesGroup() throws Exception {
        try (HttpBackend api = new HttpBackend("api"); HttpBackend gold = new HttpBackend("gold");
             HttpBackend mobile = new HttpBackend("mobile"); HttpBackend web = new HttpBackend("web")) {
            configure("io.switchboard.cluster", "api", "endpoints", "127.0.0.1:" + api.port());
            configure("io.switchboard.cluster", "gold", "endpoints", "127.0.0.1:" + gold.port());
            configure("io.switchboard.cluster", "mobile", "endpoints", "127.0.0.1:" + mobile.port());
            configure("io.switchboard.cluster", "web", "endpoints", "127.0.0.1:" + web.port());
            configure("io.switchboard.route", "gold", "order", 10, "frontends", "routed", "match", "cookie:tier=gold", "cluster", "gold");
            configure("io.switchboard.route", "api", "order", 20, "match", new String[] {"path=/api/", "method=GET"}, "cluster", "api");
            configure("io.switchboard.route", "mobile", "order", 30, "match", "device=mobile", "cluster", "mobile");
            configure("io.switchboard.frontend", "routed", "address", "127.0.0.1", "port", 0, "cluster", "web");
            int port = awaitListening("routed");
            awaitClusters("api", "gold", "mobile", "web");
            await("three routes", () -> routes.rules().size() >= 3);

            Random random = new Random(7);
            int[] counts = new int[4];
            try (RawHttpClient c = new RawHttpClient(port)) {
                for (int i = 0; i < 100; i++) {
                    boolean goldCookie = random.nextInt(4) == 0;
                    boolean apiPath = random.nextBoolean();
                    boolean phone = random.nextInt(3) == 0;
                    String path = (apiPath ? "/api/items/" : "/page/") + i;
                    String expected = goldCookie ? "gold" : apiPath ? "api" : phone ? "mobile" : "web";
                    c.send("GET " + path + " HTTP/1.1\r\nHost: shop\r\n"
                            + (goldCookie ? "Cookie: session=x; tier=gold\r\n" : "Cookie: tier=silver\r\n")
                            + "User-Agent: " + (phone ? "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148" : "Mozilla/5.0 (X11; Linux x86_64)")
                            + "\r\n\r\n");
                    Response r = c.read();
                    assertEquals("request " + i + " " + path, expected + " " + path, r.body.trim());
                    counts[expected.equals("gold") ? 0 : expected.equals("api") ? 1 : expected.equals("mobile") ? 2 : 3]++;
                }
            }
            for (int n : counts) {
                assertTrue("every group got requests: " + java.util.Arrays.toString(counts), n > 0);
            }
            assertEquals("one client connection, one back-end connection per group", 1, web.connections());
        }
    }

    @Test
    public void premiumRequestsGoToTheReservedSubsetAndFallBackAsConfigured() throws Exception {
        try (HttpBackend p1 = new HttpBackend("p1"); HttpBackend p2 = new HttpBackend("p2");
             HttpBackend r1 = new HttpBackend("r1"); HttpBackend r2 = new HttpBackend("r2")) {
            org.osgi.service.cm.Configuration cluster = configure("io.switchboard.cluster", "shop", "endpoints", new String[] {
                    "p1=127.0.0.1:" + p1.port(), "p2=127.0.0.1:" + p2.port(), "r1=127.0.0.1:" + r1.port(), "r2=127.0.0.1:" + r2.port()},
                    "premium", new String[] {"p1", "p2"}, "premiumMatch", "cookie:tier=gold", "maxFails", 1,
                    "firstByteTimeoutMillis", 3000);
            configure("io.switchboard.frontend", "shop", "address", "127.0.0.1", "port", 0, "cluster", "shop");
            int port = awaitListening("shop");
            awaitClusters("shop");
            try (RawHttpClient c = new RawHttpClient(port)) {
                for (int i = 0; i < 20; i++) {
                    String who = c.send("GET /g HTTP/1.1\r\nHost: s\r\nCookie: tier=gold\r\n\r\n").read().header("X-Served-By");
                    assertTrue("premium request served by " + who, who.equals("p1") || who.equals("p2"));
                    String other = c.send(RawHttpClient.getRequest("/o")).read().header("X-Served-By");
                    assertTrue("other request served by " + other, other.equals("r1") || other.equals("r2"));
                }
            }
            // The reserved subset goes down: refuse by default...
            p1.close();
            p2.close();
            try (RawHttpClient c = new RawHttpClient(port)) {
                // The first requests may still meet a connection of a dying back-end: 502 (closed) or 504
                // (accepted, never answered). Once passive health has both reserved endpoints out: 503.
                int status = 0;
                for (int i = 0; i < 4 && status != 503; i++) {
                    status = c.send("GET /g HTTP/1.1\r\nHost: s\r\nCookie: tier=gold\r\n\r\n").read().status;
                    assertTrue("status " + status, status == 502 || status == 503 || status == 504);
                }
                assertEquals("premium endpoints down: refused", 503, status);
                assertEquals(200, c.send(RawHttpClient.getRequest("/o")).read().status);
            }
            // ...or spill to the rest.
            java.util.Dictionary<String, Object> props = cluster.getProperties();
            props.put("premiumFallback", "spill");
            cluster.update(props);
            await("spill", () -> {
                try (RawHttpClient c = new RawHttpClient(port)) {
                    return c.send("GET /g HTTP/1.1\r\nHost: s\r\nCookie: tier=gold\r\n\r\n").read().status == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    /** Issue 11, defect 9: every premium endpoint dead from the start: the very first premium request gets the promised 503, not a 502. */
    @Test
    public void premiumRequestsAreRefusedFromTheFirstWhenEveryReservedEndpointIsDead() throws Exception {
        try (HttpBackend r1 = new HttpBackend("r1")) {
            int[] dead = new int[2];
            for (int i = 0; i < 2; i++) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    dead[i] = s.getLocalPort(); // closed again: connections to it are refused
                }
            }
            configure("io.switchboard.cluster", "vault", "endpoints", new String[] {
                    "p1=127.0.0.1:" + dead[0], "p2=127.0.0.1:" + dead[1], "r1=127.0.0.1:" + r1.port()},
                    "premium", new String[] {"p1", "p2"}, "premiumMatch", "cookie:tier=gold");
            configure("io.switchboard.frontend", "vault", "address", "127.0.0.1", "port", 0, "cluster", "vault");
            int port = awaitListening("vault");
            awaitClusters("vault");
            try (RawHttpClient c = new RawHttpClient(port)) {
                for (int i = 0; i < 3; i++) {
                    RawHttpClient.Response r = c.send("GET /g HTTP/1.1\r\nHost: s\r\nCookie: tier=gold\r\n\r\n").read();
                    assertEquals("premium request " + (i + 1) + ": " + r.body, 503, r.status);
                    assertTrue(r.body, r.body.contains("premiumFallback = refuse"));
                }
                assertEquals(200, c.send(RawHttpClient.getRequest("/o")).read().status);
            }
        }
    }
}
