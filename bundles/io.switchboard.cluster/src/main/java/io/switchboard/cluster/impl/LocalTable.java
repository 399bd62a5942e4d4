package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The entries themselves: one concurrent map, read without a lock by every event loop, written by
 * the loops (their own new entries) and by the receiving thread (the peers'). Every write goes
 * through {@link #merge}, which applies the one rule (last writer wins, then the lower owner), so
 * the order in which updates arrive does not matter.
 *
 * <p>The map is a JDK container of API objects: it is what a new version of this bundle takes over.
 */
final class LocalTable {
    private final ConcurrentMap<String, DispatchEntry> entries;
    /**
     * Removals remembered (key to the removal's hybrid time), so that an entry a peer still had when
     * the session ended elsewhere does not come back with its whole table after a partition: the
     * merge rule applies to removals too (last writer wins). Kept for a bounded time and count.
     */
    private final ConcurrentMap<String, Long> tombstones;
    private final int maxTombstones;

    LocalTable(ConcurrentMap<String, DispatchEntry> entries, ConcurrentMap<String, Long> tombstones, int maxTombstones) {
        this.entries = entries;
        this.tombstones = tombstones;
        this.maxTombstones = maxTombstones;
    }

    LocalTable(ConcurrentMap<String, DispatchEntry> entries) {
        this(entries, new ConcurrentHashMap<>(), 1_000_000);
    }

    LocalTable() {
        this(new ConcurrentHashMap<>());
    }

    ConcurrentMap<String, Long> tombstones() {
        return tombstones;
    }

    /** Whether a removal at least as new as the entry is remembered: then the entry stays out. */
    private boolean buried(String key, DispatchEntry e) {
        Long at = tombstones.get(key);
        return at != null && at >= e.created();
    }

    ConcurrentMap<String, DispatchEntry> map() {
        return entries;
    }

    static String key(String cluster, String client) {
        return cluster + '\u0000' + client;
    }

    DispatchEntry get(String cluster, String client) {
        return entries.get(key(cluster, client));
    }

    /** Places the entry unless the client has one already; returns the one in force. */
    DispatchEntry putIfAbsent(DispatchEntry e) {
        String k = key(e.cluster(), e.client());
        if (buried(k, e)) {
            return e; // only a stale write can be older than a removal (this clock is past every removal it saw)
        }
        DispatchEntry before = entries.putIfAbsent(k, e);
        return before == null ? e : before;
    }

    /** Places the entry if it wins over the one there (or none is there); returns whether it did. */
    boolean merge(DispatchEntry e) {
        String k = key(e.cluster(), e.client());
        boolean[] placed = new boolean[1];
        if (buried(k, e)) {
            return false; // the session ended after this entry was made: the removal is the last writer
        }
        entries.compute(k, (key, old) -> {
            if (old == null || (!old.equals(e) && e.winsOver(old))) {
                placed[0] = true;
                return e;
            }
            return old;
        });
        return placed[0];
    }

    /**
     * Removes the client's entry if it was created no later than the removal: an entry a peer created
     * after the client ended here is a new session and stays.
     */
    boolean remove(String cluster, String client, long at) {
        String k = key(cluster, client);
        if (tombstones.size() < maxTombstones || tombstones.containsKey(k)) {
            tombstones.merge(k, at, Math::max);
        }
        boolean[] removed = new boolean[1];
        entries.computeIfPresent(k, (key, old) -> {
            if (old.created() <= at) {
                removed[0] = true;
                return null;
            }
            return old;
        });
        return removed[0];
    }

    int size() {
        return entries.size();
    }

    int tombstoneCount() {
        return tombstones.size();
    }

    /** Forgets removals older than the time (hybrid-clock milliseconds). */
    void forgetRemovalsBefore(long millis) {
        tombstones.values().removeIf(at -> HybridClock.millis(at) < millis);
    }

    /** The remembered removals as updates, for a whole table sent to a peer. */
    List<Update> removals() {
        List<Update> out = new ArrayList<>(tombstones.size());
        tombstones.forEach((k, at) -> {
            int cut = k.indexOf('\u0000');
            out.add(Update.remove(k.substring(0, cut), k.substring(cut + 1), at));
        });
        return out;
    }

    Collection<DispatchEntry> snapshot() {
        return new ArrayList<>(entries.values());
    }

    /** The entries whose last use here is older than the time. */
    List<DispatchEntry> idleSince(long millis) {
        List<DispatchEntry> idle = new ArrayList<>();
        for (DispatchEntry e : entries.values()) {
            if (e.lastUsedMillis() < millis) {
                idle.add(e);
            }
        }
        return idle;
    }
}
