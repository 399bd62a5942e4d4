package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.systest.netns.Connections;
import io.switchboard.systest.netns.RouterTopology;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router in front of dispatchers (claims 2, 26–31, 39–41), for real: a client namespace, a
 * router namespace with an ECMP route to the VIP over three dispatcher namespaces that each carry the
 * VIP on their loopback and run the exported runtime, and nginx back-ends in a namespace of their
 * own. Plain runtimes, no dispatcher cluster: what is shown is the router's part (every connection
 * lands on some dispatcher, by a hash of its ports, and a dispatcher taken out of the route gets
 * nothing while the others keep the VIP and their own connections). Skips without root.
 */
class RouterSystemIT {
    private static RouterTopology net;
    private static NginxBackends backends;
    private static DispatcherFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        if (RouterTopology.unavailableReason() != null) {
            return; // each test skips, saying why (beforeEach)
        }
        ExternalTools.require("nginx", "curl", "wrk");
        net = RouterTopology.create(3);
        try {
            backends = NginxBackends.inNamespace(net.backends(), RouterTopology.BACKENDS, 2);
            fleet = new DispatcherFleet(net, backends.ports(), "", i -> Map.of());
            System.out.println("[netns] route to the VIP:\n" + net.describeRoute());
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @BeforeEach
    void needsNamespaces() {
        RouterTopology.assumeAvailable();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (fleet != null) {
                fleet.close();
            }
            if (backends != null) {
                backends.close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    @Test
    void connectionsFromManyClientPortsReachTheBackEndsThroughEveryDispatcher() throws Exception {
        long[] before = accepted();
        List<Connections.Answer> answers = Connections.get(net.client(), DispatcherFleet.URL, 90);
        Map<String, Integer> per = Connections.perDispatcher(answers);
        System.out.println("[netns] 90 connections per dispatcher: " + per);
        assertTrue(answers.stream().allMatch(a -> a.status() == 200), "every connection to the VIP is answered 200: " + answers);
        assertEquals(90, answers.stream().map(Connections.Answer::localPort).distinct().count(), "90 source ports");
        for (int i = 1; i <= 3; i++) {
            int seen = per.getOrDefault("d" + i, 0);
            assertTrue(seen > 0, "the L4 hash gives dispatcher d" + i + " some of 90 connections: " + per);
            assertEquals(seen, fleet.accepted(i) - before[i], "d" + i + "'s own count of accepted connections is what the client saw");
        }
        Set<String> served = answers.stream().map(Connections.Answer::backend).collect(Collectors.toSet());
        assertEquals(Set.of("8001", "8002"), served, "both back-ends in the back-end namespace served");
    }

    @Test
    void aDispatcherWhoseLinkIsDownGetsNothingAndTheVipStaysReachableThroughTheOthers() throws Exception {
        net.linkDown(2);
        try {
            long before = fleet.accepted(2);
            List<Connections.Answer> answers = Connections.get(net.client(), DispatcherFleet.URL, 45);
            Map<String, Integer> per = Connections.perDispatcher(answers);
            System.out.println("[netns] d2's link down, 45 connections: " + per);
            assertTrue(answers.stream().allMatch(a -> a.status() == 200), "the VIP answers every connection: " + answers);
            assertEquals(Set.of("d1", "d3"), per.keySet(), "only d1 and d3 carry connections: " + per);
            assertEquals(before, fleet.accepted(2), "d2 accepted nothing while its link was down");
        } finally {
            net.linkUp(2);
        }
        awaitDispatcherServes(2);
    }

    @Test
    void aDispatcherWithdrawnUnderLoadCostsOnlyItsOwnConnections() throws Exception {
        WrkRun load = WrkRun.start(RouterTopology.in(net.client()), DispatcherFleet.URL, 24, 60);
        long onWithdrawn;
        WrkRun.Summary s;
        try {
            Thread.sleep(2_000);
            onWithdrawn = fleet.open(3);
            net.withdraw(3);
            Thread.sleep(500);
            long accepted = fleet.accepted(3);
            Thread.sleep(3_000);
            // its old connections' next packets went to d1 or d2, which reset them; wrk connects anew
            assertEquals(accepted, fleet.accepted(3), "the withdrawn dispatcher accepts no new connection");
        } finally {
            s = load.stop();
            net.restore(3);
        }
        System.out.println("[netns] wrk while d3 was withdrawn (" + onWithdrawn + " of 24 connections on it): " + s.requests()
                + " requests, " + s.non2xx() + " non-2xx, " + s.socketErrors() + " socket errors");
        assertEquals(0, s.non2xx(), s.text());
        assertTrue(s.requests() > 1_000, "traffic flowed: " + s.text());
        if (net.resilient()) {
            // a resilient nexthop group moves only the leaver's buckets: the survivors' flows stay where they are
            assertTrue(s.socketErrors() <= onWithdrawn, "at most the " + onWithdrawn + " connections on d3 failed:\n" + s.text());
        }
        awaitDispatcherServes(3);
    }

    @Test
    void aPartitionCutsADispatcherOffTheSyncNetworkAndAHealJoinsItAgain() throws Exception {
        assertEquals(200, fleet.adminStatusOverSync(1, 2), "d1 reaches d2 over the sync network");
        net.partition(1);
        try {
            assertEquals(0, fleet.adminStatusOverSync(1, 2), "partitioned, d1 cannot reach d2");
            assertEquals(0, fleet.adminStatusOverSync(3, 1), "partitioned, d3 cannot reach d1");
            assertEquals(200, fleet.adminStatusOverSync(2, 3), "d2 and d3 still reach each other");
            List<Connections.Answer> answers = Connections.get(net.client(), DispatcherFleet.URL, 30);
            assertTrue(answers.stream().allMatch(a -> a.status() == 200), "the VIP keeps answering: " + answers);
        } finally {
            net.heal(1);
        }
        assertEquals(200, fleet.adminStatusOverSync(1, 2), "healed, d1 reaches d2 again");
        assertEquals(200, fleet.adminStatusOverSync(3, 1), "healed, d3 reaches d1 again");
    }

    /** Waits until a dispatcher back in the route carries connections again (idle hash buckets move to it). */
    private static void awaitDispatcherServes(int i) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        Map<String, Integer> per = Map.of();
        while (System.nanoTime() < deadline) {
            List<Connections.Answer> answers = Connections.get(net.client(), DispatcherFleet.URL, 15);
            assertTrue(answers.stream().allMatch(a -> a.status() == 200), "the VIP answers every connection: " + answers);
            per = Connections.perDispatcher(answers);
            if (per.containsKey("d" + i)) {
                return;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError("d" + i + " back in the route carries no connection within 20 s: " + per);
    }

    private static long[] accepted() throws Exception {
        long[] counts = new long[4];
        for (int i = 1; i <= 3; i++) {
            counts[i] = fleet.accepted(i);
        }
        return counts;
    }
}
