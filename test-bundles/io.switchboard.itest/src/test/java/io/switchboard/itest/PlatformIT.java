package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.TransportInfo;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** The platform inside Felix: services, native transport, traffic, shell, a plugin installed live. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends PlatformTestSupport {

    @Inject
    private TransportInfo transport;

    @Inject
    private ClusterDirectory clusters;

    @Inject
    private CommandProcessor commands;

    @Test
    public void everyPlatformBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().startsWith("io.switchboard.") && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName());
            }
        }
        assertTrue("not active: " + notActive, notActive.isEmpty());
    }

    /** The defaults (transport = auto) run on io_uring; epoll, what auto runs on where io_uring cannot load, loads too. */
    @Test
    public void ioUringIsTheDefaultTransportInsideTheFramework() {
        assertTrue("Epoll.isAvailable() inside Felix: " + Epoll.unavailabilityCause(), Epoll.isAvailable());
        assertEquals("io_uring", transport.name());
        assertNull(transport.fallbackReason());
    }

    /** The io_uring fragment is attached and its native library loads inside Felix: transport = io_uring can run. */
    @Test
    public void ioUringLoadsInsideTheFramework() {
        assertTrue("IoUring.isAvailable() inside Felix: " + IoUring.unavailabilityCause(), IoUring.isAvailable());
    }

    @Test
    public void requestsThroughAFrontendReachRealBackendsInTurn() throws Exception {
        try (HttpBackend a = new HttpBackend("a"); HttpBackend b = new HttpBackend("b")) {
            configure("io.switchboard.cluster", "it-web", "endpoints", new String[] {"a=127.0.0.1:" + a.port(), "b=127.0.0.1:" + b.port()});
            configure("io.switchboard.frontend", "it-web", "address", "127.0.0.1", "port", 0, "cluster", "it-web");
            int port = awaitListening("it-web");
            await("cluster it-web", () -> clusters.cluster("it-web") != null && clusters.cluster("it-web").ready());
            List<String> servedBy = new ArrayList<>();
            try (RawHttpClient c = new RawHttpClient(port)) {
                for (int i = 0; i < 6; i++) {
                    Response r = c.get("/" + i);
                    assertEquals(200, r.status);
                    servedBy.add(r.header("X-Served-By"));
                }
            }
            assertEquals(List.of("a", "b", "a", "b", "a", "b"), servedBy);
            assertEquals(3, a.requests());
            assertEquals(1, a.connections());
            assertEquals(6, frontend("it-web").requests());
        }
    }

    @Test
    public void shellCommandsAnswer() throws Exception {
        configure("io.switchboard.cluster", "it-shell", "endpoints", "127.0.0.1:9");
        configure("io.switchboard.frontend", "it-shell", "address", "127.0.0.1", "port", 0, "cluster", "it-shell");
        awaitListening("it-shell");
        String status = run("sb:status");
        assertTrue(status, status.contains("transport io_uring"));
        assertTrue(status, status.contains("it-shell"));
        assertTrue(status, status.contains("listening"));
        String endpoints = run("sb:endpoints it-shell");
        assertTrue(endpoints, endpoints.contains("127.0.0.1:9"));
        assertTrue(endpoints, endpoints.contains("first byte 30000 ms, idle 60000 ms, retries 2"));
        assertTrue(run("sb:endpoints nope"), run("sb:endpoints nope").contains("no cluster named 'nope'"));
        assertTrue(run("sb:policies").contains("round-robin"));
    }

    private String run(String command) throws Exception {
        return shell(commands, command);
    }

    @Test
    public void aPolicyPluginInstalledLiveServesItsClustersAndItsRemovalIsSurvived() throws Exception {
        try (HttpBackend a = new HttpBackend("a")) {
            configure("io.switchboard.cluster", "it-plugin", "endpoints", "127.0.0.1:" + a.port(), "policy", "random");
            configure("io.switchboard.frontend", "it-plugin", "address", "127.0.0.1", "port", 0, "cluster", "it-plugin");
            int port = awaitListening("it-plugin");
            try (RawHttpClient c = new RawHttpClient(port)) {
                // Until its policy is installed the cluster balances round-robin, and says so.
                assertFalse(clusters.cluster("it-plugin").ready());
                assertEquals(200, c.get("/before").status);

                Bundle plugin = context.installBundle(new File(context.getProperty("sb.plugin.random")).toURI().toString());
                plugin.start();
                await("policy random", () -> clusters.cluster("it-plugin").ready());
                assertEquals(200, c.get("/with-plugin").status);

                plugin.uninstall();
                await("policy random to go", () -> !clusters.cluster("it-plugin").ready());
                assertEquals("the frontend survives its policy going away", 200, c.get("/after").status);
            }
        }
    }
}
