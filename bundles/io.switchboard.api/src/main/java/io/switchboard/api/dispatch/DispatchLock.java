package io.switchboard.api.dispatch;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A client lock: a dispatcher saw a new client (no entry) and waits for the decision of the client's
 * lock owner, the one dispatcher that chooses its endpoint. Connections and requests of the client
 * wait on {@link #decision()} instead of choosing for themselves; the owner's entry completes it.
 * Lives for at most the lock wait: then the decision completes with null and the waiting dispatcher
 * decides by the hash itself. An API object, so the lock table outlives an update of the bundle.
 */
public final class DispatchLock {
    private final String cluster;
    private final String client;
    private final String holder;
    private final String owner;
    private final long created;
    private final CompletableFuture<DispatchEntry> decision = new CompletableFuture<>();

    public DispatchLock(String cluster, String client, String holder, String owner, long created) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.client = Objects.requireNonNull(client, "client");
        this.holder = Objects.requireNonNull(holder, "holder");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.created = created;
    }

    public String cluster() { return cluster; }

    public String client() { return client; }

    /** The dispatcher that locked the client (it saw the client first). */
    public String holder() { return holder; }

    /** The dispatcher that decides: the owner of the client's key among the group's members. */
    public String owner() { return owner; }

    /** When the lock was taken, as a hybrid clock value (see {@link DispatchEntry#created()}). */
    public long created() { return created; }

    /** Completed with the owner's entry, or with null when the wait ran out. */
    public CompletableFuture<DispatchEntry> decision() { return decision; }

    @Override
    public String toString() { return cluster + "/" + client + " locked by " + holder + ", decided by " + owner; }
}
