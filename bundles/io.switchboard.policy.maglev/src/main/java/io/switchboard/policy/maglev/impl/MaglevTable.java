package io.switchboard.policy.maglev.impl;

import io.switchboard.api.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, §3.4), built once per snapshot and immutable afterwards.
 *
 * <p><b>Permutations.</b> Each live endpoint (weight &gt; 0) has a preference list over the M slots:
 * {@code offset = h1(id) mod M}, {@code skip = h2(id) mod (M - 1) + 1}, {@code permutation[j] =
 * (offset + j * skip) mod M}, with h1 and h2 two 64-bit hashes of the endpoint id. Ids are
 * configuration, identical on every dispatcher, and the endpoints are taken in id order, so every
 * dispatcher builds the same table from the same (id, weight) set whatever the configuration order.
 *
 * <p><b>Fill.</b> Round after round, each endpoint in turn claims the next free slot of its
 * preference list, until all M slots are taken. Weighted variant: an endpoint of weight w claims w
 * slots per round, so shares follow weights to within one round (sum of weights) of slots. Weights are
 * used as they are while they sum to at most M / 100; larger ones are divided by their greatest common
 * divisor and, if still too large, scaled down in proportion (each live endpoint keeping one turn).
 *
 * <p><b>Size.</b> M is prime (so that every skip generates a full permutation) and at least 100 times
 * the number of live endpoints, which the paper shows keeps the slot counts of equal endpoints within
 * about 1% of each other. M is the smallest prime &ge; 65 536 × 10^k for the least k that gives at
 * least 100 × endpoints: 65 537 up to 655 endpoints, 655 373 up to 6 553 (the paper's two sizes), and
 * so on. M must <em>not</em> follow the endpoint count closely: a different M gives different
 * permutations and a different key-to-slot mapping, so nearly every key would move when an endpoint is
 * added or removed — the opposite of what consistent hashing is for. With these steps it only changes
 * when the cluster crosses 655, 6 553, ... endpoints. A 65 537-slot table holds 65 537 references
 * (about 256 KiB) and is built in a few milliseconds.
 *
 * <p><b>Lookup.</b> {@code slot = hash(key) mod M}. When the slot's endpoint is excluded, the slots
 * are walked forward to the next endpoint that is not.
 */
final class MaglevTable {
    /** The table size for the paper's small clusters; also the smallest one used. */
    static final int BASE_SIZE = 65_537;

    private static final long SEED_OFFSET = 0x9E3779B97F4A7C15L;
    private static final long SEED_SKIP = 0xC2B2AE3D27D4EB4FL;

    /** The endpoint of each slot; empty when there is no live endpoint. */
    final Endpoint[] slots;
    /** The live endpoints, in id order. */
    final Endpoint[] live;

    private MaglevTable(Endpoint[] slots, Endpoint[] live) {
        this.slots = slots;
        this.live = live;
    }

    static MaglevTable build(List<Endpoint> endpoints) {
        return build(endpoints, MaglevTable::size);
    }

    /** With another rule for M (a prime of at least 101 for the live endpoint count): for tests. */
    static MaglevTable build(List<Endpoint> endpoints, IntUnaryOperator sizeRule) {
        Endpoint[] live = endpoints.stream()
                .filter(e -> e.weight() > 0)
                .sorted(Comparator.comparing(Endpoint::id))
                .toArray(Endpoint[]::new);
        int n = live.length;
        if (n == 0) {
            return new MaglevTable(new Endpoint[0], live);
        }
        int m = sizeRule.applyAsInt(n);
        int[] turns = turns(live, m / 100);
        int[] position = new int[n];
        int[] skip = new int[n];
        for (int i = 0; i < n; i++) {
            long h = fnv(live[i].id());
            position[i] = (int) Long.remainderUnsigned(mix(h ^ SEED_OFFSET), m);
            skip[i] = (int) Long.remainderUnsigned(mix(h ^ SEED_SKIP), m - 1) + 1;
        }
        Endpoint[] slots = new Endpoint[m];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < turns[i]; t++) {
                    int c = position[i];
                    while (slots[c] != null) {
                        c += skip[i];
                        if (c >= m) {
                            c -= m;
                        }
                    }
                    slots[c] = live[i];
                    c += skip[i];
                    position[i] = c >= m ? c - m : c;
                    if (++filled == m) {
                        return new MaglevTable(slots, live);
                    }
                }
            }
        }
    }

    /** M for n live endpoints: the smallest prime &ge; 65 536 × 10^k, k least with M &ge; 100 n. */
    static int size(int liveEndpoints) {
        long base = BASE_SIZE - 1;
        while (base < 100L * liveEndpoints) {
            base *= 10;
        }
        if (base > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("too many endpoints for a Maglev table: " + liveEndpoints);
        }
        int p = (int) base;
        while (!isPrime(p)) {
            p++;
        }
        return p;
    }

    /** Slots each endpoint claims per round: its weight, reduced when the weights sum to more than limit. */
    static int[] turns(Endpoint[] live, int limit) {
        int n = live.length;
        int[] w = new int[n];
        long sum = 0;
        int gcd = 0;
        for (int i = 0; i < n; i++) {
            w[i] = live[i].weight();
            sum += w[i];
            gcd = gcd(gcd, w[i]);
        }
        limit = Math.max(limit, n);
        if (sum <= limit) {
            return w;
        }
        sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] /= gcd;
            sum += w[i];
        }
        if (sum <= limit) {
            return w;
        }
        long spare = limit - n;
        for (int i = 0; i < n; i++) {
            w[i] = (int) (1 + (w[i] - 1L) * spare / (sum - n));
        }
        return w;
    }

    /** The endpoint for a key hash: its slot's, or the next one forward that is not excluded. */
    Endpoint lookup(long keyHash, Set<String> excluded) {
        int m = slots.length;
        if (m == 0) {
            return null;
        }
        int slot = (int) Long.remainderUnsigned(keyHash, m);
        Endpoint e = slots[slot];
        if (excluded.isEmpty() || !excluded.contains(e.id())) {
            return e;
        }
        boolean any = false; // retry path: is anything left at all?
        for (Endpoint l : live) {
            if (!excluded.contains(l.id())) {
                any = true;
                break;
            }
        }
        if (!any) {
            return null;
        }
        for (int i = 1; i < m; i++) {
            int s = slot + i;
            e = slots[s < m ? s : s - m];
            if (!excluded.contains(e.id())) {
                return e;
            }
        }
        return null;
    }

    /** 64-bit FNV-1a of a string's UTF-8 bytes, then mixed: the same on every JVM and platform. */
    static long hash(String s) {
        return mix(fnv(s));
    }

    /** 64-bit FNV-1a of bytes, then mixed. */
    static long hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                h ^= c;
                h *= 0x100000001b3L;
            } else { // rare: hash the UTF-8 encoding of the rest
                for (byte b : s.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    h ^= b & 0xff;
                    h *= 0x100000001b3L;
                }
                break;
            }
        }
        return h;
    }

    /** MurmurHash3's 64-bit finalizer: spreads FNV's weak low bits over the whole word. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    static boolean isPrime(int p) {
        if (p < 2 || p % 2 == 0) {
            return p == 2;
        }
        for (int d = 3; (long) d * d <= p; d += 2) {
            if (p % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public String toString() {
        return "Maglev table of " + slots.length + " slots over " + Arrays.toString(live);
    }
}
