package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Dictionary;
import java.util.Hashtable;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** Bad configuration and dead back-ends: a clear error, and what was running keeps running. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BadInputIT extends PlatformTestSupport {

    @Inject
    private ClusterDirectory clusters;

    @Before
    public void captureLog() {
        listenToLog();
    }

    @After
    public void releaseLog() {
        stopListeningToLog();
    }

    @Test
    public void portAlreadyInUseIsNamedAndOtherFrontendsStillStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            configure("io.switchboard.cluster", "bad-port", "endpoints", "127.0.0.1:9");
            configure("io.switchboard.frontend", "taken", "address", "127.0.0.1", "port", taken.getLocalPort(), "cluster", "bad-port");
            configure("io.switchboard.frontend", "free", "address", "127.0.0.1", "port", 0, "cluster", "bad-port");
            awaitListening("free");
            await("frontend taken to fail", () -> frontend("taken") != null && frontend("taken").error() != null);
            FrontendStatus s = frontend("taken");
            assertFalse(s.listening());
            assertTrue(s.error(), s.error().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use by another process"));
            awaitLog("frontend taken cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    public void invalidFrontendChangesAreRejectedAndThePreviousOneKeepsServing() throws Exception {
        try (HttpBackend a = new HttpBackend("a")) {
            configure("io.switchboard.cluster", "keep", "endpoints", "127.0.0.1:" + a.port());
            org.osgi.service.cm.Configuration fe = configure("io.switchboard.frontend", "keep", "address", "127.0.0.1", "port", 0, "cluster", "keep");
            int port = awaitListening("keep");

            update(fe, "address", "127.0.0.1", "port", -1, "cluster", "keep");
            awaitLog("key 'port': -1 is out of range 0..65535; frontend keep keeps its previous configuration");
            update(fe, "address", "127.0.0.1", "port", 0, "cluster", "keep", "colour", "blue");
            awaitLog("key 'colour': not an option of protocol http");
            try (RawHttpClient c = new RawHttpClient(port)) {
                assertEquals(200, c.get("/still").status);
            }
            assertEquals(port, frontend("keep").boundPort());
        }
    }

    @Test
    public void aNewInvalidFrontendIsNotStarted() throws Exception {
        configure("io.switchboard.frontend", "negative", "address", "127.0.0.1", "port", -5, "cluster", "x");
        awaitLog("key 'port': -5 is out of range 0..65535; frontend not started");
        assertNull(frontend("negative"));
    }

    @Test
    public void anEmptyClusterIsRejectedAndItsPreviousEndpointsKeepServing() throws Exception {
        try (HttpBackend a = new HttpBackend("a")) {
            org.osgi.service.cm.Configuration cl = configure("io.switchboard.cluster", "empty", "endpoints", "127.0.0.1:" + a.port());
            configure("io.switchboard.frontend", "empty", "address", "127.0.0.1", "port", 0, "cluster", "empty");
            int port = awaitListening("empty");
            await("cluster empty", () -> clusters.cluster("empty") != null);
            update(cl, "endpoints", new String[0]);
            awaitLog("key 'endpoints': a cluster needs at least one endpoint; cluster empty keeps its previous configuration");
            try (RawHttpClient c = new RawHttpClient(port)) {
                assertEquals(200, c.get("/ok").status);
            }
        }
    }

    @Test
    public void aRefusingBackendGets502AndTheFrontendKeepsServing() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        configure("io.switchboard.cluster", "dead", "endpoints", "127.0.0.1:" + dead);
        configure("io.switchboard.frontend", "dead", "address", "127.0.0.1", "port", 0, "cluster", "dead");
        int port = awaitListening("dead");
        await("cluster dead", () -> clusters.cluster("dead") != null);
        try (RawHttpClient c = new RawHttpClient(port)) {
            Response r = c.get("/a");
            assertEquals(502, r.status);
            assertTrue(r.body, r.body.contains("no back-end reachable"));
            assertEquals(502, c.get("/b").status);
        }
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertEquals(502, c.get("/c").status);
        }
        assertEquals(3, clusters.cluster("dead").counters(clusters.cluster("dead").endpoints().get(0)).failures());
    }

    @Test
    public void aConnectionToADestinationThatIsNoVirtualServiceGetsAReset() throws Exception {
        try (HttpBackend a = new HttpBackend("a")) {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            configure("io.switchboard.cluster", "vs", "endpoints", "127.0.0.1:" + a.port());
            // One socket on the wildcard address; only 127.0.0.2 is a service. Clients stay on loopback.
            configure("io.switchboard.frontend", "vs", "address", "0.0.0.0", "port", port, "cluster", "vs",
                    "services", new String[] {"127.0.0.2:" + port});
            awaitListening("vs");
            await("cluster vs", () -> clusters.cluster("vs") != null && clusters.cluster("vs").ready());
            try (java.net.Socket s = new java.net.Socket(InetAddress.getByName("127.0.0.2"), port)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET /vs HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes());
                String answer = new String(s.getInputStream().readAllBytes());
                assertTrue(answer, answer.startsWith("HTTP/1.1 200") && answer.endsWith("a /vs\n"));
            }
            try (java.net.Socket s = new java.net.Socket()) {
                // The reset can reach the client while it connects, writes or reads.
                java.net.SocketException e = org.junit.Assert.assertThrows(java.net.SocketException.class, () -> {
                    s.connect(new java.net.InetSocketAddress("127.0.0.3", port), 5000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes());
                    s.getInputStream().read();
                });
                assertTrue(e.getMessage(), e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"));
            }
            assertEquals(1, frontend("vs").refused());
            assertEquals("only the service's request reached the back-end", 1, a.requests());
        }
    }

    @Test
    public void aJsonFileInConfIsReadByTheJsonBundleOnceItSettles() throws Exception {
        java.nio.file.Path conf = java.nio.file.Path.of(context.getProperty("switchboard.conf.dir"));
        java.nio.file.Files.createDirectories(conf);
        java.nio.file.Files.writeString(conf.resolve("io.switchboard.frontend-jsonbad.json"), "{\"port\": 0,\n \"port\": 1}");
        awaitLog("config rejected: " + conf.resolve("io.switchboard.frontend-jsonbad.json").toAbsolutePath()
                + ": line 2 column 2: duplicate key 'port'; the configuration in force stays");
        java.nio.file.Files.writeString(conf.resolve("io.switchboard.frontend-json.json"),
                "{\"address\": \"127.0.0.1\", \"port\": 0, \"cluster\": \"json\"}");
        awaitListening("json");
    }

    private static void update(org.osgi.service.cm.Configuration c, Object... keyValues) throws Exception {
        Dictionary<String, Object> props = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        c.update(props);
    }
}
