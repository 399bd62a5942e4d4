package io.switchboard.api.dispatch;

import java.util.Objects;

/**
 * One session entry: the client (its key in a cluster) and the endpoint chosen for it, when it was
 * created (a hybrid logical clock value, see {@link #created()}) and by which dispatcher. Immutable
 * but for the time it was last used, which only the dispatcher that serves the client moves.
 */
public final class DispatchEntry {
    private final String cluster;
    private final String client;
    private final String endpoint;
    private final long created;
    private final String owner;
    /** Wall-clock milliseconds of the last lookup that used it here: what idle expiry reads. */
    private volatile long lastUsedMillis;

    public DispatchEntry(String cluster, String client, String endpoint, long created, String owner) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.client = Objects.requireNonNull(client, "client");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.created = created;
        this.owner = Objects.requireNonNull(owner, "owner");
        this.lastUsedMillis = System.currentTimeMillis();
    }

    /** The back-end cluster the entry belongs to. */
    public String cluster() { return cluster; }

    /** The client's key: its source address, or the value of the cluster's configured cookie or header. */
    public String client() { return client; }

    /** Id of the endpoint chosen for the client (endpoint ids are the same on every dispatcher). */
    public String endpoint() { return endpoint; }

    /**
     * Creation time as a hybrid logical clock value: wall-clock milliseconds in the upper 48 bits and
     * a logical counter in the lower 16, so that values from different dispatchers order causally.
     */
    public long created() { return created; }

    /** Name of the dispatcher that created the entry. */
    public String owner() { return owner; }

    public long lastUsedMillis() { return lastUsedMillis; }

    /**
     * Notes a use. Written at most once a second per entry, so that a busy client does not make its
     * entry's cache line bounce between event loops.
     */
    public void used(long nowMillis) {
        if (nowMillis - lastUsedMillis >= 1000) {
            lastUsedMillis = nowMillis;
        }
    }

    /**
     * Whether this entry wins over another for the same client: the last writer wins, by creation
     * time, then the lower owner name. Every dispatcher applies the same rule, so tables that saw two
     * writes in different orders (two first connections at once, a partition) agree on one endpoint.
     */
    public boolean winsOver(DispatchEntry other) {
        if (created != other.created) {
            return created > other.created;
        }
        return owner.compareTo(other.owner) <= 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DispatchEntry)) {
            return false;
        }
        DispatchEntry e = (DispatchEntry) o;
        return created == e.created && cluster.equals(e.cluster) && client.equals(e.client) && endpoint.equals(e.endpoint)
                && owner.equals(e.owner);
    }

    @Override
    public int hashCode() { return Objects.hash(cluster, client, endpoint, created, owner); }

    @Override
    public String toString() { return cluster + "/" + client + " -> " + endpoint + " (" + owner + ", " + created + ")"; }
}
