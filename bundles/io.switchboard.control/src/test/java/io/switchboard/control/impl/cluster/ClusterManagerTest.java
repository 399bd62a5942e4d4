package io.switchboard.control.impl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.runtime.ClusterSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterManagerTest {
    private final Endpoint a = new Endpoint("a", "127.0.0.1", 9001, 1);
    private final Endpoint b = new Endpoint("b", "127.0.0.1", 9002, 1);

    private static Map<String, Object> props(String name, long id) {
        Map<String, Object> m = new HashMap<>();
        m.put(BalancingPolicy.NAME, name);
        m.put("service.id", id);
        return m;
    }

    private static BalancingPolicy first() {
        return endpoints -> (request, excluded) -> endpoints.get(0);
    }

    @Test
    void clusterWaitsForItsPolicyAndFollowsItsComingAndGoing() {
        ClusterManager m = new ClusterManager();
        m.put(new ClusterSpec("api", "first", List.of(a, b)));
        ClusterSnapshot s = m.cluster("api");
        assertFalse(s.ready());
        assertNull(s.choose(null, Set.of()));

        BalancingPolicy p = first();
        m.addPolicy(p, props("first", 1));
        assertTrue(m.cluster("api").ready());
        assertEquals(a, m.cluster("api").choose(null, Set.of()));
        assertEquals(List.of("first"), m.policies());

        m.removePolicy(p, props("first", 1));
        assertFalse(m.cluster("api").ready());
    }

    @Test
    void countersSurviveAReconfigurationForEndpointsThatStay() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(first(), props("first", 1));
        m.put(new ClusterSpec("api", "first", List.of(a, b)));
        m.cluster("api").counters(a).started();
        m.cluster("api").counters(a).finished(false);
        m.put(new ClusterSpec("api", "first", List.of(a)));
        assertEquals(1, m.cluster("api").counters(a).requests());
        assertEquals(1, m.cluster("api").counters(a).failures());
        assertEquals(0, m.cluster("api").counters(a).active());
    }

    @Test
    void aSnapshotStaysAsItWasWhenTheClusterChanges() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(first(), props("first", 1));
        m.put(new ClusterSpec("api", "first", List.of(a, b)));
        ClusterSnapshot before = m.cluster("api");
        m.put(new ClusterSpec("api", "first", List.of(b)));
        assertEquals(List.of(a, b), before.endpoints());
        assertEquals(List.of(b), m.cluster("api").endpoints());
    }

    @Test
    void aPolicyThatThrowsOrChoosesAStrangerYieldsNoEndpoint() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(endpoints -> (request, excluded) -> { throw new IllegalStateException("bug"); }, props("broken", 1));
        m.addPolicy(endpoints -> (request, excluded) -> new Endpoint("z", "127.0.0.1", 1, 1), props("stranger", 2));
        m.put(new ClusterSpec("x", "broken", List.of(a)));
        m.put(new ClusterSpec("y", "stranger", List.of(a)));
        assertNull(m.cluster("x").choose(null, Set.of()));
        assertEquals(1, m.policyFailures());
        assertNull(m.cluster("y").choose(null, Set.of()));
    }

    @Test
    void theHighestRankedPolicyOfANameWins() {
        ClusterManager m = new ClusterManager();
        BalancingPolicy low = first();
        BalancingPolicy high = endpoints -> (request, excluded) -> endpoints.get(1);
        Map<String, Object> highProps = props("p", 2);
        highProps.put("service.ranking", 10);
        m.addPolicy(low, props("p", 1));
        m.addPolicy(high, highProps);
        m.put(new ClusterSpec("c", "p", List.of(a, b)));
        assertSame(b, m.cluster("c").choose(null, Set.of()));
        m.removePolicy(high, highProps);
        assertSame(a, m.cluster("c").choose(null, Set.of()));
    }
}
