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
 * The connection table: every live flow (TCP or HTTP connection, UDP flow) by id, up to a bound
 * ({@code connectionTableSize}). A flow enters when it opens and leaves when it closes, both on the
 * event loop that owns it; readers (the shell) iterate a weakly consistent view and never stop a loop.
 * <p>
 * Overflow: a flow opened while the table is full is served all the same, only not listed; it is
 * counted ({@link #untracked}). Traffic is never refused because of bookkeeping. The frontends' own
 * connection sets, which drains and stops use, are complete whatever the bound.
 * <p>
 * The containers are JDK types that one transport version leaves to the next ({@link #leave}), so
 * the table, its bound and its counters survive updates, and flows opened by an older version
 * leave the table the newer one reads.
 */
final class ConnectionTable {
    static final int DEFAULT_SIZE = 1_000_000;
    static final int MAX_SIZE = 100_000_000;
    /** More free places than this, and a flow goes in without the exact check: more than event loops can fill at one instant. */
    static final int SLACK = 1024;

    /** Sequential ids land in distinct bins: an insert is a CAS, no lock, and no thread hop. */
    private final ConcurrentHashMap<Long, TrackedFlow> flows;
    private final AtomicLong bound;
    private final AtomicLong untrackedOpen;
    private final AtomicLong untracked;

    ConnectionTable() {
        this(new ConcurrentHashMap<>(), new AtomicLong(DEFAULT_SIZE), new AtomicLong(), new AtomicLong());
    }

    private ConnectionTable(ConcurrentHashMap<Long, TrackedFlow> flows, AtomicLong bound, AtomicLong untrackedOpen, AtomicLong untracked) {
        this.flows = flows;
        this.bound = bound;
        this.untrackedOpen = untrackedOpen;
        this.untracked = untracked;
    }

    Map<String, Object> leave() {
        return Map.of("flows", flows, "bound", bound, "untrackedOpen", untrackedOpen, "untracked", untracked);
    }

    @SuppressWarnings("unchecked")
    static ConnectionTable take(Map<String, Object> left) {
        return new ConnectionTable((ConcurrentHashMap<Long, TrackedFlow>) left.get("flows"), (AtomicLong) left.get("bound"),
                (AtomicLong) left.get("untrackedOpen"), (AtomicLong) left.get("untracked"));
    }

    /** The most flows listed from now on; flows already in the table stay when it shrinks below them. */
    void bound(long n) {
        bound.set(n);
    }

    long bound() {
        return bound.get();
    }

    /**
     * A flow opened: in the table, or counted as untracked when the table is full. Far from the
     * bound (the common case) a flow goes in with no counter every loop would contend for: the
     * map's own striped count decides. Within {@link #SLACK} of the bound, flows are admitted one
     * at a time, so the bound holds exactly even when loops open flows at the same moment.
     */
    void opened(TrackedFlow f) {
        long limit = bound.get();
        if (limit - flows.mappingCount() > SLACK) {
            flows.put(f.id(), f);
            return;
        }
        synchronized (this) {
            if (flows.mappingCount() < limit) {
                flows.put(f.id(), f);
                return;
            }
        }
        untracked.incrementAndGet();
        untrackedOpen.incrementAndGet();
    }

    /** A flow closed (called once per flow): out of the table, or one untracked flow fewer. */
    void closed(TrackedFlow f) {
        if (!flows.remove(f.id(), f)) {
            untrackedOpen.decrementAndGet();
        }
    }

    /** The flows in the table now, in id order (opening order). */
    List<TrackedFlow> snapshot() {
        List<TrackedFlow> all = new ArrayList<>(flows.values());
        all.sort(Comparator.comparingLong(TrackedFlow::id));
        return all;
    }

    ConnectionTableStats stats() {
        return new ConnectionTableStats(flows.mappingCount(), bound.get(), untrackedOpen.get(), untracked.get());
    }
}
