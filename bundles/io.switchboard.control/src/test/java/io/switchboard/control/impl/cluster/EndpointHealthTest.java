package io.switchboard.control.impl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.control.impl.config.ClusterSettings;
import io.switchboard.support.config.ConfigProblem;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drain, active checks and agents, through the cluster manager, against real sockets on 127.0.0.1. */
class EndpointHealthTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final ClusterManager m = new ClusterManager();
    private final List<ServerSocket> servers = new java.util.ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        m.deactivate();
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    private ServerSocket listening() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        servers.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    s.accept().close();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** An agent that answers what {@code answer} holds at the time of each poll. */
    private ServerSocket agent(AtomicReference<String> answer) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        servers.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    OutputStream o = c.getOutputStream();
                    o.write(answer.get().getBytes(StandardCharsets.ISO_8859_1));
                    o.flush();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    private ClusterSpec spec(String... keyValues) throws ConfigProblem {
        Map<String, Object> p = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        p.putIfAbsent("name", "api");
        return ClusterSettings.parse(p);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private Set<String> chosen(int times) {
        Set<String> ids = new HashSet<>();
        ClusterSnapshot s = m.cluster("api");
        for (int i = 0; i < times; i++) {
            Endpoint e = s.choose(null, Set.of());
            ids.add(e == null ? "none" : e.id());
        }
        return ids;
    }

    private Endpoint endpoint(String id) {
        for (Endpoint e : m.cluster("api").endpoints()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new AssertionError(id);
    }

    @Test
    void aDrainedEndpointGetsNoNewWorkUntilEnabled() throws Exception {
        m.put(spec("endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002"));
        assertEquals(Set.of("a", "b"), chosen(10));
        String said = m.drain("b");
        assertTrue(said.startsWith("drained api/b"), said);
        assertEquals(Set.of("a"), chosen(20));
        assertEquals(EndpointStatus.Admin.DRAINED, m.cluster("api").status(endpoint("b")).admin());
        assertFalse(m.cluster("api").status(endpoint("b")).eligible());
        assertTrue(m.drain("nosuch/b").startsWith("no cluster nosuch"));
        assertTrue(m.drain("zz").startsWith("no endpoint zz"));
        m.drain("api/127.0.0.1:9001");
        assertEquals(Set.of("none"), chosen(5), "every endpoint drained: nothing is chosen (a 503), rather than a drained one");
        m.enable("a");
        m.enable("b");
        assertEquals(Set.of("a", "b"), chosen(10));
    }

    @Test
    void aDrainLastsAcrossAnEditOfTheClusterThatKeepsTheEndpoint() throws Exception {
        m.put(spec("endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002"));
        m.drain("b");
        m.put(spec("endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002, c=127.0.0.1:9003"));
        assertEquals(Set.of("a", "c"), chosen(20));
    }

    @Test
    void anActiveCheckTakesADeadEndpointOutAndBringsItBackAfterRise() throws Exception {
        m.startProbes();
        ServerSocket a = listening();
        int deadPort = closedPort();
        m.put(spec("endpoints", "a=127.0.0.1:" + a.getLocalPort() + ", b=127.0.0.1:" + deadPort,
                "healthCheck", "tcp", "healthIntervalMillis", "100", "healthTimeoutMillis", "100", "fall", "2", "rise", "2"));
        await("b checked down", () -> m.cluster("api").status(endpoint("b")).check() == EndpointStatus.Check.DOWN);
        assertEquals(Set.of("a"), chosen(20));
        assertTrue(m.cluster("api").down(endpoint("b")));
        assertTrue(m.cluster("api").status(endpoint("b")).checkDetail().contains("refused"));
        ServerSocket back = new ServerSocket(deadPort, 50, LOOPBACK);
        servers.add(back);
        await("b checked up", () -> m.cluster("api").status(endpoint("b")).check() == EndpointStatus.Check.UP);
        assertEquals(Set.of("a", "b"), chosen(20));
    }

    @Test
    void whenEveryEndpointIsCheckedDownTheyAreAllTriedRatherThanNone() throws Exception {
        m.startProbes();
        m.put(spec("endpoints", "a=127.0.0.1:" + closedPort() + ", b=127.0.0.1:" + closedPort(),
                "healthCheck", "tcp", "healthIntervalMillis", "100", "healthTimeoutMillis", "100", "fall", "1"));
        await("both down", () -> m.cluster("api").status(endpoint("a")).check() == EndpointStatus.Check.DOWN
                && m.cluster("api").status(endpoint("b")).check() == EndpointStatus.Check.DOWN);
        assertNotEquals(Set.of("none"), chosen(10));
    }

    @Test
    void agentsScaleTheWeightsAndGarbageIsIgnoredAndCounted() throws Exception {
        AtomicReference<String> aSays = new AtomicReference<>("up 100%\n");
        AtomicReference<String> bSays = new AtomicReference<>("25%\n");
        ServerSocket agentA = agent(aSays);
        ServerSocket agentB = agent(bSays);
        AtomicReference<List<Endpoint>> given = new AtomicReference<>();
        BalancingPolicy recording = endpoints -> {
            given.set(endpoints);
            return (request, excluded) -> endpoints.get(endpoints.size() - 1);
        };
        Map<String, Object> props = new HashMap<>();
        props.put(BalancingPolicy.NAME, "recording");
        props.put("service.id", 1L);
        m.addPolicy(recording, props);
        m.startProbes();
        m.put(spec("policy", "recording",
                "endpoints", "a=127.0.0.1:9001;agent=" + agentA.getLocalPort() + ", b=127.0.0.1:9002;weight=2;agent=" + agentB.getLocalPort(),
                "agentIntervalMillis", "100", "agentTimeoutMillis", "100", "agentStaleSeconds", "1"));
        await("weights from agents", () -> m.cluster("api").status(endpoint("b")).weight() == 50
                && m.cluster("api").status(endpoint("a")).weight() == 100);
        Endpoint chosen = m.cluster("api").choose(null, Set.of());
        m.cluster("api").choose(null, Set.of()); // the balancer is built by the thread that uses it
        assertEquals("b", chosen.id());
        assertEquals(2, chosen.weight(), "requests get the configured endpoint, not the policy's weighted view");
        assertEquals(50, given.get().get(1).weight());

        bSays.set("banana\n");
        long before = m.cluster("api").status(endpoint("b")).agentProblems();
        await("garbage counted", () -> m.cluster("api").status(endpoint("b")).agentProblems() > before + 2);
        assertTrue(m.cluster("api").status(endpoint("b")).agentProblem().contains("garbage"));
        assertEquals(50, m.cluster("api").status(endpoint("b")).weight(), "the last good weight is kept until stale");
        await("stale: configured weight", () -> m.cluster("api").status(endpoint("b")).weight() == 200);

        aSays.set("0%\n");
        bSays.set("0%\n");
        await("floor", () -> m.cluster("api").status(endpoint("a")).agentReport() != null
                && m.cluster("api").status(endpoint("a")).agentReport().equals("0%")
                && m.cluster("api").status(endpoint("b")).agentReport() != null
                && m.cluster("api").status(endpoint("b")).agentReport().equals("0%"));
        assertEquals(1, m.cluster("api").status(endpoint("a")).weight(), "every agent at 0 %: the configured weights apply");
        assertEquals(2, m.cluster("api").status(endpoint("b")).weight());
        assertNotEquals(Set.of("none"), chosen(5), "not blackholed");

        bSays.set("drain\n");
        await("agent drain", () -> !m.cluster("api").status(endpoint("b")).eligible());
        assertEquals(Set.of("a"), chosen(10));
    }

    @Test
    void badHealthSettingsAreRejectedWithTheKey() {
        assertProblem("healthCheck", "healthCheck", "ping");
        assertProblem("healthPath", "healthPath", "status");
        assertProblem("healthStatus", "healthStatus", "2xx");
        assertProblem("healthStatus", "healthStatus", "700");
        assertProblem("healthTimeoutMillis", "healthIntervalMillis", "200", "healthTimeoutMillis", "500");
        assertProblem("rise", "rise", "0");
        assertProblem("agentPort", "agentPort", "70000");
        assertProblem("endpoints", "endpoints", "127.0.0.1:80;agent=x");
        assertProblem("endpoints", "endpoints", "127.0.0.1:80;weight=2;weight=3");
    }

    private void assertProblem(String key, String... keyValues) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", "api");
        p.put("endpoints", "127.0.0.1:80");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        try {
            ClusterSettings.parse(p);
            throw new AssertionError("accepted " + p);
        } catch (ConfigProblem e) {
            assertEquals(key, e.key(), e.getMessage());
        }
    }

    private static void fail(ClusterSnapshot s, Endpoint e, int times) {
        for (int i = 0; i < times; i++) {
            s.counters(e).started();
            s.counters(e).finished(false);
        }
    }

    @Test
    void passiveEjectionNeverTakesOutMoreThanItsShareAndBacksOff() throws Exception {
        m.put(spec("endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002, c=127.0.0.1:9003", "maxFails", "3", "failTimeoutSeconds", "1"));
        ClusterSnapshot s = m.cluster("api");
        fail(s, endpoint("a"), 5);
        fail(s, endpoint("b"), 3);
        assertTrue(s.down(endpoint("a")), "the worst one is ejected");
        assertFalse(s.down(endpoint("b")), "50 % of 3 endpoints: only one may be out at once");
        assertEquals(Set.of("b", "c"), chosen(20));

        m.put(spec("endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002, c=127.0.0.1:9003", "maxFails", "3", "failTimeoutSeconds", "1",
                "maxEjectionPercent", "100"));
        s = m.cluster("api");
        assertTrue(s.down(endpoint("a")) && s.down(endpoint("b")), "counters outlive the edit; the budget is larger now");
        m.watchOutliers(); // the watch notes when their ejections end
        Thread.sleep(1_200);
        assertFalse(m.cluster("api").down(endpoint("a")), "ejected once: tried again after failTimeoutSeconds");
        fail(m.cluster("api"), endpoint("a"), 1);
        assertTrue(m.cluster("api").down(endpoint("a")), "it failed again: out at once");
        m.watchOutliers(); // ... and the watch doubles its ejection
        Thread.sleep(1_200);
        assertTrue(m.cluster("api").down(endpoint("a")), "backoff: out for 2 s this time");
        m.cluster("api").counters(endpoint("a")).started();
        m.cluster("api").counters(endpoint("a")).finished(true);
        assertFalse(m.cluster("api").down(endpoint("a")), "a success brings it back at once");
        m.watchOutliers();
        fail(m.cluster("api"), endpoint("a"), 3);
        m.watchOutliers();
        Thread.sleep(1_200);
        assertFalse(m.cluster("api").down(endpoint("a")), "the success reset the backoff");
    }

    @Test
    void anEndpointFailingAtTheConfiguredRateIsEjectedThoughNeverThreeInARow() throws Exception {
        m.put(spec("endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002", "ejectErrorPercent", "50", "ejectMinRequests", "10"));
        ClusterSnapshot s = m.cluster("api");
        m.watchOutliers();
        for (int i = 0; i < 12; i++) {
            s.counters(endpoint("a")).started();
            s.counters(endpoint("a")).finished(i % 3 != 0); // a third fail: under the rate
            s.counters(endpoint("b")).started();
            s.counters(endpoint("b")).finished(i % 3 == 0); // two thirds fail, never three in a row
        }
        m.watchOutliers();
        assertFalse(m.cluster("api").down(endpoint("a")));
        assertTrue(m.cluster("api").down(endpoint("b")), "ejected for its error rate");
        assertEquals(Set.of("a"), chosen(10));
        m.enable("b");
        assertFalse(m.cluster("api").down(endpoint("b")), "the operator's enable clears passive ejections");
    }

    @Test
    void anEndpointThatComesBackRampsUpBySlowStart() throws Exception {
        m.put(spec("policy", "weighted-round-robin", "endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002;weight=2", "slowStartSeconds", "2"));
        assertEquals(2, m.cluster("api").status(endpoint("b")).weight(), "no ramp when the cluster starts");
        m.drain("b");
        m.enable("b");
        int first = m.cluster("api").status(endpoint("b")).weight();
        assertTrue(first >= 20 && first < 60, "10 % of weight 2 (as 200) at first: " + first);
        assertEquals(100, m.cluster("api").status(endpoint("a")).weight(), "the others at full weight, scaled alike");
        await("ramping", () -> {
            int w = m.cluster("api").status(endpoint("b")).weight();
            return w > first && w < 200;
        });
        await("full weight", () -> m.cluster("api").status(endpoint("b")).weight() == 2);
        m.put(spec("policy", "weighted-round-robin", "endpoints", "a=127.0.0.1:9001, b=127.0.0.1:9002;weight=2, c=127.0.0.1:9003",
                "slowStartSeconds", "2"));
        assertTrue(m.cluster("api").status(endpoint("c")).weight() < 100, "an endpoint added to a running cluster ramps too");
    }

    @Test
    void aDistributionAlgorithmTurnsJsonReportsIntoWeights() throws Exception {
        AtomicReference<String> aSays = new AtomicReference<>("{\"capacityPercent\":90,\"cpuPercent\":10,\"state\":\"up\"}\n");
        AtomicReference<String> bSays = new AtomicReference<>("{\"capacityPercent\":90,\"cpuPercent\":70,\"state\":\"up\"}\n");
        ServerSocket agentA = jsonAgent(aSays);
        ServerSocket agentB = jsonAgent(bSays);
        AtomicReference<List<io.switchboard.api.distribution.LoadReport>> seen = new AtomicReference<>();
        AtomicReference<Boolean> explode = new AtomicReference<>(false);
        io.switchboard.api.distribution.LoadDistribution byCpu = (cluster, reports, previous) -> {
            if (explode.get()) {
                throw new IllegalStateException("boom");
            }
            seen.set(reports);
            Map<String, Integer> out = new HashMap<>();
            reports.forEach(r -> out.put(r.endpoint().id(), (int) Math.round(100 - r.cpuPercent())));
            return out;
        };
        Map<String, Object> props = new HashMap<>();
        props.put(io.switchboard.api.distribution.LoadDistribution.NAME, "by-cpu");
        m.startProbes();
        m.put(spec("endpoints", "a=127.0.0.1:9001;agent=" + agentA.getLocalPort() + ", b=127.0.0.1:9002;agent=" + agentB.getLocalPort(),
                "agentFormat", "json", "distribution", "by-cpu", "agentIntervalMillis", "100", "agentTimeoutMillis", "100"));
        await("the agents' stated capacity, while the algorithm is missing", () -> m.cluster("api").status(endpoint("b")).weight() == 90);
        m.addDistribution(byCpu, props);
        await("weights from the algorithm", () -> m.cluster("api").status(endpoint("a")).weight() == 90
                && m.cluster("api").status(endpoint("b")).weight() == 30);
        assertEquals(2, seen.get().size());
        assertEquals(70.0, seen.get().stream().filter(r -> r.endpoint().id().equals("b")).findFirst().get().cpuPercent());
        explode.set(true);
        bSays.set("{\"capacityPercent\":90,\"cpuPercent\":20,\"state\":\"up\"}\n");
        Thread.sleep(500);
        assertEquals(30, m.cluster("api").status(endpoint("b")).weight(), "an algorithm that throws leaves the weights as they were");
        explode.set(false);
        await("it decides again", () -> m.cluster("api").status(endpoint("b")).weight() == 80);
    }

    /** An agent that answers the JSON report to a "json" line, and garbage to anything else. */
    private ServerSocket jsonAgent(AtomicReference<String> report) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        servers.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    c.setSoTimeout(1000);
                    byte[] ask = new byte[5];
                    int n = c.getInputStream().readNBytes(ask, 0, 5);
                    String answer = n == 5 && new String(ask, StandardCharsets.US_ASCII).equals("json\n") ? report.get() : "what?\n";
                    c.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }

    @Test
    void badDistributionSettingsAreRejected() {
        assertProblem("agentFormat", "agentFormat", "xml");
        assertProblem("distribution", "distribution", "damped");
        assertProblem("distribution", "agentPort", "5555", "distribution", "no way");
        assertProblem("slowStartSeconds", "slowStartSeconds", "-1");
        assertProblem("maxEjectionPercent", "maxEjectionPercent", "101");
    }
}
