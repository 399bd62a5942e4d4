package io.switchboard.cluster.impl;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sync did: updates out and in, what was dropped and why, entries a peer's newer write
 * replaced (contention for one client), and the delay of the latest batches from sending to
 * applying (wall-clock microseconds, so the peers' clocks must agree: on one machine they do).
 */
final class SyncStats {
    final LongAdder updatesOut = new LongAdder();
    final LongAdder updatesIn = new LongAdder();
    final LongAdder batchesOut = new LongAdder();
    final LongAdder batchesIn = new LongAdder();
    /** Updates not queued because the queue was full (the table is resent whole once it drains). */
    final LongAdder queueFull = new LongAdder();
    /** Messages refused as malformed or oversized. */
    final LongAdder malformed = new LongAdder();
    /** Updates dropped because their sender is not trusted until it resyncs. */
    final LongAdder untrustedDropped = new LongAdder();
    /** A write for a client replaced an entry with another endpoint (two dispatchers chose at once). */
    final LongAdder conflicts = new LongAdder();
    /** New entries not placed because the table held maxEntries (the client is balanced without one). */
    final LongAdder tableFull = new LongAdder();
    /** Entries removed: ended, idle, closed. */
    final LongAdder removed = new LongAdder();
    /** Locks this dispatcher took on a new client and broadcast (it does not own the client's key). */
    final LongAdder lockRequests = new LongAdder();
    /** Requests parked on a lock, waiting for the owner's decision. */
    final LongAdder lockWaits = new LongAdder();
    /** Locks whose wait ran out: the waiting requests chose by the hash here. */
    final LongAdder lockTimeouts = new LongAdder();
    /** A peer locked a client this dispatcher had locked too: both took the owner's one decision. */
    final LongAdder locksLost = new LongAdder();
    static final int SAMPLES = 1024;
    private final AtomicLongArray delays = new AtomicLongArray(SAMPLES);
    private final LongAdder sampled = new LongAdder();
    private volatile long next;

    /** Notes the delay of one batch (called by the single receiving thread of a peer; races only blur a sample). */
    void delay(long micros) {
        long i = next++;
        delays.set((int) (i % SAMPLES), Math.max(0, micros));
        sampled.increment();
    }

    /** The percentile (0..100) of the latest sampled delays, in microseconds; -1 when none. */
    long delayPercentile(double p) {
        int n = (int) Math.min(sampled.sum(), SAMPLES);
        if (n == 0) {
            return -1;
        }
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = delays.get(i);
        }
        Arrays.sort(v);
        int idx = (int) Math.ceil(p / 100.0 * n) - 1;
        return v[Math.max(0, Math.min(n - 1, idx))];
    }

    long delaySamples() {
        return sampled.sum();
    }
}
