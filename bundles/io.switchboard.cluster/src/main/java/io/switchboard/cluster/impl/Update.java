package io.switchboard.cluster.impl;

import io.switchboard.api.dispatch.DispatchEntry;

/** One change to a dispatch table, as it travels between dispatchers. */
final class Update {
    enum Kind { PUT, REMOVE, TOUCH }

    final Kind kind;
    /** For PUT. */
    final DispatchEntry entry;
    /** For REMOVE and TOUCH. */
    final String cluster;
    final String client;
    /** REMOVE: the hybrid time of the removal; TOUCH: wall-clock millis of the use. */
    final long at;

    private Update(Kind kind, DispatchEntry entry, String cluster, String client, long at) {
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

    static Update touch(String cluster, String client, long millis) {
        return new Update(Kind.TOUCH, null, cluster, client, millis);
    }
}
