package io.switchboard.control.impl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.runtime.ClusterSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Thousands of snapshots published (new endpoint sets, new weights, drains) while routing threads
 * choose endpoints with the real policies: every decision must come from one snapshot, the one the
 * thread read, and never pick an endpoint that snapshot drained.
 */
class SnapshotStressTest {
    /** Endpoint sets published; with the drains and enables in between, about 1.7 times as many snapshots. */
    private static final int PUBLISHES = 2000;

    /** Generation g: 2 + g % 5 endpoints whose ports carry the generation, weights varying with it. */
    private static ClusterSpec generation(String policy, int g) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 2 + g % 5; i++) {
            endpoints.add(new Endpoint("e" + i, "127.0.0.1", 10_000 + (g % 20_000) * 2 + i % 2, 1 + (g + i) % 4));
        }
        return new ClusterSpec("api", policy, endpoints);
    }

    @Test
    void everyRoutingDecisionSeesOneConsistentSnapshotWithMaglev() throws Exception {
        stress("maglev", new io.switchboard.policy.maglev.impl.MaglevPolicy());
    }

    @Test
    void everyRoutingDecisionSeesOneConsistentSnapshotWithWeightedRoundRobin() throws Exception {
        stress("weighted-round-robin", new io.switchboard.policy.roundrobin.impl.WeightedRoundRobinPolicy());
    }

    private void stress(String name, BalancingPolicy policy) throws Exception {
        ClusterManager m = new ClusterManager();
        Map<String, Object> props = new HashMap<>();
        props.put(BalancingPolicy.NAME, name);
        props.put("service.id", 1L);
        m.addPolicy(policy, props);
        m.put(generation(name, 0));
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong decisions = new AtomicLong();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> routers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int seed = t;
            Thread r = new Thread(() -> {
                started.countDown();
                int client = seed * 7919;
                while (!done.get()) {
                    ClusterSnapshot s = m.cluster("api");
                    Endpoint e = s.choose(RoutingChecks.request(client++, null), Set.of());
                    decisions.incrementAndGet();
                    if (e == null) {
                        wrong.add("nothing chosen from " + s.endpoints());
                        continue;
                    }
                    RoutingChecks.checkChoice(s, e, "snapshot", wrong);
                }
            }, "router-" + t);
            r.start();
            routers.add(r);
        }
        started.await();
        for (int g = 1; g <= PUBLISHES; g++) {
            m.put(generation(name, g));
            if (g % 3 == 0) {
                m.drain("api/e1"); // lasts into the next generations that keep e1 (all do)
            } else if (g % 3 == 1) {
                m.enable("api/e1");
            }
        }
        done.set(true);
        for (Thread r : routers) {
            r.join(10_000);
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " inconsistent decisions of " + decisions.get() + ", e.g. " + wrong.peek());
        assertEquals(0, m.cluster("api").policyFallbacks(), "the policy never chose outside what it was given");
        assertTrue(decisions.get() > 10_000, "routed meanwhile: " + decisions.get());
        System.out.printf("%s: %d snapshots published, %d routing decisions, all consistent%n", name, PUBLISHES * 5 / 3, decisions.get());
    }
}
