package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;
import io.switchboard.api.dispatch.DispatchLock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The client locks now waiting for a decision, by {@link LocalTable#key}. A lock leaves when the
 * client's entry is placed here (its decision completes with the entry) or when its wait runs out
 * (completes with null). A JDK map of API objects: what a new version of this bundle takes over.
 */
final class LockTable {
    private final ConcurrentMap<String, DispatchLock> locks;

    LockTable(ConcurrentMap<String, DispatchLock> locks) {
        this.locks = locks;
    }

    LockTable() {
        this(new ConcurrentHashMap<>());
    }

    ConcurrentMap<String, DispatchLock> map() {
        return locks;
    }

    DispatchLock get(String key) {
        return locks.get(key);
    }

    /** Places the lock unless the client is locked already; returns the lock in force. */
    DispatchLock putIfAbsent(String key, DispatchLock lock) {
        DispatchLock before = locks.putIfAbsent(key, lock);
        return before == null ? lock : before;
    }

    /** The client's entry is in force here: its lock, if any, ends with that decision. */
    void decided(String key, DispatchEntry entry) {
        DispatchLock l = locks.remove(key);
        if (l != null) {
            l.decision().complete(entry);
        }
    }

    void remove(String key, DispatchLock lock) {
        locks.remove(key, lock);
    }

    int size() {
        return locks.size();
    }

    Collection<DispatchLock> snapshot() {
        return new ArrayList<>(locks.values());
    }
}
