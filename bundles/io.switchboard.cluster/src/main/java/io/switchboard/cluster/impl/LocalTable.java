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

    LocalTable(ConcurrentMap<String, DispatchEntry> entries) {
        this.entries = entries;
    }

    LocalTable() {
        this(new ConcurrentHashMap<>());
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
        DispatchEntry before = entries.putIfAbsent(key(e.cluster(), e.client()), e);
        return before == null ? e : before;
    }

    /** Places the entry if it wins over the one there (or none is there); returns whether it did. */
    boolean merge(DispatchEntry e) {
        String k = key(e.cluster(), e.client());
        boolean[] placed = new boolean[1];
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
        boolean[] removed = new boolean[1];
        entries.computeIfPresent(key(cluster, client), (key, old) -> {
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
