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

    private static BalancingPolicy second() {
        return endpoints -> (request, excluded) -> endpoints.get(1);
    }

    @Test
    void aClusterWithoutItsPolicyBalancesRoundRobinUntilThePolicyComes() {
        ClusterManager m = new ClusterManager();
        m.put(new ClusterSpec("api", "second", List.of(a, b)));
        ClusterSnapshot s = m.cluster("api");
        assertFalse(s.ready());
        Set<Endpoint> chosen = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            chosen.add(s.choose(null, Set.of()));
        }
        assertEquals(Set.of(a, b), chosen, "round-robin over both");

        m.addPolicy(second(), props("second", 1));
        assertTrue(m.cluster("api").ready());
        assertEquals(b, m.cluster("api").choose(null, Set.of()));
        assertEquals(List.of("second"), m.policies());
    }

    @Test
    void aPolicyBeingUpdatedKeepsBalancingUntilItsNewVersionRegisters() {
        ClusterManager m = new ClusterManager();
        BalancingPolicy v1 = second();
        m.addPolicy(v1, props("p", 1));
        m.put(new ClusterSpec("api", "p", List.of(a, b)));
        m.removePolicy(v1, props("p", 1)); // its bundle stops for the update
        assertEquals(b, m.cluster("api").choose(null, Set.of()), "the last one known good still balances");
        m.addPolicy(first(), props("p", 2)); // the new version
        assertEquals(a, m.cluster("api").choose(null, Set.of()));
        assertTrue(m.cluster("api").ready());
    }

    @Test
    void aPolicyUninstalledForGoodGivesWayToTheFallbackPolicyAfterItsGrace() throws Exception {
        ClusterManager m = new ClusterManager();
        m.modified(Map.of("fallbackPolicy", "first", "policyGraceSeconds", 0));
        BalancingPolicy gone = second();
        m.addPolicy(gone, props("p", 1));
        m.addPolicy(first(), props("first", 2));
        m.put(new ClusterSpec("api", "p", List.of(a, b)));
        m.removePolicy(gone, props("p", 1));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (m.cluster("api").choose(null, Set.of()) != a && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(a, m.cluster("api").choose(null, Set.of()), "balanced by the fallback policy");
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
    void aPolicyThatThrowsChoosesAStrangerOrNothingIsOverruledByRoundRobinAndCounted() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(endpoints -> (request, excluded) -> { throw new IllegalStateException("bug"); }, props("broken", 1));
        m.addPolicy(endpoints -> (request, excluded) -> new Endpoint("z", "127.0.0.1", 1, 1), props("stranger", 2));
        m.addPolicy(endpoints -> (request, excluded) -> null, props("nothing", 3));
        m.put(new ClusterSpec("x", "broken", List.of(a, b)));
        m.put(new ClusterSpec("y", "stranger", List.of(a, b)));
        m.put(new ClusterSpec("z", "nothing", List.of(a, b)));
        for (String c : new String[] {"x", "y", "z"}) {
            Set<Endpoint> chosen = new java.util.HashSet<>();
            for (int i = 0; i < 4; i++) {
                chosen.add(m.cluster(c).choose(null, Set.of()));
            }
            assertEquals(Set.of(a, b), chosen, c + ": round-robin over the healthy endpoints");
            assertEquals(4, m.cluster(c).policyFallbacks(), c);
        }
        assertTrue(m.cluster("x").policyProblem().contains("threw java.lang.IllegalStateException: bug"), m.cluster("x").policyProblem());
        assertTrue(m.cluster("y").policyProblem().contains("chose z"), m.cluster("y").policyProblem());
        assertTrue(m.cluster("z").policyProblem().contains("chose no endpoint"), m.cluster("z").policyProblem());
        // every endpoint excluded: nothing to choose is no failure of the policy
        assertNull(m.cluster("z").choose(null, Set.of("a", "b")));
        assertEquals(4, m.cluster("z").policyFallbacks());
    }

    @Test
    void anSbPolicyOverrideLastsUntilItsConfigurationChanges() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(first(), props("first", 1));
        m.addPolicy(second(), props("second", 2));
        ClusterSpec spec = new ClusterSpec("api", "first", List.of(a, b));
        m.put(spec);
        assertTrue(m.setPolicy("api", "second"));
        assertEquals(b, m.cluster("api").choose(null, Set.of()));
        m.put(spec); // the same configuration read again (a new version of the control bundle)
        assertEquals(b, m.cluster("api").choose(null, Set.of()), "the override stays");
        m.put(new ClusterSpec("api", "first", List.of(a, b, new Endpoint("c", "127.0.0.1", 9003, 1))));
        assertEquals(a, m.cluster("api").choose(null, Set.of()), "the configuration changed: its policy applies");
        assertEquals(Map.of(), m.overrides());
    }

    @Test
    void twoFilesThatDefineOneClusterDoNotMix() {
        ClusterManager m = new ClusterManager();
        ClusterSpec first = new ClusterSpec("api", "p", List.of(a), Set.of(), List.of(), ClusterSpec.PremiumFallback.REFUSE,
                ClusterSpec.Options.DEFAULTS, "conf/one.cfg");
        ClusterSpec second = new ClusterSpec("api", "p", List.of(b), Set.of(), List.of(), ClusterSpec.PremiumFallback.REFUSE,
                ClusterSpec.Options.DEFAULTS, "conf/two.cfg");
        assertNull(m.put(first));
        String conflict = m.put(second);
        assertTrue(conflict.contains("already defined by conf/one.cfg"), conflict);
        assertEquals(List.of(a), m.cluster("api").endpoints());
        m.remove("api", "conf/two.cfg"); // the loser going away removes nothing
        assertEquals(List.of(a), m.cluster("api").endpoints());
    }

    /** A request whose only attribute is a tier cookie. */
    private static io.switchboard.api.RequestContext tier(String value) {
        return new io.switchboard.api.RequestContext() {
            @Override public String frontend() { return "fe"; }
            @Override public java.net.InetSocketAddress clientAddress() { return new java.net.InetSocketAddress("127.0.0.1", 1); }
            @Override public String attribute(String name) { return name.equals("cookie:tier") ? value : null; }
        };
    }

    private static BalancingPolicy roundRobin() {
        return endpoints -> new io.switchboard.api.policy.Balancer() {
            private int next;

            @Override
            public Endpoint choose(io.switchboard.api.RequestContext request, Set<String> excluded) {
                for (int i = 0; i < endpoints.size(); i++) {
                    Endpoint e = endpoints.get(next++ % endpoints.size());
                    if (!excluded.contains(e.id())) {
                        return e;
                    }
                }
                return null;
            }
        };
    }

    private ClusterManager premiumCluster(ClusterSpec.PremiumFallback fallback) {
        ClusterManager m = new ClusterManager();
        m.addPolicy(roundRobin(), props("rr", 1));
        Endpoint p = new Endpoint("p", "127.0.0.1", 9010, 1);
        m.put(new ClusterSpec("shop", "rr", List.of(p, a, b), Set.of("p"),
                List.of(io.switchboard.control.impl.route.Match.parse("cookie:tier=gold")), fallback, new ClusterSpec.Options(5000, 30000, 2, 1, 60), null));
        return m;
    }

    @Test
    void premiumRequestsGoToTheReservedSubsetAndOthersNever() {
        ClusterManager m = premiumCluster(ClusterSpec.PremiumFallback.REFUSE);
        for (int i = 0; i < 10; i++) {
            assertEquals("p", m.cluster("shop").choose(tier("gold"), Set.of()).id());
            String other = m.cluster("shop").choose(tier("silver"), Set.of()).id();
            assertTrue(other.equals("a") || other.equals("b"), other);
        }
    }

    @Test
    void whenThePremiumSubsetIsDownItRefusesOrSpillsAsConfigured() {
        for (ClusterSpec.PremiumFallback fallback : ClusterSpec.PremiumFallback.values()) {
            ClusterManager m = premiumCluster(fallback);
            ClusterSnapshot s = m.cluster("shop");
            Endpoint p = s.endpoints().get(0);
            s.counters(p).started();
            s.counters(p).finished(false); // maxFails 1: down now
            assertTrue(s.down(p));
            Endpoint chosen = s.choose(tier("gold"), Set.of());
            if (fallback == ClusterSpec.PremiumFallback.REFUSE) {
                assertNull(chosen);
            } else {
                assertTrue(chosen.id().equals("a") || chosen.id().equals("b"), chosen.id());
            }
        }
    }

    @Test
    void anEndpointTakenOutByPassiveHealthIsSkippedUntilAllAreOut() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(roundRobin(), props("rr", 1));
        m.put(new ClusterSpec("c", "rr", List.of(a, b), Set.of(), List.of(), ClusterSpec.PremiumFallback.REFUSE,
                new ClusterSpec.Options(5000, 30000, 2, 2, 60), null));
        ClusterSnapshot s = m.cluster("c");
        for (int i = 0; i < 2; i++) {
            s.counters(a).started();
            s.counters(a).finished(false);
        }
        assertTrue(s.down(a));
        for (int i = 0; i < 6; i++) {
            assertEquals(b, s.choose(null, Set.of()));
        }
        for (int i = 0; i < 2; i++) {
            s.counters(b).started();
            s.counters(b).finished(false);
        }
        assertTrue(s.choose(null, Set.of()) != null, "all out: every endpoint is tried again");
    }

    @Test
    void aLoadAwarePolicySeesTheSnapshotsRequestsInFlight() {
        ClusterManager m = new ClusterManager();
        m.addPolicy(new io.switchboard.api.policy.LoadAwarePolicy() {
            @Override
            public io.switchboard.api.policy.Balancer newBalancer(List<Endpoint> endpoints) {
                throw new AssertionError("the load-aware factory must be used");
            }

            @Override
            public io.switchboard.api.policy.Balancer newBalancer(List<Endpoint> endpoints, io.switchboard.api.policy.EndpointLoad load) {
                return (request, excluded) -> load.active(endpoints.get(0)) <= load.active(endpoints.get(1)) ? endpoints.get(0) : endpoints.get(1);
            }
        }, props("least", 1));
        m.put(new ClusterSpec("c", "least", List.of(a, b)));
        ClusterSnapshot s = m.cluster("c");
        assertEquals(a, s.choose(null, Set.of()));
        s.counters(a).started();
        assertEquals(b, s.choose(null, Set.of()));
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
