package io.switchboard.control.impl.cluster;

import io.switchboard.api.runtime.EndpointCounters;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lock-free endpoint counters: many event loops update them, the shell reads them. Raw figures
 * only (how many, how many failed, how many in a row, when last): whether they make the endpoint
 * unhealthy is decided by the snapshot that reads them. The same objects serve every later snapshot
 * and every later version of the control bundle.
 */
final class Counters implements EndpointCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile long lastFailureNanos;
    private final LongAdder ejections = new LongAdder();
    /** Passive health's rule, from the latest snapshot: needed to tell an ejection (0: no passive health). */
    private volatile int maxFails;
    private volatile long failTimeoutNanos;

    @Override
    public void passiveHealth(int maxFails, int failTimeoutSeconds) {
        this.maxFails = maxFails;
        this.failTimeoutNanos = failTimeoutSeconds * 1_000_000_000L;
    }

    @Override
    public void started() {
        requests.increment();
        active.increment();
    }

    @Override
    public void finished(boolean ok) {
        active.decrement();
        if (ok) {
            if (failuresInARow.get() != 0) {
                failuresInARow.set(0);
            }
        } else {
            failures.increment();
            long now = System.nanoTime();
            long previous = lastFailureNanos;
            lastFailureNanos = now;
            int n = failuresInARow.incrementAndGet();
            int max = maxFails;
            // Out when the run reaches maxFails, and out again when it fails on its first try back.
            if (max > 0 && (n == max || (n > max && now - previous >= failTimeoutNanos))) {
                ejections.increment();
            }
        }
    }

    @Override public long requests() { return requests.sum(); }
    @Override public long failures() { return failures.sum(); }
    @Override public long active() { return active.sum(); }
    @Override public int failuresInARow() { return failuresInARow.get(); }
    @Override public long lastFailureNanos() { return lastFailureNanos; }
    @Override public long ejections() { return ejections.sum(); }
}
