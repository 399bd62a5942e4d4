package io.switchboard.cluster.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.dispatch.DispatchEntry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real JGroups groups of dispatchers on 127.0.0.1 (TCP, static member list, free ports), in this
 * JVM: what the table does when peers join late, race, send garbage, get cut off and come back, and
 * when updates come faster than they can be sent.
 */
class GroupTest {
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    /** One dispatcher: its table service and its group membership. */
    final class Node {
        final String name;
        final LocalTable table = new LocalTable();
        final SyncStats stats = new SyncStats();
        final GroupMember member;
        final ClusteredTable service;
        String fingerprint = "web=app1,app2,app3";

        Node(String name, DispatcherSettings s) {
            this.name = name;
            HybridClock clock = new HybridClock();
            member = new GroupMember(s, table, clock, stats, () -> fingerprint, m -> log.add(name + " INFO " + m),
                    m -> log.add(name + " WARN " + m));
            service = new ClusteredTable(s, table, clock, stats, member, m -> log.add(name + " WARN " + m));
        }

        String join() throws Exception {
            String refused = member.join();
            if (refused == null) {
                service.start();
            }
            return refused;
        }

        void close() {
            service.stop();
            member.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private List<Node> group(int n, Map<String, String> extra) throws Exception {
        int[] ports = new int[n];
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ports[i] = freePort();
            members.append(i == 0 ? "" : ",").append("127.0.0.1[").append(ports[i]).append(']');
        }
        String group = "test-" + ports[0];
        List<Node> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> props = new HashMap<>(Map.of("enabled", "true", "group", group, "node", "d" + (i + 1),
                    "bindPort", Integer.toString(ports[i]), "members", members.toString(), "joinTimeoutMillis", "5000"));
            props.putAll(extra);
            Node node = new Node("d" + (i + 1), DispatcherSettings.parse(props));
            made.add(node);
            nodes.add(node);
        }
        return made;
    }

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
        log.forEach(System.out::println);
    }

    private static void await(String what, long millis, BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(what + " not within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }

    private static Map<String, String> endpoints(Node n) {
        Map<String, String> m = new HashMap<>();
        for (DispatchEntry e : n.table.snapshot()) {
            m.put(e.cluster() + "/" + e.client(), e.endpoint());
        }
        return m;
    }

    @Test
    void aLateJoinerHasTheWholeTableWhenItsJoinReturns() throws Exception {
        List<Node> g = group(3, Map.of());
        assertNull(g.get(0).join());
        for (int i = 0; i < 2000; i++) {
            g.get(0).service.record("web", "10.0.0." + i, "app" + (i % 3 + 1));
        }
        assertNull(g.get(1).join());
        await("d1's updates at d2", 10_000, () -> g.get(1).table.size() == 2000);
        g.get(1).service.record("web", "10.1.0.1", "app2");
        assertNull(g.get(2).join());
        // no waiting: the state transfer gave it everything before join() returned
        assertEquals(2001, g.get(2).table.size());
        assertEquals(endpoints(g.get(1)), endpoints(g.get(2)));
        assertEquals("app2", g.get(2).table.get("web", "10.1.0.1").endpoint());
    }

    /**
     * The group's coordinator stops answering (dead, but not yet seen dead: it drops everything, its
     * failure detection socket stays open): a joiner is let in by nobody, yet discovery finds the
     * other member. It does not take a group of its own for the first of a group: it joins again until
     * groupWaitSeconds run out, then says why it is alone. The first of a group does not wait at all.
     */
    @Test
    void aJoinerNobodyLetsInWaitsGroupWaitSecondsAndSaysWhy() throws Exception {
        List<Node> g = group(3, Map.of("groupWaitSeconds", "8"));
        long t0 = System.nanoTime();
        assertNull(g.get(0).join());
        long firstMillis = (System.nanoTime() - t0) / 1_000_000;
        assertNull(g.get(0).member.aloneWhy(), "the first of a group found nobody and is not alone for a reason");
        assertTrue(firstMillis < 8000, "the first of a group does not wait for groupWaitSeconds: " + firstMillis + " ms");
        assertTrue(log.stream().noneMatch(l -> l.startsWith("d1 ") && l.contains("discovery finds")), log.toString());
        assertNull(g.get(1).join());
        await("a view of two", 10_000, () -> g.get(1).member.view().size() == 2);
        g.get(0).service.record("web", "10.0.0.1", "app1");
        await("the entry at d2", 5000, () -> g.get(1).table.size() == 1);
        ProtocolStack stack = g.get(0).member.channel().getProtocolStack();
        DISCARD silent = new DISCARD().discardAll(true);
        stack.insertProtocol(silent, ProtocolStack.Position.ABOVE, TP.class);
        t0 = System.nanoTime();
        assertNull(g.get(2).join());
        long waited = (System.nanoTime() - t0) / 1_000_000;
        String why = g.get(2).member.aloneWhy();
        System.out.println("joiner alone after " + waited + " ms: " + why + "; d2's view " + g.get(1).member.view() + "; d3's view " + g.get(2).member.view());
        assertNotNull(why, "alone although discovery found d2: " + log);
        assertTrue(why.contains("[d2]") && why.contains("8 s (groupWaitSeconds)"), why);
        assertTrue(waited >= 8000, "it asked again for groupWaitSeconds: " + waited + " ms");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("d3 INFO") && l.contains("discovery finds [d2], but none let this dispatcher in")), log.toString());
    }

    @Test
    void entriesAndRemovalsReachEveryPeerAndRacesEndOnOneEndpoint() throws Exception {
        List<Node> g = group(3, Map.of());
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of three", 10_000, () -> g.get(0).member.view().size() == 3);
        DispatchEntry e = g.get(0).service.record("web", "192.0.2.1", "app1");
        assertEquals("app1", e.endpoint());
        await("the entry at d2 and d3", 5000, () -> g.get(1).table.get("web", "192.0.2.1") != null && g.get(2).table.get("web", "192.0.2.1") != null);
        assertEquals("d1", g.get(2).table.get("web", "192.0.2.1").owner());
        // a peer's entry is in force: d2's own choice gives way to it
        assertEquals("app1", g.get(1).service.record("web", "192.0.2.1", "app3").endpoint());
        assertTrue(g.get(1).service.end("web", "192.0.2.1"));
        await("the removal everywhere", 5000, () -> g.stream().allMatch(n -> n.table.get("web", "192.0.2.1") == null));

        // 200 clients whose first connections reach d1 and d2 at the same moment, each choosing differently
        CountDownLatch go = new CountDownLatch(1);
        Thread[] racers = new Thread[2];
        for (int r = 0; r < 2; r++) {
            Node n = g.get(r);
            String endpoint = "app" + (r + 1);
            racers[r] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException x) {
                    return;
                }
                for (int i = 0; i < 200; i++) {
                    n.service.record("web", "198.51.100." + i, endpoint);
                }
            });
            racers[r].start();
        }
        go.countDown();
        for (Thread t : racers) {
            t.join();
        }
        await("every table with 200 equal entries", 10_000, () -> g.stream().allMatch(n -> n.table.size() == 200)
                && endpoints(g.get(0)).equals(endpoints(g.get(1))) && endpoints(g.get(1)).equals(endpoints(g.get(2))));
    }

    /**
     * The client lock: a new client seen at once by the two dispatchers that do not own its key, whose
     * views of the endpoints differ (each would choose another endpoint), gets one endpoint, the owner's:
     * both lock it, broadcast the lock, wait without blocking a thread, and take the owner's entry.
     */
    @Test
    void aNewClientLockedAtTwoDispatchersAtOnceGetsTheOwnersOneDecision() throws Exception {
        List<Node> g = group(3, Map.of("lockWaitMillis", "5000"));
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of three", 10_000, () -> g.stream().allMatch(n -> n.member.view().size() == 3));
        for (int i = 0; i < 3; i++) {
            String mine = "app" + (i + 1); // each dispatcher's own view: a different endpoint for every client
            g.get(i).service.decider((cluster, client) -> mine);
        }
        int clients = 0;
        for (int i = 0; clients < 60; i++) {
            String client = "203.0.113." + i;
            String key = LocalTable.key("web", client);
            String owner = g.get(0).member.lockOwner(key);
            assertEquals(owner, g.get(1).member.lockOwner(key), "every member names the same owner");
            Node decider = g.stream().filter(n -> n.name.equals(owner)).findFirst().orElseThrow();
            List<Node> others = new ArrayList<>(g);
            others.remove(decider);
            assertNull(decider.service.awaitDecision("web", client) == null ? null : "", "the owner decides at once");
            CountDownLatch go = new CountDownLatch(1);
            List<java.util.concurrent.CompletableFuture<DispatchEntry>> waits = new CopyOnWriteArrayList<>();
            Thread[] racers = new Thread[2];
            for (int r = 0; r < 2; r++) {
                Node n = others.get(r);
                racers[r] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException x) {
                        return;
                    }
                    java.util.concurrent.CompletionStage<DispatchEntry> w = n.service.awaitDecision("web", client);
                    // null: the owner's entry is here already (the other waiter's lock made it decide): no wait
                    waits.add(w == null ? java.util.concurrent.CompletableFuture.completedFuture(n.table.get("web", client)) : w.toCompletableFuture());
                });
                racers[r].start();
            }
            go.countDown();
            for (Thread t : racers) {
                t.join();
            }
            DispatchEntry a = waits.get(0).get(10, java.util.concurrent.TimeUnit.SECONDS);
            DispatchEntry b = waits.get(1).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull(a, client + ": a decision, not a timeout");
            assertNotNull(b, client + ": a decision, not a timeout");
            String expected = "app" + (g.indexOf(decider) + 1);
            assertEquals(expected, a.endpoint(), client + ": the owner's choice");
            assertEquals(expected, b.endpoint(), client + ": the owner's choice at the other waiter");
            assertEquals(owner, a.owner());
            clients++;
        }
        await("equal tables, no lock left", 10_000, () -> g.stream().allMatch(n -> n.table.size() == 60 && n.service.locks().isEmpty())
                && endpoints(g.get(0)).equals(endpoints(g.get(1))) && endpoints(g.get(1)).equals(endpoints(g.get(2))));
        long requests = 0;
        long timeouts = 0;
        for (Node n : g) {
            requests += n.service.counters().get("lock_requests");
            timeouts += n.service.counters().get("lock_timeouts");
            assertEquals(0, n.stats.conflicts.sum(), n.name + ": no entry was replaced by another endpoint");
        }
        assertTrue(requests >= 60, "a lock per client at least: " + requests);
        assertEquals(0, timeouts);
        System.out.println("[lock race] lock requests " + requests + ", lost " + g.stream().mapToLong(n -> n.stats.locksLost.sum()).sum()
                + ", waits " + g.stream().mapToLong(n -> n.stats.lockWaits.sum()).sum());
    }

    /** The owner gives no decision (no endpoint may serve there): the wait runs out after lockWaitMillis, counted, and the lock goes. */
    @Test
    void aLockWaitRunsOutAfterLockWaitMillisWithoutBlockingAThread() throws Exception {
        List<Node> g = group(2, Map.of("lockWaitMillis", "300"));
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of two", 10_000, () -> g.stream().allMatch(n -> n.member.view().size() == 2));
        g.forEach(n -> n.service.decider((cluster, client) -> null));
        String client = null;
        Node waiter = null;
        for (int i = 0; waiter == null; i++) {
            String c = "198.18.0." + i;
            String owner = g.get(0).member.lockOwner(LocalTable.key("web", c));
            if (!owner.equals("d1")) {
                client = c;
                waiter = g.get(0);
            }
        }
        long t0 = System.nanoTime();
        java.util.concurrent.CompletionStage<DispatchEntry> w = waiter.service.awaitDecision("web", client);
        long returnedNanos = System.nanoTime() - t0;
        assertNotNull(w, "d1 does not own the key: it waits");
        assertTrue(returnedNanos < 100_000_000L, "awaitDecision returns at once: " + returnedNanos / 1000 + " µs");
        String c = client;
        assertTrue(waiter.service.locks().stream().anyMatch(l -> l.client().equals(c) && l.holder().equals("d1") && l.owner().equals("d2")),
                waiter.service.locks().toString());
        DispatchEntry decided = w.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertNull(decided, "no decision: the wait ran out");
        assertTrue(waitedMillis >= 290, "waited " + waitedMillis + " ms");
        Node d1 = waiter;
        await("the timeout counted, the lock gone", 5000, () -> d1.service.counters().get("lock_timeouts") == 1 && d1.service.locks().isEmpty());
        // the fallback: the waiting dispatcher decides itself, and that entry reaches the peer as any other
        assertEquals("app2", waiter.service.record("web", client, "app2").endpoint());
        await("the fallback's entry at d2, its lock gone", 5000, () -> g.get(1).table.get("web", c) != null && g.get(1).service.locks().isEmpty());
        assertNull(waiter.service.awaitDecision("web", client), "a client with an entry never waits");
    }

    @Test
    void aPeerThatSendsAMalformedUpdateIsIgnoredUntilItResyncs() throws Exception {
        List<Node> g = group(2, Map.of("maxUpdateBytes", "4096"));
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of two", 10_000, () -> g.get(1).member.view().size() == 2);
        g.get(0).member.sendRaw(new byte[] {1, 2, 3, 4, 5});
        await("the malformed update counted", 5000, () -> g.get(1).stats.malformed.sum() == 1);
        Peer d1 = g.get(1).member.peers().get("d1");
        assertFalse(d1.trusted);
        await("the log line", 5000, () -> log.stream().anyMatch(l -> l.startsWith("d2 WARN")
                && l.contains("dropped a malformed update from d1 (not a dispatch table message (bad magic)); its updates are ignored until it resyncs (sb:resync d1)")));
        // oversized: dropped and counted as well
        g.get(0).member.sendRaw(new byte[8192]);
        await("the oversized update counted", 5000, () -> g.get(1).stats.malformed.sum() == 2);
        // what d1 sends now is not applied at d2...
        g.get(0).service.record("web", "203.0.113.9", "app2");
        await("d1's update dropped at d2", 5000, () -> g.get(1).stats.untrustedDropped.sum() == 1);
        assertNull(g.get(1).table.get("web", "203.0.113.9"));
        // ...until d2 asks it for its whole table
        assertTrue(g.get(1).member.requestResync("d1"));
        await("d1 trusted again, its entry at d2", 5000, () -> d1.trusted && g.get(1).table.get("web", "203.0.113.9") != null);
        g.get(0).service.record("web", "203.0.113.10", "app1");
        await("d1's later updates applied", 5000, () -> g.get(1).table.get("web", "203.0.113.10") != null);
    }

    @Test
    void aPeerWithOtherEndpointIdsIsRefusedAtJoin() throws Exception {
        List<Node> g = group(2, Map.of());
        assertNull(g.get(0).join());
        g.get(0).service.record("web", "10.9.9.9", "app1");
        g.get(1).fingerprint = "web=app1,app2,app9";
        String refused = g.get(1).join();
        assertNotNull(refused);
        assertEquals("the group's endpoint ids differ from this dispatcher's (group: web=app1,app2,app3; here: web=app1,app2,app9):"
                + " endpoint ids must be the same on every dispatcher", refused);
        assertEquals(0, g.get(1).table.size());
        await("d1 alone again", 10_000, () -> g.get(0).member.view().size() == 1);
    }

    @Test
    void afterAPartitionHealsTheTablesAreEqualAndNoEntryIsLost() throws Exception {
        List<Node> g = group(3, Map.of());
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of three", 10_000, () -> g.stream().allMatch(n -> n.member.view().size() == 3));
        g.get(0).service.record("web", "before", "app1");
        await("the entry everywhere", 5000, () -> g.stream().allMatch(n -> n.table.size() == 1));
        // cut d1 off from d2 and d3
        Address a1 = g.get(0).member.channel().getAddress();
        Address a2 = g.get(1).member.channel().getAddress();
        Address a3 = g.get(2).member.channel().getAddress();
        List<DISCARD> discards = new ArrayList<>();
        discards.add(discard(g.get(0), a2, a3));
        discards.add(discard(g.get(1), a1));
        discards.add(discard(g.get(2), a1));
        await("two partitions", 60_000, () -> g.get(0).member.view().size() == 1 && g.get(1).member.view().size() == 2);
        // each side writes: new clients, and the same client differently (the later write must win everywhere)
        g.get(0).service.record("web", "only-d1", "app1");
        g.get(1).service.record("web", "only-d2", "app2");
        g.get(2).service.record("web", "both", "app3");
        Thread.sleep(5);
        g.get(0).service.reassign("web", "both", "app1");
        await("the writes inside each side", 5000, () -> g.get(2).table.get("web", "only-d2") != null);
        for (DISCARD d : discards) {
            d.resetIgnoredMembers();
        }
        await("one view again", 60_000, () -> g.stream().allMatch(n -> n.member.view().size() == 3));
        await("equal tables", 10_000, () -> endpoints(g.get(0)).equals(endpoints(g.get(1))) && endpoints(g.get(1)).equals(endpoints(g.get(2))));
        Map<String, String> t = endpoints(g.get(1));
        assertEquals(Map.of("web/before", "app1", "web/only-d1", "app1", "web/only-d2", "app2", "web/both", "app1"), t);
    }

    /**
     * Tombstones: a session ended on one side of a partition does not come back when the other side's
     * whole table arrives at the merge (the removal is the last writer); a client written again after
     * its end, on the other side, keeps that newer entry (last writer wins, a removal included).
     */
    @Test
    void aSessionEndedOnOneSideOfAPartitionStaysEndedAfterTheHeal() throws Exception {
        List<Node> g = group(3, Map.of());
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of three", 10_000, () -> g.stream().allMatch(n -> n.member.view().size() == 3));
        g.get(0).service.record("web", "ended", "app1");
        g.get(0).service.record("web", "ended-then-moved", "app1");
        g.get(0).service.record("web", "kept", "app2");
        await("the entries everywhere", 5000, () -> g.stream().allMatch(n -> n.table.size() == 3));
        Address a1 = g.get(0).member.channel().getAddress();
        Address a2 = g.get(1).member.channel().getAddress();
        Address a3 = g.get(2).member.channel().getAddress();
        List<DISCARD> discards = new ArrayList<>();
        discards.add(discard(g.get(0), a2, a3));
        discards.add(discard(g.get(1), a1));
        discards.add(discard(g.get(2), a1));
        await("two partitions", 60_000, () -> g.get(0).member.view().size() == 1 && g.get(1).member.view().size() == 2);
        // d2's side ends two sessions; d1's side still has them, and writes one of them again afterwards
        assertTrue(g.get(1).service.end("web", "ended"));
        assertTrue(g.get(1).service.end("web", "ended-then-moved"));
        await("the ends at d3", 5000, () -> g.get(2).table.get("web", "ended") == null && g.get(2).table.get("web", "ended-then-moved") == null);
        Thread.sleep(5);
        g.get(0).service.reassign("web", "ended-then-moved", "app3");
        assertEquals(2, g.get(1).service.counters().get("tombstones"));
        for (DISCARD d : discards) {
            d.resetIgnoredMembers();
        }
        await("one view again", 60_000, () -> g.stream().allMatch(n -> n.member.view().size() == 3));
        Map<String, String> expected = Map.of("web/kept", "app2", "web/ended-then-moved", "app3");
        await("equal tables without the ended session", 10_000, () -> g.stream().allMatch(n -> endpoints(n).equals(expected)));
        Thread.sleep(500); // a late full table would bring it back: it must not
        for (Node n : g) {
            assertEquals(expected, endpoints(n), n.name);
        }
        assertTrue(g.get(0).service.counters().get("tombstones") >= 1, "d1 learned the removal");
    }

    /** Tombstones are bounded in time: past tombstoneSeconds they are forgotten by the sweep. */
    @Test
    void tombstonesAreForgottenAfterTombstoneSeconds() throws Exception {
        List<Node> g = group(1, Map.of("tombstoneSeconds", "1", "sessionEnd", "explicit"));
        assertNull(g.get(0).join());
        for (int i = 0; i < 100; i++) {
            g.get(0).service.record("web", "t" + i, "app1");
            assertTrue(g.get(0).service.end("web", "t" + i));
        }
        assertEquals(100, g.get(0).service.counters().get("tombstones"));
        await("the tombstones forgotten", 10_000, () -> g.get(0).service.counters().get("tombstones") == 0);
    }

    /**
     * sessionEnd = close: each dispatcher counts its own connections of a client and tells the group
     * when it has the first or closed the last; the session ends, everywhere, at the last close at any
     * dispatcher, not before.
     */
    @Test
    void withSessionEndCloseTheSessionEndsWhenNoDispatcherHoldsAConnection() throws Exception {
        List<Node> g = group(3, Map.of("sessionEnd", "close"));
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of three", 10_000, () -> g.stream().allMatch(n -> n.member.view().size() == 3));
        g.get(0).service.record("web", "c1", "app1");
        await("the entry everywhere", 5000, () -> g.stream().allMatch(n -> n.table.get("web", "c1") != null));
        g.get(0).service.opened("web", "c1");
        g.get(0).service.opened("web", "c1"); // two connections at d1
        g.get(1).service.opened("web", "c1"); // one at d2
        await("both holders known everywhere", 5000, () -> g.stream().allMatch(n -> n.service.holders("web", "c1").equals(java.util.Set.of("d1", "d2"))));
        g.get(0).service.closed("web", "c1");
        Thread.sleep(200);
        assertNotNull(g.get(2).table.get("web", "c1"), "one connection still open at d1");
        g.get(0).service.closed("web", "c1");
        await("d1 released", 5000, () -> g.stream().allMatch(n -> n.service.holders("web", "c1").equals(java.util.Set.of("d2"))));
        Thread.sleep(200);
        assertTrue(g.stream().allMatch(n -> n.table.get("web", "c1") != null), "d2 still holds a connection: the session stays");
        g.get(1).service.closed("web", "c1");
        await("the session ended everywhere at the last close", 5000, () -> g.stream().allMatch(n -> n.table.get("web", "c1") == null));
        assertTrue(g.stream().allMatch(n -> n.service.holders("web", "c1").isEmpty()));
        // a close without an open (a connection counted by a previous version, say) changes nothing
        g.get(2).service.record("web", "c2", "app2");
        g.get(2).service.closed("web", "c2");
        Thread.sleep(200);
        assertNotNull(g.get(2).table.get("web", "c2"));
    }

    private static DISCARD discard(Node n, Address... from) throws Exception {
        DISCARD d = new DISCARD();
        d.addIgnoredMembers(from);
        ProtocolStack stack = n.member.channel().getProtocolStack();
        stack.insertProtocol(d, ProtocolStack.Position.ABOVE, TP.class);
        return d;
    }

    @Test
    void aPeerOfAnotherGroupNameIsNotTakenInAndJGroupsSaysWhy() throws Exception {
        List<String> jgroups = new CopyOnWriteArrayList<>();
        java.util.logging.Logger jg = java.util.logging.Logger.getLogger("org.jgroups");
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { jgroups.add(String.valueOf(r.getMessage())); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        jg.addHandler(h);
        try {
            List<Node> g = group(2, Map.of());
            assertNull(g.get(0).join());
            g.get(0).service.record("web", "mine", "app1");
            // the second node: same member list, another group name
            java.lang.reflect.Field f = GroupMember.class.getDeclaredField("settings");
            f.setAccessible(true);
            DispatcherSettings s2 = (DispatcherSettings) f.get(g.get(1).member);
            Map<String, String> props = new HashMap<>(Map.of("enabled", "true", "group", "another", "node", "d2",
                    "bindPort", Integer.toString(s2.bindPort), "members", s2.memberList()));
            Node stranger = new Node("d2", DispatcherSettings.parse(props));
            nodes.add(stranger);
            assertNull(stranger.join());
            Thread.sleep(3000); // discovery and a merge attempt or two
            assertEquals(1, g.get(0).member.view().size());
            assertEquals(1, stranger.member.view().size());
            assertEquals(0, stranger.table.size());
            // JGRP000012: discarded message from different cluster another (our cluster is test-N). Sender was d2
            assertTrue(jgroups.stream().anyMatch(m -> m.contains("JGRP000012") || m.contains("different cluster")), jgroups.toString());
        } finally {
            jg.removeHandler(h);
        }
    }

    @Test
    void theTableHoldsAtMostMaxEntries() throws Exception {
        List<Node> g = group(1, Map.of("maxEntries", "100"));
        assertNull(g.get(0).join());
        for (int i = 0; i < 150; i++) {
            assertEquals("app1", g.get(0).service.record("web", "m" + i, "app1").endpoint());
        }
        assertEquals(100, g.get(0).table.size());
        assertEquals(50, g.get(0).stats.tableFull.sum());
        assertNotNull(g.get(0).service.lookup("web", "m99"));
        assertNull(g.get(0).service.lookup("web", "m100"));
    }

    @Test
    void anUpdateStormLagsAndCatchesUpWithBoundedMemory() throws Exception {
        List<Node> g = group(2, Map.of("queueSize", "16384"));
        for (Node n : g) {
            assertNull(n.join());
        }
        await("a view of two", 10_000, () -> g.get(1).member.view().size() == 2);
        // 100k new clients a second for 3 seconds; record() must never wait for the network
        long start = System.nanoTime();
        int made = 0;
        long worstCallNanos = 0;
        for (int second = 0; second < 3; second++) {
            long secondStart = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                long t0 = System.nanoTime();
                g.get(0).service.record("web", "c" + made++, "app" + (i % 3 + 1));
                worstCallNanos = Math.max(worstCallNanos, System.nanoTime() - t0);
            }
            long left = 1_000_000_000L - (System.nanoTime() - secondStart);
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
        }
        System.out.printf("storm: 300000 new clients in %d ms, slowest record() %.3f ms, queue full %d times, queued now %d%n",
                (System.nanoTime() - start) / 1_000_000, worstCallNanos / 1e6, g.get(0).stats.queueFull.sum(), g.get(0).service.queued());
        assertTrue(g.get(0).service.queued() <= 16384);
        await("d2 caught up", 60_000, () -> g.get(1).table.size() == 300_000);
        assertEquals(endpoints(g.get(0)), endpoints(g.get(1)));
    }
}
