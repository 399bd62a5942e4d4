package io.switchboard.policy.roundrobin.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.Balancer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoundRobinPolicyTest {
    private final Endpoint a = new Endpoint("a", "127.0.0.1", 9001, 1);
    private final Endpoint b = new Endpoint("b", "127.0.0.1", 9002, 1);
    private final Endpoint c = new Endpoint("c", "127.0.0.1", 9003, 1);

    @Test
    void takesEachEndpointInTurn() {
        Balancer rr = new RoundRobinPolicy().newBalancer(List.of(a, b, c));
        assertEquals(List.of(a, b, c, a, b, c), List.of(pick(rr), pick(rr), pick(rr), pick(rr), pick(rr), pick(rr)));
    }

    @Test
    void skipsExcludedAndDrainedEndpoints() {
        Endpoint drained = new Endpoint("d", "127.0.0.1", 9004, 0);
        Balancer rr = new RoundRobinPolicy().newBalancer(List.of(a, drained, b));
        Set<String> noA = Set.of("a");
        for (int i = 0; i < 6; i++) {
            assertEquals(b, rr.choose(null, noA));
        }
        for (int i = 0; i < 6; i++) {
            Endpoint e = rr.choose(null, Set.of());
            assertTrue(e == a || e == b, "drained endpoint chosen");
        }
    }

    @Test
    void eachLoopKeepsItsOwnTurnAndTheLoopsStartOnDifferentEndpoints() {
        RoundRobinPolicy policy = new RoundRobinPolicy();
        List<Endpoint> snapshot = List.of(a, b);
        Balancer loop1 = policy.newBalancer(snapshot);
        Balancer loop2 = policy.newBalancer(snapshot);
        assertEquals(List.of(a, b, a), List.of(pick(loop1), pick(loop1), pick(loop1)));
        assertEquals(List.of(b, a, b), List.of(pick(loop2), pick(loop2), pick(loop2)));
    }

    @Test
    void returnsNullWhenAllAreExcluded() {
        Balancer rr = new RoundRobinPolicy().newBalancer(List.of(a, b));
        assertNull(rr.choose(null, Set.of("a", "b")));
    }

    private static Endpoint pick(Balancer rr) {
        return rr.choose(null, Set.of());
    }
}
