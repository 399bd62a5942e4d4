package io.switchboard.control.impl.cluster;

import io.switchboard.api.runtime.EndpointCounters;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lock-free endpoint counters: many event loops update them, the shell reads them. They also hold
 * the endpoint's passive health: after {@code maxFails} failures in a row it is down for
 * {@code failTimeout}, then tried again.
 */
final class Counters implements EndpointCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder active = new LongAdder();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private volatile long downUntilNanos;
    private volatile int maxFails = 3;
    private volatile long failTimeoutNanos = 10_000_000_000L;

    void health(int maxFails, int failTimeoutSeconds) {
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
            if (maxFails > 0 && failuresInARow.incrementAndGet() >= maxFails) {
                downUntilNanos = System.nanoTime() + failTimeoutNanos;
                failuresInARow.set(0);
            }
        }
    }

    @Override public long requests() { return requests.sum(); }
    @Override public long failures() { return failures.sum(); }
    @Override public long active() { return active.sum(); }

    @Override
    public boolean down() {
        long until = downUntilNanos;
        return until != 0 && until - System.nanoTime() > 0;
    }
}
