package io.switchboard.policy.maglev.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.RequestContext;
import io.switchboard.api.policy.Balancer;
import io.switchboard.api.policy.BalancingPolicy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class MaglevPolicyTest {
    private static final int KEYS = 100_000;
    private static final Set<String> NONE = Set.of();

    private static Endpoint ep(String id, int weight) {
        return new Endpoint(id, "127.0.0.1", 10_000 + (id.hashCode() & 0x3fff), weight);
    }

    private static List<Endpoint> endpoints(int n) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(ep("app" + i, 1));
        }
        return List.copyOf(list);
    }

    /** The same 100 000 keys every time: user names. */
    private static long[] keys() {
        long[] keys = new long[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = MaglevTable.hash("user-" + i);
        }
        return keys;
    }

    private static Endpoint[] assign(MaglevTable table, long[] keys) {
        Endpoint[] where = new Endpoint[keys.length];
        for (int i = 0; i < keys.length; i++) {
            where[i] = table.lookup(keys[i], NONE);
        }
        return where;
    }

    private static Map<String, Integer> count(Endpoint[] where) {
        Map<String, Integer> counts = new HashMap<>();
        for (Endpoint e : where) {
            counts.merge(e.id(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void tableSizeIsAPrimeOfAtLeastHundredSlotsPerEndpointThatStaysPutAsTheClusterChanges() {
        assertEquals(65_537, MaglevTable.size(1));
        assertEquals(65_537, MaglevTable.size(10));
        assertEquals(65_537, MaglevTable.size(655));
        assertEquals(655_373, MaglevTable.size(656));
        assertEquals(655_373, MaglevTable.size(6_553));
        for (int n : new int[] {1, 9, 10, 11, 655, 656, 6_554, 20_000}) {
            int m = MaglevTable.size(n);
            assertTrue(MaglevTable.isPrime(m) && m >= 100 * n, n + " -> " + m);
        }
    }

    @Test
    void equalWeightsGetEvenShares() {
        MaglevTable table = MaglevTable.build(endpoints(10));
        Map<String, Integer> slots = count(table.slots);
        int min = Collections.min(slots.values());
        int max = Collections.max(slots.values());
        assertTrue(max - min <= 1, "slots per endpoint " + slots); // the fill gives each one in turn

        Map<String, Integer> keys = count(assign(table, keys()));
        assertEquals(10, keys.size());
        for (Map.Entry<String, Integer> e : keys.entrySet()) {
            double share = e.getValue() / (double) KEYS;
            assertEquals(0.1, share, 0.1 * 0.04, "keys per endpoint within 4% of even: " + keys);
        }
    }

    @Test
    void weightsAreRespected() {
        List<Endpoint> list = List.of(ep("w1", 1), ep("w2", 2), ep("w3", 3), ep("w4", 4), ep("drained", 0));
        MaglevTable table = MaglevTable.build(list);
        Map<String, Integer> slots = count(table.slots);
        Map<String, Integer> keys = count(assign(table, keys()));
        assertNull(slots.get("drained"));
        assertNull(keys.get("drained"));
        for (int w = 1; w <= 4; w++) {
            double slotShare = slots.get("w" + w) / (double) table.slots.length;
            double keyShare = keys.get("w" + w) / (double) KEYS;
            assertEquals(w / 10.0, slotShare, w / 10.0 * 0.01, "slots " + slots);
            assertEquals(w / 10.0, keyShare, w / 10.0 * 0.05, "keys " + keys);
        }
    }

    @Test
    void hugeWeightsAreReducedAndStillRespected() {
        MaglevTable table = MaglevTable.build(List.of(ep("a", 300_000), ep("b", 100_000), ep("c", 100_001)));
        Map<String, Integer> slots = count(table.slots);
        double a = slots.get("a") / (double) table.slots.length;
        assertEquals(0.6, a, 0.01, slots.toString());
        assertEquals(slots.get("b"), slots.get("c"), table.slots.length * 0.01, slots.toString());
    }

    @Test
    void deterministicAcrossInstancesAndConfigurationOrder() {
        List<Endpoint> list = endpoints(12);
        MaglevTable one = new MaglevPolicy().table(list);
        MaglevTable two = new MaglevPolicy().table(List.copyOf(list));
        List<Endpoint> shuffled = new ArrayList<>(list);
        Collections.shuffle(shuffled, new Random(5));
        MaglevTable three = MaglevTable.build(shuffled);
        assertArrayEquals(one.slots, two.slots);
        assertArrayEquals(one.slots, three.slots);
        // A fixed point, so that a change of hash or fill (which would split a fleet of dispatchers
        // running two versions) is noticed: user-42 on this cluster lands on the same endpoint forever.
        assertEquals("app0", one.lookup(MaglevTable.hash("user-42"), NONE).id());
    }

    @Test
    void removingOneEndpointMovesOnlyItsKeys() {
        int n = 10;
        List<Endpoint> all = endpoints(n);
        List<Endpoint> fewer = new ArrayList<>(all);
        Endpoint gone = fewer.remove(3);
        long[] keys = keys();
        Endpoint[] before = assign(MaglevTable.build(all), keys);
        Endpoint[] after = assign(MaglevTable.build(fewer), keys);
        int moved = 0;
        int survivorsMoved = 0;
        int survivorKeys = 0;
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals(after[i])) {
                moved++;
            }
            if (!before[i].equals(gone)) {
                survivorKeys++;
                if (!before[i].equals(after[i])) {
                    survivorsMoved++;
                }
            }
        }
        double movedShare = moved / (double) KEYS;
        double survivorsMovedShare = survivorsMoved / (double) survivorKeys;
        System.out.printf("maglev remove 1 of %d: %.4f of keys moved (1/N = %.4f), %.4f of survivors' keys moved%n",
                n, movedShare, 1.0 / n, survivorsMovedShare);
        assertTrue(movedShare <= 1.0 / n + 0.02, "moved " + movedShare);
        assertTrue(survivorsMovedShare <= 0.02, "survivors' keys moved " + survivorsMovedShare);
        for (Endpoint e : after) {
            assertNotEquals(gone, e);
        }
    }

    @Test
    void addingOneEndpointMovesAboutOneInNPlusOne() {
        int n = 10;
        List<Endpoint> all = endpoints(n + 1);
        List<Endpoint> fewer = all.subList(0, n);
        Endpoint added = all.get(n);
        long[] keys = keys();
        Endpoint[] before = assign(MaglevTable.build(fewer), keys);
        Endpoint[] after = assign(MaglevTable.build(all), keys);
        int moved = 0;
        int movedElsewhere = 0;
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals(after[i])) {
                moved++;
                if (!after[i].equals(added)) {
                    movedElsewhere++;
                }
            }
        }
        double movedShare = moved / (double) KEYS;
        System.out.printf("maglev add 1 to %d: %.4f of keys moved (1/(N+1) = %.4f), %.4f moved to an old endpoint%n",
                n, movedShare, 1.0 / (n + 1), movedElsewhere / (double) KEYS);
        assertEquals(1.0 / (n + 1), movedShare, 0.02, "moved " + movedShare);
        assertTrue(movedElsewhere / (double) KEYS <= 0.02, "moved between old endpoints: " + movedElsewhere);
    }

    @Test
    void aTableSizeThatFollowsTheEndpointCountWouldMoveAlmostEverything() {
        // Why M does not follow the count closely: with M = smallest prime >= max(100 N, 101),
        // 10 -> 9 endpoints changes M from 1009 to 907 and reshuffles the whole table.
        IntUnaryOperator proportional = n -> {
            int p = Math.max(100 * n, 101);
            while (!MaglevTable.isPrime(p)) {
                p++;
            }
            return p;
        };
        List<Endpoint> all = endpoints(10);
        List<Endpoint> fewer = new ArrayList<>(all);
        fewer.remove(3);
        long[] keys = keys();
        Endpoint[] before = assign(MaglevTable.build(all, proportional), keys);
        Endpoint[] after = assign(MaglevTable.build(fewer, proportional), keys);
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            moved += before[i].equals(after[i]) ? 0 : 1;
        }
        System.out.printf("maglev remove 1 of 10 with M = prime >= 100 N: %.4f of keys moved%n", moved / (double) KEYS);
        assertTrue(moved / (double) KEYS > 0.5, "moved " + moved);
    }

    @Test
    void excludedEndpointIsReplacedByTheNextOneForwardAndOthersStay() {
        List<Endpoint> list = endpoints(5);
        MaglevTable table = MaglevTable.build(list);
        long[] keys = keys();
        Set<String> excluded = Set.of("app2");
        for (int i = 0; i < 20_000; i++) {
            Endpoint primary = table.lookup(keys[i], NONE);
            Endpoint retry = table.lookup(keys[i], excluded);
            if (primary.id().equals("app2")) {
                assertNotEquals("app2", retry.id());
                int slot = (int) Long.remainderUnsigned(keys[i], table.slots.length);
                int s = slot;
                while (table.slots[s].id().equals("app2")) {
                    s = (s + 1) % table.slots.length;
                }
                assertSame(table.slots[s], retry);
            } else {
                assertSame(primary, retry);
            }
        }
        assertNull(table.lookup(keys[0], Set.of("app0", "app1", "app2", "app3", "app4")));
        assertEquals("app4", table.lookup(keys[0], Set.of("app0", "app1", "app2", "app3")).id());
    }

    @Test
    void drainedOnlyClusterChoosesNothing() {
        Balancer b = new MaglevPolicy().newBalancer(List.of(ep("d", 0)));
        assertNull(b.choose(request("10.0.0.1", 1000, Map.of()), NONE));
    }

    @Test
    void tableIsBuiltOncePerSnapshotAndShared() {
        MaglevPolicy policy = new MaglevPolicy();
        List<Endpoint> snapshot = endpoints(4);
        assertSame(policy.table(snapshot), policy.table(snapshot));
        Balancer loop1 = policy.newBalancer(snapshot);
        Balancer loop2 = policy.newBalancer(snapshot);
        RequestContext r = request("192.0.2.7", 5555, Map.of());
        assertSame(loop1.choose(r, NONE), loop2.choose(r, NONE));
    }

    @Test
    void byDefaultTheClientAddressIsHashedWhateverItsPort() {
        MaglevPolicy policy = new MaglevPolicy();
        Balancer b = policy.newBalancer(endpoints(8));
        assertEquals("client", policy.hashKey());
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 0; c < 200; c++) {
            String ip = "10.1." + (c / 256) + "." + (c % 256);
            Endpoint first = b.choose(request(ip, 40_000, Map.of("header:X-User", "u" + c)), NONE);
            for (int port = 40_001; port < 40_010; port++) {
                assertSame(first, b.choose(request(ip, port, Map.of("header:X-User", "other" + port)), NONE));
            }
            seen.merge(first.id(), 1, Integer::sum);
        }
        assertEquals(8, seen.size(), "200 clients spread over all 8 endpoints: " + seen);
    }

    @Test
    void configuredAttributeIsHashedAndAbsentOneFallsBackToTheClient() {
        MaglevPolicy policy = new MaglevPolicy();
        policy.configure(config("header:X-User"));
        assertEquals("header:X-User", policy.hashKey());
        Balancer b = policy.newBalancer(endpoints(8));
        Map<String, Integer> seen = new HashMap<>();
        for (int u = 0; u < 200; u++) {
            Endpoint first = b.choose(request("10.0.0.1", 1, Map.of("header:X-User", "user" + u)), NONE);
            for (int c = 2; c < 10; c++) {
                Endpoint e = b.choose(request("10.0.0." + c, c, Map.of("header:X-User", "user" + u)), NONE);
                assertSame(first, e, "one user, one endpoint, from any client address");
            }
            assertEquals(MaglevTable.hash("user" + u), policy.keyHash(request("10.9.9.9", 1, Map.of("header:X-User", "user" + u))));
            seen.merge(first.id(), 1, Integer::sum);
        }
        assertEquals(8, seen.size(), seen.toString());

        // No such header: the client address decides, exactly as with hashKey=client.
        MaglevPolicy byClient = new MaglevPolicy();
        Balancer c = byClient.newBalancer(endpoints(8));
        for (int i = 0; i < 50; i++) {
            RequestContext bare = request("172.16.0." + i, 80, Map.of());
            assertEquals(c.choose(bare, NONE), b.choose(bare, NONE));
            assertEquals(byClient.keyHash(bare), policy.keyHash(bare));
        }

        // Back to the default: the same balancer follows the new configuration on its next request.
        policy.configure(config(" client "));
        assertEquals("client", policy.hashKey());
        RequestContext r = request("172.16.0.9", 80, Map.of("header:X-User", "user1"));
        assertEquals(byClient.keyHash(r), policy.keyHash(r));
        policy.configure(config("path"));
        assertEquals(MaglevTable.hash("/cart"), policy.keyHash(request("172.16.0.9", 80, Map.of("path", "/cart"))));
    }

    @Test
    void aLookupIsCheapAndATableIsQuickToBuild() {
        for (int n : new int[] {10, 100, 655, 1000}) {
            List<Endpoint> list = endpoints(n);
            MaglevTable.build(list); // warm
            long t0 = System.nanoTime();
            MaglevTable built = MaglevTable.build(list);
            System.out.printf("maglev: %d endpoints, M=%d built in %d us (second build)%n",
                    n, built.slots.length, (System.nanoTime() - t0) / 1000);
        }
        List<Endpoint> list = endpoints(100);
        long t0 = System.nanoTime();
        MaglevTable table = MaglevTable.build(list);
        long buildMicros = (System.nanoTime() - t0) / 1000;
        long[] keys = keys();
        long t1 = System.nanoTime();
        int sum = 0;
        for (int round = 0; round < 10; round++) {
            for (long k : keys) {
                sum += table.lookup(k, NONE).port();
            }
        }
        long lookupNanos = (System.nanoTime() - t1) / (10L * KEYS);
        System.out.printf("maglev: 100 endpoints, M=%d built in %d us; lookup %d ns%n",
                table.slots.length, buildMicros, lookupNanos);
        assertNotNull(table.slots[0]);
        assertTrue(sum != 0);
        assertTrue(buildMicros < 500_000, "build took " + buildMicros + " us");
    }

    private static Map<String, Object> config(String hashKey) {
        return Map.of("hashKey", hashKey, BalancingPolicy.NAME, "maglev");
    }

    private static RequestContext request(String ip, int port, Map<String, String> attributes) {
        InetSocketAddress client = new InetSocketAddress(ip, port);
        return new RequestContext() {
            @Override public String frontend() { return "web"; }
            @Override public InetSocketAddress clientAddress() { return client; }
            @Override public String attribute(String name) { return attributes.get(name); }
        };
    }
}
