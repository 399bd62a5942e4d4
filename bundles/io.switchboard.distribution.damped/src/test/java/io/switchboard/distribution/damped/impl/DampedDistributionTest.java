package io.switchboard.distribution.damped.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.distribution.LoadReport;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DampedDistributionTest {
    private static final Endpoint A = new Endpoint("a", "127.0.0.1", 9001, 1);
    private static final Endpoint B = new Endpoint("b", "127.0.0.1", 9002, 1);
    private static final Endpoint C = new Endpoint("c", "127.0.0.1", 9003, 1);

    private static LoadReport capacity(Endpoint e, int percent) {
        return new LoadReport(e, percent, Double.NaN, -1, Double.NaN, Double.NaN, 0);
    }

    private static DampedDistribution damped(String damping) {
        DampedDistribution d = new DampedDistribution();
        Map<String, Object> props = new HashMap<>();
        props.put("damping", damping);
        d.configure(props);
        return d;
    }

    @Test
    void oneOddSampleMovesTheFactorOnlyPartOfTheWay() {
        DampedDistribution d = damped("0.5");
        Map<String, Integer> f = d.distribute("api", List.of(capacity(A, 100), capacity(B, 20)), Map.of());
        assertEquals(100, f.get("a"));
        assertEquals(60, f.get("b"), "half way from 100 to 20");
        f = d.distribute("api", List.of(capacity(A, 100), capacity(B, 100)), f);
        assertEquals(80, f.get("b"), "and half way back: one odd sample did not swing it to 20");
        for (int i = 0; i < 10; i++) {
            f = d.distribute("api", List.of(capacity(A, 100), capacity(B, 20)), f);
        }
        assertEquals(20, f.get("b"), 1, "a lasting change is followed");
    }

    @Test
    void withoutAStatedCapacityTheCpuDecidesAndSlowServicesGetLess() {
        DampedDistribution d = damped("1");
        LoadReport busy = new LoadReport(A, -1, 75, 10, 100, 5, 0);
        LoadReport idle = new LoadReport(B, -1, 10, 10, 100, 5, 0);
        LoadReport slow = new LoadReport(C, -1, 10, 10, 100, 20, 0);
        Map<String, Integer> f = d.distribute("api", List.of(busy, idle, slow), Map.of());
        assertEquals(25, f.get("a"));
        assertEquals(90, f.get("b"));
        assertEquals(22, f.get("c"), "90 scaled by median 5 / own 20 ms: 22.5, rounded towards it from 100");
    }

    @Test
    void aTargetAboveZeroNeverRoundsToZero() {
        DampedDistribution d = damped("0.5");
        Map<String, Integer> f = d.distribute("api", List.of(capacity(A, 1)), Map.of("a", 1));
        assertEquals(1, f.get("a"));
        f = d.distribute("api", List.of(capacity(A, 0)), Map.of("a", 1));
        assertEquals(0, f.get("a"), "only an explicit 0 % reaches 0 (the cluster's floor then applies if all do)");
    }

    @Test
    void aBadDampingIsRejectedAndTheOldOneKept() {
        DampedDistribution d = damped("0.25");
        Map<String, Object> props = new HashMap<>();
        props.put("damping", "1.5");
        d.configure(props);
        props.put("damping", "lots");
        d.configure(props);
        Map<String, Integer> f = d.distribute("api", List.of(capacity(A, 0)), Map.of());
        assertEquals(75, f.get("a"), "still 0.25");
        assertTrue(DampedDistribution.target(capacity(A, 50), Double.NaN) == 50);
    }
}
