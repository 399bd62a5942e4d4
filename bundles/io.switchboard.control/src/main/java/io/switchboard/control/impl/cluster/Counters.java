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
            lastFailureNanos = System.nanoTime();
            failuresInARow.incrementAndGet();
        }
    }

    @Override public long requests() { return requests.sum(); }
    @Override public long failures() { return failures.sum(); }
    @Override public long active() { return active.sum(); }
    @Override public int failuresInARow() { return failuresInARow.get(); }
    @Override public long lastFailureNanos() { return lastFailureNanos; }
}
