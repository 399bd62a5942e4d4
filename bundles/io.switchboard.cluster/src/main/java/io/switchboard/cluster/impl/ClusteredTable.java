package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import io.switchboard.api.dispatch.DispatchLock;
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
    private final LockTable locks;
    /** sessionEnd = close: this dispatcher's open connections per client, and which dispatchers hold one (group-wide). */
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> open;
    private final java.util.concurrent.ConcurrentMap<String, java.util.Set<String>> holders;
    /** How this dispatcher decides a peer's locked client whose key it owns (cluster, client to endpoint id). */
    private volatile java.util.function.BiFunction<String, String, String> decider;
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
        this(settings, table, new LockTable(), new java.util.concurrent.ConcurrentHashMap<>(), new java.util.concurrent.ConcurrentHashMap<>(),
                clock, stats, member, warn);
    }

    /** The maps are JDK containers of JDK objects, handed to the next version of the bundle with the table. */
    ClusteredTable(DispatcherSettings settings, LocalTable table, LockTable locks,
                   java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> open,
                   java.util.concurrent.ConcurrentMap<String, java.util.Set<String>> holders, HybridClock clock, SyncStats stats,
                   GroupMember member, Consumer<String> warn) {
        this.settings = settings;
        this.open = open;
        this.holders = holders;
        this.locks = locks;
        member.onApplied(this::peerUpdate);
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
        if (e != null && settings.sessionEnd == DispatcherSettings.SessionEnd.CLOSE) {
            e.used(System.currentTimeMillis()); // what the safety net of the sweep reads
        } else if (e != null && settings.sessionEnd == DispatcherSettings.SessionEnd.IDLE) {
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
            enqueue(Update.put(mine)); // the decision and, at every peer, the end of the client's lock
        }
        locks.decided(LocalTable.key(cluster, client), inForce);
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
        locks.decided(LocalTable.key(cluster, client), e);
        return e;
    }

    @Override
    public boolean end(String cluster, String client) {
        if (closed) {
            return false;
        }
        long at = clock.now();
        if (table.remove(cluster, client, at)) {
            holders.remove(LocalTable.key(cluster, client));
            stats.removed.increment();
            enqueue(Update.remove(cluster, client, at));
            return true;
        }
        return false;
    }

    @Override
    public java.util.concurrent.CompletionStage<DispatchEntry> awaitDecision(String cluster, String client) {
        if (closed || table.get(cluster, client) != null) {
            return null;
        }
        String key = LocalTable.key(cluster, client);
        DispatchLock held = locks.get(key);
        if (held == null) {
            String owner = member.lockOwner(key);
            if (owner == null || owner.equals(settings.node)) {
                return null; // alone, or this dispatcher decides: its entry is the lock and the decision in one update
            }
            if (locks.size() >= settings.maxEntries) {
                return null; // memory stays bounded: decided here by the hash
            }
            DispatchLock mine = new DispatchLock(cluster, client, settings.node, owner, clock.now());
            held = locks.putIfAbsent(key, mine);
            if (held == mine) {
                expire(key, mine);
                stats.lockRequests.increment();
                enqueue(Update.lock(cluster, client, settings.node, mine.created()));
                DispatchEntry arrived = table.get(cluster, client);
                if (arrived != null) {
                    locks.decided(key, arrived); // the owner's entry came between the look and the lock
                }
            }
        }
        stats.lockWaits.increment();
        return held.decision();
    }

    /** Completes the lock with null after the lock wait, unless a decision came first; it leaves either way. */
    private void expire(String key, DispatchLock lock) {
        lock.decision().completeOnTimeout(null, settings.lockWaitMillis, TimeUnit.MILLISECONDS);
        lock.decision().thenAccept(e -> {
            locks.remove(key, lock);
            if (e == null) {
                stats.lockTimeouts.increment();
            }
        });
    }

    @Override
    public void opened(String cluster, String client) {
        if (closed || settings.sessionEnd != DispatcherSettings.SessionEnd.CLOSE) {
            return;
        }
        String key = LocalTable.key(cluster, client);
        if (open.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet() == 1) {
            holders.computeIfAbsent(key, k -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(settings.node);
            enqueue(Update.hold(cluster, client, settings.node, clock.now()));
        }
    }

    @Override
    public void closed(String cluster, String client) {
        if (closed || settings.sessionEnd != DispatcherSettings.SessionEnd.CLOSE) {
            return;
        }
        String key = LocalTable.key(cluster, client);
        java.util.concurrent.atomic.AtomicInteger n = open.get(key);
        if (n == null || n.decrementAndGet() > 0) {
            return;
        }
        open.remove(key, n);
        enqueue(Update.release(cluster, client, settings.node, clock.now()));
        if (released(key, settings.node) && endsHere(key)) {
            end(cluster, client); // the last connection of the client at any dispatcher: its session ends everywhere
        }
    }

    /**
     * Whether this dispatcher ends the client's session when its last holder lets go: only the key's
     * owner does, so the session ends once, whether the last connections closed one after the other
     * or at two dispatchers at the same moment (then each saw the other still holding at its own release).
     */
    private boolean endsHere(String key) {
        String owner = member.lockOwner(key);
        return owner == null || owner.equals(settings.node);
    }

    /** The dispatcher no longer holds a connection of the client; true when no dispatcher does now. */
    private boolean released(String key, String node) {
        boolean[] none = new boolean[1];
        holders.computeIfPresent(key, (k, set) -> {
            set.remove(node);
            none[0] = set.isEmpty();
            return set.isEmpty() ? null : set;
        });
        return none[0];
    }

    /** Holders of connections of the client (sessionEnd = close), for tests and the shell. */
    java.util.Set<String> holders(String cluster, String client) {
        java.util.Set<String> h = holders.get(LocalTable.key(cluster, client));
        return h == null ? java.util.Set.of() : java.util.Set.copyOf(h);
    }

    /** A peer's entry ends the client's lock here; a peer's lock makes this dispatcher decide (the owner) or wait. */
    private void peerUpdate(Update u) {
        String key = LocalTable.key(u.cluster, u.client);
        if (u.kind == Update.Kind.HOLD) {
            holders.computeIfAbsent(key, k -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(u.holder);
            return;
        }
        if (u.kind == Update.Kind.RELEASE) {
            if (released(key, u.holder) && !open.containsKey(key) && endsHere(key)) {
                end(u.cluster, u.client); // a peer's connection was the last one: the owner ends the session
            }
            return;
        }
        DispatchEntry e = table.get(u.cluster, u.client);
        if (u.kind == Update.Kind.PUT) {
            if (e != null) {
                locks.decided(key, e);
            }
            return;
        }
        if (closed || e != null) {
            return; // decided already: the entry went (or goes) to every peer, the locking one included
        }
        String owner = member.lockOwner(key);
        if (settings.node.equals(owner)) {
            java.util.function.BiFunction<String, String, String> d = decider;
            String endpoint = d == null ? null : d.apply(u.cluster, u.client);
            if (endpoint != null) {
                record(u.cluster, u.client, endpoint);
            }
            return;
        }
        if (owner == null || locks.size() >= settings.maxEntries) {
            return;
        }
        DispatchLock theirs = new DispatchLock(u.cluster, u.client, u.holder, owner, u.at);
        DispatchLock inForce = locks.putIfAbsent(key, theirs);
        if (inForce == theirs) {
            expire(key, theirs);
            // Peers' messages arrive on several threads: the owner's entry may have been placed between
            // the look above and this lock, and its PUT found no lock to end. Left, the lock would
            // linger for lockWaitMillis and count as a timeout.
            DispatchEntry arrived = table.get(u.cluster, u.client);
            if (arrived != null) {
                locks.decided(key, arrived);
            }
        } else if (inForce.holder().equals(settings.node)) {
            stats.locksLost.increment(); // both locked at once: both wait for the owner's one decision
        }
    }

    @Override
    public void decider(java.util.function.BiFunction<String, String, String> decider) {
        this.decider = decider;
    }

    @Override
    public Collection<DispatchLock> locks() {
        return locks.snapshot();
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
        m.put("lock_requests", stats.lockRequests.sum());
        m.put("lock_waits", stats.lockWaits.sum());
        m.put("lock_timeouts", stats.lockTimeouts.sum());
        m.put("locks_lost", stats.locksLost.sum());
        m.put("locks", (long) locks.size());
        m.put("tombstones", (long) table.tombstoneCount());
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
                    // a walk over the table: every tenth of the idle timeout or of the tombstones' time is soon enough (at least a second apart)
                    nextSweep = now + Math.max(1000, Math.min(settings.idleTimeoutSeconds, settings.tombstoneSeconds) * 100L);
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
        table.forgetRemovalsBefore(now - settings.tombstoneSeconds * 1000L);
        if (settings.sessionEnd == DispatcherSettings.SessionEnd.CLOSE) {
            // a dispatcher that held connections and died sends no release: its holds go with the view,
            // and an entry nobody holds that stays unused past the idle timeout ends (a safety net)
            java.util.Set<String> members = member.memberNames();
            holders.forEach((k, set) -> set.removeIf(n -> !n.equals(settings.node) && !members.contains(n)));
            for (DispatchEntry e : table.idleSince(now - settings.idleTimeoutSeconds * 1000L)) {
                String k = LocalTable.key(e.cluster(), e.client());
                java.util.Set<String> h = holders.get(k);
                if (h == null || h.isEmpty()) {
                    end(e.cluster(), e.client());
                }
            }
            return;
        }
        if (settings.sessionEnd != DispatcherSettings.SessionEnd.IDLE) {
            return;
        }
        for (DispatchEntry e : table.idleSince(now - settings.idleTimeoutSeconds * 1000L)) {
            end(e.cluster(), e.client());
        }
    }
}
