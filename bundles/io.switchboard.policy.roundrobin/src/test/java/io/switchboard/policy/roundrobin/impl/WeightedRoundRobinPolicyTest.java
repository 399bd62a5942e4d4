package io.switchboard.policy.roundrobin.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.Balancer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinPolicyTest {
    private static Endpoint ep(String id, int weight) {
        return new Endpoint(id, "127.0.0.1", 9000 + Math.abs(id.hashCode() % 1000), weight);
    }

    private final Endpoint a = ep("a", 5);
    private final Endpoint b = ep("b", 1);
    private final Endpoint c = ep("c", 1);

    @Test
    void followsNginxSmoothSequence() {
        Balancer wrr = new WeightedRoundRobinPolicy().newBalancer(List.of(a, b, c));
        // nginx's own example (ngx_http_upstream_round_robin.c): { a a b a c a a } for 5, 1, 1.
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            seen.add(pick(wrr).id());
        }
        assertEquals(List.of("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a"), seen);
    }

    @Test
    void equalWeightsAlternate() {
        Endpoint x = ep("x", 3);
        Endpoint y = ep("y", 3);
        Balancer wrr = new WeightedRoundRobinPolicy().newBalancer(List.of(x, y));
        assertEquals(List.of(x, y, x, y), List.of(pick(wrr), pick(wrr), pick(wrr), pick(wrr)));
        // 3, 3 reduce to 1, 1: a period of two.
        assertEquals(2, WeightedRoundRobinPolicy.smooth(List.of(x, y), 4096).length);
    }

    @Test
    void sharesFollowWeightsAndAreSpreadOut() {
        Endpoint x = ep("x", 3);
        Endpoint y = ep("y", 2);
        Endpoint z = ep("z", 1);
        Balancer wrr = new WeightedRoundRobinPolicy().newBalancer(List.of(x, y, z));
        Map<String, Integer> counts = new HashMap<>();
        String previous = null;
        int longestRun = 0;
        int run = 0;
        for (int i = 0; i < 600; i++) {
            String id = pick(wrr).id();
            counts.merge(id, 1, Integer::sum);
            run = id.equals(previous) ? run + 1 : 1;
            longestRun = Math.max(longestRun, run);
            previous = id;
        }
        assertEquals(Map.of("x", 300, "y", 200, "z", 100), counts);
        assertTrue(longestRun <= 2, "smooth: no burst longer than 2, got " + longestRun);
    }

    @Test
    void drainedEndpointIsNeverChosen() {
        Endpoint drained = ep("d", 0);
        Balancer wrr = new WeightedRoundRobinPolicy().newBalancer(List.of(a, drained, b));
        for (int i = 0; i < 60; i++) {
            assertNotEquals(drained, pick(wrr));
        }
        assertNull(new WeightedRoundRobinPolicy().newBalancer(List.of(drained)).choose(null, Set.of()));
    }

    @Test
    void excludedTurnGoesToTheNextInSequenceAndOthersKeepTheirOrder() {
        Balancer wrr = new WeightedRoundRobinPolicy().newBalancer(List.of(a, b, c));
        // sequence: a a b a c a a
        assertEquals(a, pick(wrr));                        // 0: a
        assertEquals(a, pick(wrr));                        // 1: a
        assertEquals(c, wrr.choose(null, Set.of("a", "b"))); // 2: b excluded -> next allowed (c at 4)
        assertEquals(a, pick(wrr));                        // 3: a, the sequence was not shifted
        assertEquals(c, pick(wrr));                        // 4: c
        assertEquals(a, wrr.choose(null, Set.of("b")));    // 5: a is allowed
        assertNull(wrr.choose(null, Set.of("a", "b", "c"))); // 6: nothing allowed, the turn is used up
        assertEquals(List.of(a, a, b), List.of(pick(wrr), pick(wrr), pick(wrr))); // next period, intact
    }

    @Test
    void eachLoopWalksTheSharedSequenceFromItsOwnStaggeredPlace() {
        WeightedRoundRobinPolicy policy = new WeightedRoundRobinPolicy();
        List<Endpoint> snapshot = List.of(a, b, c);
        Balancer loop1 = policy.newBalancer(snapshot);
        Balancer loop2 = policy.newBalancer(List.copyOf(snapshot));
        List<String> one = new ArrayList<>();
        List<String> two = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            one.add(pick(loop1).id());
            two.add(pick(loop2).id());
        }
        assertEquals(List.of("a", "a", "b", "a", "c", "a", "a"), one);
        assertEquals(List.of("c", "a", "a", "a", "a", "b", "a"), two, "the same period, begun half-way");
    }

    @Test
    void concurrentThreadsTogetherServeExactShares() throws Exception {
        WeightedRoundRobinPolicy policy = new WeightedRoundRobinPolicy();
        List<Endpoint> snapshot = List.of(a, b, c);
        int threads = 4;
        int perThread = 70_000; // 4 x 70 000 = 40 000 whole periods of 7
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                Balancer mine = policy.newBalancer(snapshot);
                Map<String, Integer> local = new HashMap<>();
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    local.merge(pick(mine).id(), 1, Integer::sum);
                }
                local.forEach((k, v) -> counts.computeIfAbsent(k, x -> new AtomicInteger()).addAndGet(v));
            });
            th.start();
            all.add(th);
        }
        start.countDown();
        for (Thread th : all) {
            th.join();
        }
        assertEquals(200_000, counts.get("a").get());
        assertEquals(40_000, counts.get("b").get());
        assertEquals(40_000, counts.get("c").get());
    }

    @Test
    void largeWeightsAreScaledDownWithinTheCap() {
        Endpoint big = ep("big", 1_000_000);
        Endpoint mid = ep("mid", 250_001);
        Endpoint small = ep("small", 1);
        Endpoint[] order = WeightedRoundRobinPolicy.smooth(List.of(big, mid, small), 4096);
        assertTrue(order.length <= 4096, "length " + order.length);
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (Endpoint e : order) {
            counts.merge(e, 1, Integer::sum);
        }
        assertEquals(1, counts.get(small), "every live endpoint keeps a turn");
        double ratio = counts.get(big) / (double) counts.get(mid);
        assertEquals(4.0, ratio, 0.01, "proportions kept: " + counts);
    }

    @Test
    void moreLiveEndpointsThanTheCapEachKeepOneTurn() {
        List<Endpoint> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(new Endpoint("e" + i, "127.0.0.1", 1 + i, 1 + i % 3));
        }
        Endpoint[] order = WeightedRoundRobinPolicy.smooth(many, 4096);
        assertEquals(5000, order.length);
        assertEquals(5000, new HashSet<>(Arrays.asList(order)).size());
    }

    @Test
    void sequenceIsComputedOncePerSnapshot() {
        WeightedRoundRobinPolicy policy = new WeightedRoundRobinPolicy();
        List<Endpoint> snapshot = List.of(a, b, c);
        assertSame(((WeightedRoundRobinPolicy.Walker) policy.newBalancer(snapshot)).order(),
                ((WeightedRoundRobinPolicy.Walker) policy.newBalancer(List.copyOf(snapshot))).order());
        assertArrayEquals(new Endpoint[] {a, a, b, a, c, a, a}, WeightedRoundRobinPolicy.smooth(snapshot, 4096));
    }

    private static Endpoint pick(Balancer wrr) {
        return wrr.choose(null, Set.of());
    }
}
