package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;

/** One change to a dispatch table, as it travels between dispatchers. */
final class Update {
    /**
     * PUT: an entry, which also removes the client's lock (one update carries the decision and the
     * lock's end); REMOVE: a session's end (kept as a tombstone); TOUCH: a use; LOCK: a dispatcher
     * locked a new client and waits for the owner's decision; HOLD and RELEASE
     * (sessionEnd = close): a dispatcher has the client's first open connection, or closed its last.
     */
    enum Kind { PUT, REMOVE, TOUCH, LOCK, HOLD, RELEASE }

    final Kind kind;
    /** For PUT. */
    final DispatchEntry entry;
    /** For REMOVE and TOUCH. */
    final String cluster;
    final String client;
    /** REMOVE: the hybrid time of the removal; TOUCH: wall-clock millis of the use. */
    final long at;
    /** LOCK: the dispatcher that locked the client. */
    final String holder;

    private Update(Kind kind, DispatchEntry entry, String cluster, String client, long at) {
        this(kind, entry, cluster, client, at, null);
    }

    private Update(Kind kind, DispatchEntry entry, String cluster, String client, long at, String holder) {
        this.holder = holder;
        this.kind = kind;
        this.entry = entry;
        this.cluster = cluster;
        this.client = client;
        this.at = at;
    }

    static Update put(DispatchEntry e) {
        return new Update(Kind.PUT, e, e.cluster(), e.client(), e.created());
    }

    static Update remove(String cluster, String client, long at) {
        return new Update(Kind.REMOVE, null, cluster, client, at);
    }

    static Update lock(String cluster, String client, String holder, long at) {
        return new Update(Kind.LOCK, null, cluster, client, at, holder);
    }

    static Update hold(String cluster, String client, String holder, long at) {
        return new Update(Kind.HOLD, null, cluster, client, at, holder);
    }

    static Update release(String cluster, String client, String holder, long at) {
        return new Update(Kind.RELEASE, null, cluster, client, at, holder);
    }

    static Update touch(String cluster, String client, long millis) {
        return new Update(Kind.TOUCH, null, cluster, client, millis);
    }
}
