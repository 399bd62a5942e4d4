package io.switchboard.policy.leastload.impl;

import static io.switchboard.policy.leastload.impl.Loads.ep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.EndpointLoad;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesPolicyTest {
    private final Endpoint a = ep("a", 1);
    private final Endpoint b = ep("b", 1);
    private final Endpoint c = ep("c", 1);

    private static Balancer p2c(List<Endpoint> endpoints, EndpointLoad load, long seed) {
        return new PowerOfTwoChoicesPolicy.TwoChoices(Live.of(endpoints), load, seed);
    }

    @Test
    void ofTwoEndpointsTheLessLoadedAlwaysWins() {
        Loads loads = new Loads().set("a", 3).set("b", 2);
        Balancer p = p2c(List.of(a, b), loads, 1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(b, pick(p));
        }
    }

    @Test
    void theMostLoadedNeverWinsAndTheLeastWinsTwoThirds() {
        // Pairs {a,b} {a,c} {b,c} equally likely: a wins two of them, b one, c none.
        Loads loads = new Loads().set("a", 0).set("b", 5).set("c", 10);
        Balancer p = p2c(List.of(a, b, c), loads, 42);
        Map<Endpoint, Integer> counts = count(p, 30_000);
        assertEquals(null, counts.get(c));
        assertEquals(20_000, counts.get(a), 600, counts.toString());
        assertEquals(10_000, counts.get(b), 600, counts.toString());
    }

    @Test
    void idleDrawsFollowWeights() {
        Endpoint heavy = ep("heavy", 3);
        Balancer p = p2c(List.of(a, heavy), new Loads(), 7);
        Map<Endpoint, Integer> counts = count(p, 40_000);
        assertEquals(30_000, counts.get(heavy), 800, counts.toString());
        assertEquals(10_000, counts.get(a), 800, counts.toString());
    }

    @Test
    void loadIsRelativeToWeight() {
        Endpoint heavy = ep("heavy", 4);
        Loads loads = new Loads().set("a", 2).set("heavy", 7); // 2/1 against 7/4
        Balancer p = p2c(List.of(a, heavy), loads, 3);
        for (int i = 0; i < 100; i++) {
            assertEquals(heavy, pick(p));
        }
    }

    @Test
    void skipsExcludedAndDrained() {
        Endpoint drained = ep("d", 0);
        Loads loads = new Loads().set("a", 50).set("b", 50).set("c", 50);
        Balancer p = p2c(List.of(a, drained, b, c), loads, 11);
        for (int i = 0; i < 1000; i++) {
            assertNotEquals(drained, pick(p));
            Endpoint e = p.choose(null, Set.of("a", "c"));
            assertEquals(b, e);
            Endpoint f = p.choose(null, Set.of("b"));
            assertTrue(f == a || f == c, String.valueOf(f));
        }
        assertNull(p.choose(null, Set.of("a", "b", "c")));
        Balancer single = p2c(List.of(a, drained), loads, 5);
        assertEquals(a, pick(single));
        assertNull(single.choose(null, Set.of("a")));
        assertNull(p2c(List.of(drained), loads, 5).choose(null, Set.of()));
    }

    @Test
    void excludedCandidateIsReplacedByAnAllowedOneThatStillCompetes() {
        // a excluded; b heavily loaded, c idle: whatever is drawn, the result must be c or b, and c
        // must win most of the time because it is compared whenever it is drawn or substituted.
        Endpoint d = ep("dd", 1);
        Loads loads = new Loads().set("b", 100).set("c", 0).set("dd", 100);
        Balancer p = p2c(List.of(a, b, c, d), loads, 13);
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(p.choose(null, Set.of("a")), 1, Integer::sum);
        }
        assertEquals(null, counts.get(a));
        assertTrue(counts.get(c) > 5_000, counts.toString());
    }

    @Test
    void keepsLoadsLevelWhereRandomDoesNot() {
        // Balls into bins: 20 endpoints, 20 000 requests that never finish.
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            endpoints.add(ep("e" + i, 1));
        }
        Loads loads = new Loads();
        Balancer p = p2c(endpoints, loads, 99);
        for (int i = 0; i < 20_000; i++) {
            loads.started(pick(p));
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (Endpoint e : endpoints) {
            min = Math.min(min, loads.active(e));
            max = Math.max(max, loads.active(e));
        }
        assertTrue(max - min <= 8, "p2c spread " + min + ".." + max);

        SplittableRandom random = new SplittableRandom(99);
        long[] bins = new long[20];
        for (int i = 0; i < 20_000; i++) {
            bins[random.nextInt(20)]++;
        }
        long rmin = Long.MAX_VALUE;
        long rmax = 0;
        for (long n : bins) {
            rmin = Math.min(rmin, n);
            rmax = Math.max(rmax, n);
        }
        assertTrue(rmax - rmin > 4 * (max - min + 1), "random spread " + rmin + ".." + rmax);
        System.out.println("20 000 requests on 20 endpoints: p2c spread " + min + ".." + max + ", random " + rmin + ".." + rmax);
    }

    @Test
    void policyMakesIndependentBalancersAndWorksWithoutLoad() {
        PowerOfTwoChoicesPolicy policy = new PowerOfTwoChoicesPolicy();
        Balancer p = policy.newBalancer(List.of(a, b, c));
        Map<Endpoint, Integer> counts = count(p, 3000);
        assertEquals(Set.of(a, b, c), counts.keySet());
    }

    private static Map<Endpoint, Integer> count(Balancer p, int n) {
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(pick(p), 1, Integer::sum);
        }
        return counts;
    }

    private static Endpoint pick(Balancer balancer) {
        return balancer.choose(null, Set.of());
    }
}
