package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import io.switchboard.api.dispatch.DispatchTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The dispatch table service. A lookup is one map read; a new entry goes into the map at once and
 * its update into a bounded queue that the sync thread drains into batches (up to maxBatch updates a
 * message) and broadcasts: an event loop never waits for the network or for a lock. When the queue
 * is full the update is not queued (counted), and once it has drained the sync thread sends the whole
 * table instead, so the peers catch up whatever was skipped; memory stays bounded by queueSize.
 * The queue is lock-free (a concurrent linked queue and a counter that bounds it): an event loop
 * recording a new client takes no lock, and wakes the sync thread only when the queue was empty.
 */
final class ClusteredTable implements DispatchTable {
    private final LocalTable table;
    private final HybridClock clock;
    private final SyncStats stats;
    private final GroupMember member;
    private final DispatcherSettings settings;
    private final Queue<Update> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Consumer<String> warn;
    private volatile boolean overflowed;
    private volatile boolean running = true;
    /** Left the group for good (turned off, or another group): it answers no lookup and keeps nothing. */
    private volatile boolean closed;
    private final Thread sync;

    ClusteredTable(DispatcherSettings settings, LocalTable table, HybridClock clock, SyncStats stats, GroupMember member,
                   Consumer<String> warn) {
        this.settings = settings;
        this.table = table;
        this.clock = clock;
        this.stats = stats;
        this.member = member;
        this.warn = warn;
        this.sync = new Thread(this::run, "sb-dispatch-sync");
        sync.setDaemon(true);
    }

    void start() {
        sync.start();
    }

    /**
     * Stops sending. The table still answers from the entries (which the next version of the bundle
     * takes over, and sends to the group when it has joined): this object may serve a little longer,
     * until the next version's table replaces it.
     */
    void stop() {
        running = false;
        sync.interrupt();
        try {
            sync.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Left the group for good: the clusters balance on their own from now on. */
    void close() {
        closed = true;
        stop();
    }

    @Override
    public DispatchEntry lookup(String cluster, String client) {
        if (closed) {
            return null;
        }
        DispatchEntry e = table.get(cluster, client);
        if (e != null && settings.sessionEnd == DispatcherSettings.SessionEnd.IDLE) {
            long now = System.currentTimeMillis();
            long since = e.lastUsedMillis();
            e.used(now);
            // Peers learn of a use now and then, so none expires a session another still serves.
            if (now - since > settings.idleTimeoutSeconds * 250L) {
                enqueue(Update.touch(cluster, client, now));
            }
        }
        return e;
    }

    @Override
    public DispatchEntry record(String cluster, String client, String endpoint) {
        DispatchEntry mine = new DispatchEntry(cluster, client, endpoint, clock.now(), settings.node);
        if (closed) {
            return mine;
        }
        if (table.size() >= settings.maxEntries && table.get(cluster, client) == null) {
            stats.tableFull.increment(); // memory stays bounded: this client is balanced without an entry
            return mine;
        }
        DispatchEntry inForce = table.putIfAbsent(mine);
        if (inForce == mine) {
            enqueue(Update.put(mine));
        }
        return inForce;
    }

    @Override
    public DispatchEntry reassign(String cluster, String client, String endpoint) {
        DispatchEntry e = new DispatchEntry(cluster, client, endpoint, clock.now(), settings.node);
        if (closed) {
            return e;
        }
        table.merge(e);
        enqueue(Update.put(e));
        return e;
    }

    @Override
    public boolean end(String cluster, String client) {
        if (closed) {
            return false;
        }
        long at = clock.now();
        if (table.remove(cluster, client, at)) {
            stats.removed.increment();
            enqueue(Update.remove(cluster, client, at));
            return true;
        }
        return false;
    }

    @Override
    public Collection<DispatchEntry> entries() {
        return table.snapshot();
    }

    @Override
    public int size() {
        return table.size();
    }

    @Override
    public String node() {
        return settings.node;
    }

    @Override
    public java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("updates_out", stats.updatesOut.sum());
        m.put("updates_in", stats.updatesIn.sum());
        m.put("queued", (long) queued.get());
        m.put("queue_full", stats.queueFull.sum());
        m.put("malformed", stats.malformed.sum());
        m.put("untrusted_dropped", stats.untrustedDropped.sum());
        m.put("conflicts", stats.conflicts.sum());
        m.put("table_full", stats.tableFull.sum());
        m.put("removed", stats.removed.sum());
        m.put("entries", (long) table.size());
        m.put("delay_p50_micros", stats.delayPercentile(50));
        m.put("delay_p99_micros", stats.delayPercentile(99));
        return m;
    }

    @Override
    public java.util.Map<String, Long> peerLagMicros() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        member.peers().forEach((name, p) -> {
            if (p.lastLagMicros >= 0) {
                m.put(name, p.lastLagMicros);
            }
        });
        return m;
    }

    int queued() {
        return queued.get();
    }

    private void enqueue(Update u) {
        int n = queued.incrementAndGet();
        if (n > settings.queueSize) {
            queued.decrementAndGet();
            stats.queueFull.increment();
            overflowed = true;
            return;
        }
        queue.offer(u);
        if (n == 1) {
            LockSupport.unpark(sync);
        }
    }

    private Update poll() {
        Update u = queue.poll();
        if (u != null) {
            queued.decrementAndGet();
        }
        return u;
    }

    private void run() {
        List<Update> batch = new ArrayList<>(settings.maxBatch);
        long nextSweep = System.currentTimeMillis() + 1000;
        while (running) {
            try {
                Update u = poll();
                if (u == null) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // woken by the next update
                    if (Thread.interrupted() && !running) {
                        return;
                    }
                }
                while (u != null) {
                    batch.add(u);
                    if (batch.size() == settings.maxBatch) {
                        break;
                    }
                    u = poll();
                }
                if (!batch.isEmpty()) {
                    member.broadcast(batch);
                    batch.clear();
                }
                if (overflowed && queued.get() == 0) {
                    overflowed = false;
                    warn.accept("dispatcher group " + settings.group + ": the update queue (queueSize " + settings.queueSize
                            + ") overflowed; sending the whole table so the peers catch up");
                    member.requestFullTableToAll();
                }
                if (member.fullTableWanted()) {
                    member.sendFullTablesWanted();
                }
                long now = System.currentTimeMillis();
                if (now >= nextSweep) {
                    // a walk over the table: every tenth of the idle timeout is soon enough (at least a second apart)
                    nextSweep = now + Math.max(1000, settings.idleTimeoutSeconds * 100L);
                    sweep(now);
                }
            } catch (Exception e) {
                batch.clear();
                if (running) {
                    warn.accept("dispatcher group " + settings.group + ": sending updates failed: " + e);
                }
            }
        }
    }

    /** Ends sessions idle past idleTimeoutSeconds (when sessions end on idle). */
    private void sweep(long now) {
        if (settings.sessionEnd != DispatcherSettings.SessionEnd.IDLE) {
            return;
        }
        for (DispatchEntry e : table.idleSince(now - settings.idleTimeoutSeconds * 1000L)) {
            end(e.cluster(), e.client());
        }
    }
}
