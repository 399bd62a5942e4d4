package io.switchboard.cluster.impl;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock: wall-clock milliseconds in the upper 48 bits, a counter in the lower 16.
 * Every value it gives is above every value it gave or saw, so an entry created after another was
 * received here is newer than it even when the peers' wall clocks disagree a little.
 */
final class HybridClock {
    private static final int LOGICAL_BITS = 16;
    private final AtomicLong last = new AtomicLong();
    private final LongSupplier wallMillis;

    HybridClock(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    HybridClock() {
        this(System::currentTimeMillis);
    }

    /** A new timestamp, above all before. */
    long now() {
        long wall = wallMillis.getAsLong() << LOGICAL_BITS;
        return last.updateAndGet(prev -> Math.max(prev + 1, wall));
    }

    /** Moves past a timestamp a peer sent. */
    void witness(long remote) {
        last.updateAndGet(prev -> Math.max(prev, remote));
    }

    static long millis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }
}
