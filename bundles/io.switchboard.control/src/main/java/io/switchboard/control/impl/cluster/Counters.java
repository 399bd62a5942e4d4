package io.switchboard.control.impl.cluster;

import io.switchboard.api.runtime.EndpointCounters;
import java.util.concurrent.atomic.LongAdder;

/** Lock-free endpoint counters: many event loops update them, the shell reads them. */
final class Counters implements EndpointCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder active = new LongAdder();

    @Override
    public void started() {
        requests.increment();
        active.increment();
    }

    @Override
    public void finished(boolean ok) {
        active.decrement();
        if (!ok) {
            failures.increment();
        }
    }

    @Override public long requests() { return requests.sum(); }
    @Override public long failures() { return failures.sum(); }
    @Override public long active() { return active.sum(); }
}
