package io.switchboard.control.impl.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.BalancingPolicy;
import io.switchboard.api.routing.RouteRule;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.ConfigTable;
import io.switchboard.control.impl.ConfigTablePublisher;
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
 * Thousands of configuration tables published — a route that moves {@code /api} between two
 * clusters, edits of those clusters and drains — while two threads route requests the way the HTTP
 * handler does: read the table once, match its rules, take the rule's cluster from the same table,
 * choose. Route version k sends {@code /api} to cluster {@code c-(k%2)}, whose endpoints then carry k
 * in their port: a decision made with the rules of one table and the clusters of another picks an
 * endpoint of another version.
 */
class ConfigTableStressTest {
    private static final int VERSIONS = 2000;
    private static final int BASE_PORT = 10_000;

    /** A rule of route version k: {@code /api} goes to {@code c-(k%2)}. */
    private static final class Route implements RouteRule {
        final int version;

        Route(int version) {
            this.version = version;
        }

        @Override public String name() { return "api"; }
        @Override public int order() { return 100; }
        @Override public List<String> frontends() { return List.of(); }
        @Override public List<String> conditions() { return List.of("path=/api"); }
        @Override public String cluster() { return "c-" + version % 2; }
        @Override public boolean matches(RequestContext request) { return "/api".equals(request.attribute("path")); }
        @Override public String toString() { return "route version " + version + " -> " + cluster(); }
    }

    private static RouteRule route(int k) {
        return new Route(k);
    }

    /** Cluster {@code c-(k%2)} as of version k: 2 + k % 4 endpoints whose ports carry k, weights varying with it. */
    private static ClusterSpec cluster(String policy, int k) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 2 + k % 4; i++) {
            endpoints.add(new Endpoint("e" + i, "127.0.0." + (i + 1), BASE_PORT + k, 1 + (k + i) % 4));
        }
        return new ClusterSpec("c-" + k % 2, policy, endpoints);
    }

    @Test
    void everyRequestIsRoutedByOneTableWithMaglev() throws Exception {
        stress("maglev", new io.switchboard.policy.maglev.impl.MaglevPolicy());
    }

    @Test
    void everyRequestIsRoutedByOneTableWithWeightedRoundRobin() throws Exception {
        stress("weighted-round-robin", new io.switchboard.policy.roundrobin.impl.WeightedRoundRobinPolicy());
    }

    private void stress(String name, BalancingPolicy policy) throws Exception {
        ConfigTablePublisher tables = new ConfigTablePublisher();
        ClusterManager m = new ClusterManager();
        m.setTables(tables);
        Map<String, Object> props = new HashMap<>();
        props.put(BalancingPolicy.NAME, name);
        props.put("service.id", 1L);
        m.addPolicy(policy, props);
        m.put(cluster(name, 0));
        tables.routes(List.of(route(0)));
        long first = m.table().version();

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
                long lastVersion = 0;
                while (!done.get()) {
                    RequestContext request = RoutingChecks.request(client++, "/api");
                    ConfigTable table = m.table(); // the one read: everything below comes from it
                    if (table.version() < lastVersion) {
                        wrong.add("table " + table.version() + " read after table " + lastVersion);
                    }
                    lastVersion = table.version();
                    RouteRule rule = null;
                    for (RouteRule x : table.routes()) {
                        if (x.matches(request)) {
                            rule = x;
                            break;
                        }
                    }
                    if (rule == null) {
                        wrong.add("no rule in table " + table.version());
                        continue;
                    }
                    ClusterSnapshot s = table.cluster(rule.cluster());
                    if (s == null) {
                        wrong.add(rule + ": no such cluster in table " + table);
                        continue;
                    }
                    Endpoint e = s.choose(request, Set.of());
                    decisions.incrementAndGet();
                    if (e == null) {
                        wrong.add("nothing chosen from " + s.endpoints() + " in table " + table.version());
                        continue;
                    }
                    if (e.port() - BASE_PORT != ((Route) rule).version) {
                        wrong.add(rule + " chose " + e + " of version " + (e.port() - BASE_PORT) + " in table " + table.version());
                    }
                    RoutingChecks.checkChoice(s, e, "table", wrong);
                }
            }, "router-" + t);
            r.start();
            routers.add(r);
        }
        started.await();
        for (int k = 1; k <= VERSIONS; k++) {
            m.put(cluster(name, k));             // c-(k%2) at version k; the rules still send /api to c-((k-1)%2)
            tables.routes(List.of(route(k)));    // now /api goes to it
            if (k % 3 == 0) {
                m.drain("c-" + k % 2 + "/e1");   // lasts into the next versions of the cluster (all keep e1)
            } else if (k % 3 == 1) {
                m.enable("c-" + k % 2 + "/e1");
            }
        }
        done.set(true);
        for (Thread r : routers) {
            r.join(10_000);
        }
        long published = m.table().version() - first;
        assertTrue(wrong.isEmpty(), wrong.size() + " inconsistent decisions of " + decisions.get() + ", e.g. " + wrong.peek());
        assertTrue(published >= VERSIONS * 2, "tables published: " + published);
        assertEquals(0, m.table().cluster("c-0").policyFallbacks() + m.table().cluster("c-1").policyFallbacks(),
                "the policy never chose outside what it was given");
        assertTrue(decisions.get() > 10_000, "routed meanwhile: " + decisions.get());
        assertEquals(m.cluster("c-0"), m.table().cluster("c-0"), "the directory answers from the table");
        System.out.printf("%s: %d tables published, %d routing decisions, all by one table%n", name, published, decisions.get());
    }
}
