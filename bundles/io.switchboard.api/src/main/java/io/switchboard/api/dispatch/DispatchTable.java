package io.switchboard.api.dispatch;

import java.util.Collection;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This dispatcher's dispatch table, which the dispatcher cluster keeps equal to its peers'. Lookups
 * read only local memory (no network, no lock); creations and removals are queued and broadcast in
 * batches by the cluster's own thread, never on the caller's.
 *
 * <p>Registered only while the dispatcher cluster is enabled and this dispatcher is synced (it has
 * the group's table); with no such service every dispatcher balances on its own.
 */
@ProviderType
public interface DispatchTable {
    /** The entry of a client in a cluster, or null. A map read: safe on an event loop. */
    DispatchEntry lookup(String cluster, String client);

    /**
     * Records that the client of the cluster goes to the endpoint, unless it already has an entry
     * (a peer's that arrived meanwhile): the entry in force is returned, and the caller uses its
     * endpoint. A new entry is broadcast to the peers. Does not block.
     */
    DispatchEntry record(String cluster, String client, String endpoint);

    /**
     * Replaces a client's entry (its endpoint failed, or an operator moves it), broadcast like a new
     * one; the new entry wins everywhere because it is newer than the one it replaces.
     */
    DispatchEntry reassign(String cluster, String client, String endpoint);

    /** Ends the client's session: its entry goes here and at the peers. False when it had none. */
    boolean end(String cluster, String client);

    /**
     * Whether a request of a new client (no entry) must wait before choosing. Null when this dispatcher
     * decides now: it is alone, or it owns the client's key (the one dispatcher that chooses a new
     * client's endpoint), or the client has an entry. Otherwise the client is locked (this dispatcher's
     * lock is broadcast the first time, so the owner decides and the others wait too) and the returned
     * stage completes with the owner's entry when it arrives, or with null once the lock wait has
     * passed (the caller then chooses itself, counted as a lock timeout). Never blocks: the caller
     * parks the request and resumes it on its own thread when the stage completes.
     *
     * @since 1.1
     */
    default java.util.concurrent.CompletionStage<DispatchEntry> awaitDecision(String cluster, String client) {
        return null;
    }

    /**
     * How this dispatcher decides a peer's locked client when it owns the key: cluster and client to
     * an endpoint id, or null when no endpoint may serve. Set by whoever knows the clusters' endpoints.
     *
     * @since 1.1
     */
    default void decider(java.util.function.BiFunction<String, String, String> decider) {
    }

    /**
     * A connection of the client opened at this dispatcher (sessionEnd = close: each dispatcher counts
     * its own, and says when it has the client's first or closed its last). Does not block.
     *
     * @since 1.1
     */
    default void opened(String cluster, String client) {
    }

    /**
     * That connection closed. With sessionEnd = close the session ends (here and at the peers) when
     * no dispatcher holds a connection of the client any more. Does not block.
     *
     * @since 1.1
     */
    default void closed(String cluster, String client) {
    }

    /** The client locks waiting for a decision now: a copy for the shell. @since 1.1 */
    default Collection<DispatchLock> locks() {
        return java.util.List.of();
    }

    /** Every entry, in no order: a copy for the shell. */
    Collection<DispatchEntry> entries();

    int size();

    /** This dispatcher's name in the group. */
    String node();

    /**
     * The sync's counters since this dispatcher joined, by name: {@code updates_out}, {@code updates_in},
     * {@code queued}, {@code queue_full}, {@code malformed}, {@code untrusted_dropped}, {@code conflicts}
     * (a peer's write replaced an entry with another endpoint), {@code lock_requests} (locks taken here and broadcast),
     * {@code lock_waits} (requests parked on a lock), {@code lock_timeouts} (waits that ran out: decided by the hash here),
     * {@code locks_lost} (a peer locked the client this dispatcher had locked; both took the owner's decision),
     * {@code locks} (held now), {@code tombstones} (removals remembered), {@code table_full}, {@code removed},
     * {@code entries}, {@code delay_p50_micros} and {@code delay_p99_micros} (a peer's new entry, from its
     * creation there to its place here; -1 before any).
     */
    java.util.Map<String, Long> counters();

    /** Each peer's latest lag (from sending a batch to applying it here), in microseconds, by peer name. */
    java.util.Map<String, Long> peerLagMicros();
}
