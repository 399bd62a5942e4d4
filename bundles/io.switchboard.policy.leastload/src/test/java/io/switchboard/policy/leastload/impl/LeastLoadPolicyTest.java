package io.switchboard.policy.leastload.impl;

import static io.switchboard.policy.leastload.impl.Loads.ep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.Balancer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastLoadPolicyTest {
    private final Endpoint a = ep("a", 1);
    private final Endpoint b = ep("b", 1);
    private final Endpoint c = ep("c", 1);

    @Test
    void choosesTheFewestOutstanding() {
        Loads loads = new Loads().set("a", 4).set("b", 1).set("c", 7);
        Balancer ll = new LeastLoadPolicy().newBalancer(List.of(a, b, c), loads);
        for (int i = 0; i < 5; i++) {
            assertEquals(b, pick(ll));
        }
        loads.set("c", 0);
        assertEquals(c, pick(ll));
    }

    @Test
    void tiesAreBrokenByRotation() {
        Loads loads = new Loads().set("a", 2).set("b", 2).set("c", 2);
        Balancer ll = new LeastLoadPolicy().newBalancer(List.of(a, b, c), loads);
        assertEquals(List.of(a, b, c, a, b, c), picks(ll, 6));
        loads.set("a", 1).set("c", 1); // tie between a and c only
        List<Endpoint> seen = picks(ll, 4);
        assertTrue(seen.contains(a) && seen.contains(c) && !seen.contains(b), seen.toString());
    }

    @Test
    void balancersOfOneSnapshotShareTheRotation() {
        LeastLoadPolicy policy = new LeastLoadPolicy();
        List<Endpoint> snapshot = List.of(a, b, c);
        Loads idle = new Loads();
        Balancer loop1 = policy.newBalancer(snapshot, idle);
        Balancer loop2 = policy.newBalancer(snapshot, idle);
        assertEquals(List.of(a, b, c, a), List.of(pick(loop1), pick(loop2), pick(loop2), pick(loop1)));
    }

    @Test
    void loadIsRelativeToWeight() {
        Endpoint heavy = ep("heavy", 3);
        Loads loads = new Loads().set("a", 2).set("heavy", 5); // 2/1 against 5/3
        Balancer ll = new LeastLoadPolicy().newBalancer(List.of(a, heavy), loads);
        assertEquals(heavy, pick(ll));
        loads.set("heavy", 6); // 2/1 against 6/3: a tie, rotation decides
        assertEquals(Set.of(a, heavy), Set.copyOf(picks(ll, 2)));
        loads.set("heavy", 7);
        assertEquals(a, pick(ll));
    }

    @Test
    void skipsExcludedAndDrained() {
        Endpoint drained = ep("d", 0);
        Loads loads = new Loads().set("a", 5).set("b", 9);
        Balancer ll = new LeastLoadPolicy().newBalancer(List.of(a, drained, b), loads);
        for (int i = 0; i < 6; i++) {
            assertNotEquals(drained, pick(ll), "drained endpoint chosen although idle");
        }
        assertEquals(b, ll.choose(null, Set.of("a")));
        assertNull(ll.choose(null, Set.of("a", "b")));
        assertNull(new LeastLoadPolicy().newBalancer(List.of(drained), loads).choose(null, Set.of()));
    }

    @Test
    void withoutLoadItRotates() {
        Balancer ll = new LeastLoadPolicy().newBalancer(List.of(a, b, c));
        assertEquals(List.of(a, b, c, a), picks(ll, 4));
    }

    @Test
    void slowEndpointGetsFewerRequests() {
        // c answers in 10 ticks, a and b in 1; three requests start each tick. Least-load keeps the
        // outstanding counts level, so c gets a small fraction of what a and b get (round-robin
        // would give all three the same).
        Loads loads = new Loads();
        Balancer ll = new LeastLoadPolicy().newBalancer(List.of(a, b, c), loads);
        Map<Endpoint, Integer> latency = Map.of(a, 1, b, 1, c, 10);
        Map<Endpoint, Integer> served = new HashMap<>();
        ArrayDeque<long[]> inFlight = new ArrayDeque<>(); // {endpoint index, done at tick}
        List<Endpoint> all = List.of(a, b, c);
        for (int tick = 0; tick < 9000; tick++) {
            for (int k = 0; k < 3; k++) { // three requests per tick
                Endpoint e = pick(ll);
                loads.started(e);
                served.merge(e, 1, Integer::sum);
                inFlight.add(new long[] {all.indexOf(e), tick + latency.get(e)});
            }
            int tickNow = tick;
            inFlight.removeIf(r -> {
                if (r[1] <= tickNow) {
                    loads.finished(all.get((int) r[0]));
                    return true;
                }
                return false;
            });
        }
        assertTrue(served.get(c) < served.get(a) / 3, served.toString());
        System.out.println("least-load, c ten times slower: served " + served);
        assertEquals(served.get(a), served.get(b), served.get(a) / 20.0, served.toString());
    }

    private static Endpoint pick(Balancer balancer) {
        return balancer.choose(null, Set.of());
    }

    private static List<Endpoint> picks(Balancer balancer, int n) {
        List<Endpoint> seen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seen.add(pick(balancer));
        }
        return seen;
    }
}
