package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.handler.ClassifierStats;
import io.switchboard.api.handler.RequestClassifier;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;

/** The intelligent switch in Felix: default handler, reassignment, fallback, failures contained. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SwitchIT extends PlatformTestSupport {

    @Inject
    private IntelligentSwitch switchboard;

    @Inject
    private ClusterDirectory clusters;

    @Inject
    private ClassifierStats classifierStats;

    @Inject
    private SwitchingCore core;

    private HttpBackend backend;
    private int port;
    private final List<Bundle> installed = new ArrayList<>();
    private final List<ServiceRegistration<?>> registered = new ArrayList<>();

    @Before
    public void frontend() throws Exception {
        backend = new HttpBackend("backend");
        configure("io.switchboard.cluster", "sw", "endpoints", "127.0.0.1:" + backend.port());
        configure("io.switchboard.frontend", "sw", "address", "127.0.0.1", "port", 0, "cluster", "sw");
        port = awaitListening("sw");
        // a cluster an earlier test configured may still carry that test's back-end: wait for this one's
        await("cluster sw", () -> clusters.cluster("sw") != null && clusters.cluster("sw").ready()
                && clusters.cluster("sw").endpoints().stream().anyMatch(e -> e.port() == backend.port()));
    }

    @After
    public void cleanUp() throws Exception {
        for (ServiceRegistration<?> r : registered) {
            r.unregister();
        }
        for (Bundle b : installed) {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
        }
        backend.close();
    }

    private void installClassifier() throws Exception {
        installed.add(installPlugin("sb.plugin.classifier"));
        await("the header classifier", () -> classifierStats.classifiers().stream().anyMatch(c -> c.contains("HeaderClassifier")));
    }

    private void installExamplePlugins() throws Exception {
        installClassifier();
        installed.add(installPlugin("sb.plugin.hello"));
        await("handler hello", () -> hasType("hello"));
    }

    private boolean hasType(String type) {
        return core.table().handlers().containsKey(type);
    }

    private static String request(String path, String... headers) {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: t\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private long handled(String type) {
        return switchboard.stats().messagesByHandler().getOrDefault(type, 0L);
    }

    @Test
    public void aConnectionIsReassignedMidWayAndItsLaterRequestsNeverReachTheDefaultHandler() throws Exception {
        installExamplePlugins();
        try (RawHttpClient c = new RawHttpClient(port)) {
            Response first = c.send(request("/first")).read();
            assertEquals("backend /first", first.body.trim());

            Response second = c.send(request("/second", "X-Switchboard-Type: hello")).read();
            assertTrue(second.body, second.body.startsWith("hello from the hello handler: message 2"));

            long defaultBefore = handled(FlowHandler.DEFAULT_TYPE);
            long helloBefore = handled("hello");
            for (int i = 0; i < 10; i++) {
                Response r = c.send(request("/later" + i)).read();
                assertTrue(r.body, r.body.startsWith("hello from the hello handler"));
            }
            assertEquals("the default handler saw none of them", defaultBefore, handled(FlowHandler.DEFAULT_TYPE));
            assertEquals(helloBefore + 10, handled("hello"));
            assertEquals("only /first reached the back-end", 1, backend.requests());

            Response bye = c.send(request("/bye", "X-Switchboard-Hand-Back: 1")).read();
            assertTrue(bye.body, bye.body.contains("handing the flow back"));
            assertEquals("backend /after", c.send(request("/after")).read().body.trim());
        }
    }

    @Test
    public void uninstallingTheHandlerUnderTrafficSendsItsFlowsBackWithNoFailedRequest() throws Exception {
        installExamplePlugins();
        Bundle hello = installed.get(1);
        int clients = 4;
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger fromHello = new AtomicInteger();
        AtomicInteger fromBackend = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long fallbacksBefore = switchboard.stats().fallbacks();
        long deadline = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (RawHttpClient c = new RawHttpClient(port)) {
                    c.send(request("/claim", "X-Switchboard-Type: hello")).read();
                    while (System.nanoTime() < deadline) {
                        Response r = c.send(request("/x")).read();
                        if (r == null || r.status != 200) {
                            failures.incrementAndGet();
                            return;
                        }
                        (r.body.startsWith("hello") ? fromHello : fromBackend).incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        await("requests served by hello", () -> fromHello.get() > 50);
        hello.uninstall();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals("failed requests", 0, failures.get());
        assertTrue("requests served by the back-end after the handler went: " + fromBackend.get(), fromBackend.get() > 0);
        assertEquals(clients, switchboard.stats().fallbacks() - fallbacksBefore);
    }

    @Test
    public void aHandlerWithThreadsOfItsOwnIsFedThroughItsRing() throws Exception {
        installClassifier();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FlowHandler.TYPE, "ringed");
        props.put(FlowHandler.THREADS, 2);
        registered.add(context.registerService(FlowHandler.class, (flow, message) -> message.reply(200, "text/plain",
                ByteBuffer.wrap((Thread.currentThread().getName() + "\n").getBytes(StandardCharsets.UTF_8))), props));
        await("handler ringed", () -> hasType("ringed"));
        try (RawHttpClient c = new RawHttpClient(port)) {
            String first = c.send(request("/r", "X-Switchboard-Type: ringed")).read().body.trim();
            assertTrue(first, first.startsWith("sb-bus-ringed-"));
            for (int i = 0; i < 5; i++) {
                assertEquals("one flow, one thread", first, c.send(request("/r" + i)).read().body.trim());
            }
        }
    }

    @Test
    public void aThrowingOrSlowClassifierLeavesRequestsOnTheDefaultPath() throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("service.ranking", 100);
        registered.add(context.registerService(RequestClassifier.class, (flow, message) -> {
            throw new IllegalStateException("classifier bug");
        }, props));
        long failuresBefore = classifierStats.failures();
        try (RawHttpClient c = new RawHttpClient(port)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, c.send(request("/t" + i)).read().status);
            }
        }
        assertEquals(3, classifierStats.failures() - failuresBefore);
        registered.remove(0).unregister();

        registered.add(context.registerService(RequestClassifier.class, (flow, message) -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "hello";
        }, props));
        long slowBefore = classifierStats.slow();
        try (RawHttpClient c = new RawHttpClient(port)) {
            // The first calls of a classifier are exempt from the budget (class loading); the next is not.
            for (int i = 0; i < 5; i++) {
                Response r = c.send(request("/slow" + i)).read();
                assertEquals("backend /slow" + i, r.body.trim());
            }
        }
        assertEquals("slow once, then resting", 1, classifierStats.slow() - slowBefore);
    }

    @Test
    public void aThrowingHandlerClosesItsFlowWith502AndOthersGoOn() throws Exception {
        installClassifier();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FlowHandler.TYPE, "boom");
        registered.add(context.registerService(FlowHandler.class, (flow, message) -> {
            throw new IllegalStateException("handler bug");
        }, props));
        await("handler boom", () -> hasType("boom"));
        try (RawHttpClient ok = new RawHttpClient(port); RawHttpClient bad = new RawHttpClient(port)) {
            assertEquals(200, ok.send(request("/a")).read().status);
            Response r = bad.send(request("/b", "X-Switchboard-Type: boom")).read();
            assertEquals(r.head + r.body, 502, r.status);
            assertTrue(r.body, r.body.contains("handler boom failed"));
            assertTrue(bad.closedByServer());
            assertEquals(200, ok.send(request("/c")).read().status);
        }
    }

    @Test
    public void aTypeWithNoHandlerIsServedByTheDefaultHandler() throws Exception {
        installClassifier();
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertEquals("backend /n", c.send(request("/n", "X-Switchboard-Type: nobody")).read().body.trim());
        }
    }
}
