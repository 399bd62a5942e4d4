package io.switchboard.transport.impl;

import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.switching.TrackedFlow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connection table: every live flow (TCP or HTTP connection, UDP flow), up to a bound
 * ({@code connectionTableSize}). Each event loop has a shelf of its own ({@link LoopFlows}): a flow
 * enters its loop's shelf when it opens and leaves it when it closes, both on that loop, so opening
 * a connection writes nothing another loop writes. Readers (the shell, metrics) iterate every shelf,
 * weakly consistent, and never stop a loop.
 * <p>
 * The bound holds exactly without a shared write per flow: a loop takes places from the common
 * stock ({@code free}) {@link #CHUNK} at a time and gives them back when it holds too many; near the
 * bound it takes them one at a time, a closing flow gives its place straight back, and a loop that
 * finds the stock empty first takes back the places other loops hold: a flow goes unlisted only
 * when the table is really full. A change of the bound takes the places the loops hold back into
 * the stock. Overflow: a flow opened while the table is full is served all the same, only not
 * listed; it is counted ({@link #untracked}). Traffic is never refused because of bookkeeping. The
 * frontends' own connection sets, which drains and stops use, are complete whatever the bound.
 * <p>
 * Flow ids come from the shared counter a block at a time per loop: unique, increasing on each
 * loop. The listing is in opening order by a stamp taken as the flow opens (the shelf's key).
 * <p>
 * Everything shared is a JDK container that one transport version leaves to the next ({@link #leave}),
 * so the table, its bound and its counters survive updates, and flows opened by an older version
 * leave the shelves the newer one reads (both versions run a loop's flows on that loop's thread).
 */
final class ConnectionTable {
    static final int DEFAULT_SIZE = 1_000_000;
    static final int MAX_SIZE = 100_000_000;
    /** Places a loop takes from the stock at a time (it gives some back above twice this). */
    static final int CHUNK = 64;
    /** Flow ids a loop takes from the shared counter at a time. */
    static final int ID_BLOCK = 256;

    // A shelf, as handed over: {ConcurrentHashMap<Long, TrackedFlow> flows by stamp, AtomicLong places held, long[] {next id, end of block, last stamp}}.
    private static final int FLOWS = 0;
    private static final int PLACES = 1;
    private static final int COUNTERS = 2;

    /** The shelves by event loop (any key owned by one thread at a time), as JDK types. */
    private final ConcurrentHashMap<Object, Object[]> shelves;
    private final AtomicLong bound;
    /** Places no loop holds and no flow takes; below zero while more flows are listed than a shrunken bound allows. */
    private final AtomicLong free;
    private final AtomicLong untrackedOpen;
    private final AtomicLong untracked;
    private final AtomicLong flowIds;
    /** The single map of a transport version from before the shelves: its flows are listed until they close. */
    private final Map<Long, TrackedFlow> legacy;
    /** This version's view of each shelf. */
    private final ConcurrentHashMap<Object, LoopFlows> views = new ConcurrentHashMap<>();

    ConnectionTable(AtomicLong flowIds) {
        this(new ConcurrentHashMap<>(), new AtomicLong(DEFAULT_SIZE), new AtomicLong(DEFAULT_SIZE), new AtomicLong(), new AtomicLong(),
                flowIds, Map.of());
    }

    private ConnectionTable(ConcurrentHashMap<Object, Object[]> shelves, AtomicLong bound, AtomicLong free, AtomicLong untrackedOpen,
                            AtomicLong untracked, AtomicLong flowIds, Map<Long, TrackedFlow> legacy) {
        this.shelves = shelves;
        this.bound = bound;
        this.free = free;
        this.untrackedOpen = untrackedOpen;
        this.untracked = untracked;
        this.flowIds = flowIds;
        this.legacy = legacy;
    }

    Map<String, Object> leave() {
        return Map.of("shelves", shelves, "bound", bound, "free", free, "untrackedOpen", untrackedOpen, "untracked", untracked,
                "legacy", legacy);
    }

    @SuppressWarnings("unchecked")
    static ConnectionTable take(Map<String, Object> left, AtomicLong flowIds) {
        AtomicLong bound = (AtomicLong) left.get("bound");
        if (left.containsKey("shelves")) {
            return new ConnectionTable((ConcurrentHashMap<Object, Object[]>) left.get("shelves"), bound, (AtomicLong) left.get("free"),
                    (AtomicLong) left.get("untrackedOpen"), (AtomicLong) left.get("untracked"), flowIds,
                    (Map<Long, TrackedFlow>) left.get("legacy"));
        }
        // A version with one map for every loop: its flows stay listed there and leave it as they close;
        // the bound applies to the flows opened from now on.
        return new ConnectionTable(new ConcurrentHashMap<>(), bound, new AtomicLong(bound.get()), (AtomicLong) left.get("untrackedOpen"),
                (AtomicLong) left.get("untracked"), flowIds, (Map<Long, TrackedFlow>) left.get("flows"));
    }

    /** The most flows listed from now on; flows already in the table stay when it shrinks below them. */
    void bound(long n) {
        long before = bound.getAndSet(n);
        free.addAndGet(n - before);
        for (Object[] s : shelves.values()) { // the loops' spare places go back: the new bound holds exactly
            free.addAndGet(((AtomicLong) s[PLACES]).getAndSet(0));
        }
    }

    long bound() {
        return bound.get();
    }

    /** The shelf of an event loop; called on that loop (once per flow: a look-up, made the first time). */
    LoopFlows on(Object loop) {
        LoopFlows v = views.get(loop);
        if (v == null) {
            v = new LoopFlows(shelves.computeIfAbsent(loop, l -> new Object[] {new ConcurrentHashMap<Long, TrackedFlow>(), new AtomicLong(),
                    new long[3]}));
            views.put(loop, v);
        }
        return v;
    }

    /** A retired loop's shelf goes once its flows have left: its spare places back to the stock. */
    void forget(Object loop) {
        Object[] s = shelves.get(loop);
        views.remove(loop);
        if (s != null && ((ConcurrentHashMap<?, ?>) s[FLOWS]).isEmpty() && shelves.remove(loop, s)) {
            free.addAndGet(((AtomicLong) s[PLACES]).getAndSet(0));
        }
    }

    /** The flows in the table now, in opening order. */
    List<TrackedFlow> snapshot() {
        List<Map.Entry<Long, TrackedFlow>> all = new ArrayList<>();
        for (Object[] s : shelves.values()) {
            @SuppressWarnings("unchecked")
            ConcurrentHashMap<Long, TrackedFlow> flows = (ConcurrentHashMap<Long, TrackedFlow>) s[FLOWS];
            all.addAll(flows.entrySet());
        }
        all.sort(Map.Entry.comparingByKey());
        List<TrackedFlow> out = new ArrayList<>(legacy.values());
        out.sort(Comparator.comparingLong(TrackedFlow::id)); // older than any on a shelf
        for (Map.Entry<Long, TrackedFlow> e : all) {
            out.add(e.getValue());
        }
        return out;
    }

    ConnectionTableStats stats() {
        long tracked = legacy.size();
        for (Object[] s : shelves.values()) {
            tracked += ((ConcurrentHashMap<?, ?>) s[FLOWS]).mappingCount();
        }
        return new ConnectionTableStats(tracked, bound.get(), untrackedOpen.get(), untracked.get());
    }

    /**
     * One loop's flows, as this version sees its shelf. Only the loop writes it: the ids and stamps
     * are plain, the places an atomic only the bound's change touches besides the loop.
     */
    final class LoopFlows {
        private final ConcurrentHashMap<Long, TrackedFlow> flows;
        private final AtomicLong places;
        /** Next id, end of the id block, last stamp. */
        private final long[] counters;

        @SuppressWarnings("unchecked")
        LoopFlows(Object[] shelf) {
            this.flows = (ConcurrentHashMap<Long, TrackedFlow>) shelf[FLOWS];
            this.places = (AtomicLong) shelf[PLACES];
            this.counters = (long[]) shelf[COUNTERS];
        }

        /** A new flow's id. */
        long nextId() {
            long[] c = counters;
            if (c[0] >= c[1]) {
                long base = flowIds.getAndAdd(ID_BLOCK);
                c[0] = base + 1;
                c[1] = base + ID_BLOCK + 1;
            }
            return c[0]++;
        }

        /**
         * A flow opened: listed under a new stamp (returned), or counted as untracked (0) when the
         * table is full.
         */
        long opened(TrackedFlow f) {
            if (!takePlace()) {
                untracked.incrementAndGet();
                untrackedOpen.incrementAndGet();
                return 0;
            }
            long[] c = counters;
            long stamp = Math.max(System.nanoTime(), c[2] + 1);
            stamp = stamp == 0 ? 1 : stamp; // 0 means untracked
            c[2] = stamp;
            flows.put(stamp, f);
            return stamp;
        }

        /** A flow closed (called once per flow) with the stamp {@link #opened} gave it. */
        void closed(TrackedFlow f, long stamp) {
            if (stamp == 0) {
                untrackedOpen.decrementAndGet();
                return;
            }
            if (flows.remove(stamp, f)) {
                if (free.get() < 4L * CHUNK) {
                    free.incrementAndGet(); // near the bound: the place goes where any loop finds it
                    return;
                }
                long p = places.incrementAndGet();
                if (p > 2 * CHUNK && places.compareAndSet(p, p - CHUNK)) { // fails only when another thread took them
                    free.addAndGet(CHUNK);
                }
            }
        }

        private boolean takePlace() {
            for (long p = places.get(); p > 0; p = places.get()) {
                if (places.compareAndSet(p, p - 1)) {
                    return true;
                }
            }
            if (fromStock()) {
                return true;
            }
            // The stock is empty: the places other loops hold come back to it (only ever near the bound).
            for (Object[] s : shelves.values()) {
                long held = ((AtomicLong) s[PLACES]).getAndSet(0);
                if (held > 0) {
                    free.addAndGet(held);
                }
            }
            return fromStock();
        }

        /** A place from the stock: with a chunk for later far from the bound, one place near it, none at it. */
        private boolean fromStock() {
            for (long s = free.get(); s > 0; s = free.get()) {
                long take = s >= 4L * CHUNK ? CHUNK : 1;
                if (free.compareAndSet(s, s - take)) {
                    if (take > 1) {
                        places.addAndGet(take - 1);
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
