package io.switchboard.control.impl.cluster;

import io.switchboard.support.log.Throttled;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * How a cluster's policy has failed its requests (threw, chose nothing while endpoints were
 * eligible, chose an endpoint it was not given): counted, the latest kept for the shell, logged once
 * per burst. One per cluster, kept across snapshots and across versions of this bundle.
 */
final class PolicyHealth {
    final LongAdder fallbacks;
    final AtomicReference<String> problem;
    private final Throttled log = new Throttled(10, TimeUnit.SECONDS);
    private final Consumer<String> warn;

    PolicyHealth(LongAdder fallbacks, AtomicReference<String> problem, Consumer<String> warn) {
        this.fallbacks = fallbacks;
        this.problem = problem;
        this.warn = warn;
    }

    PolicyHealth(Consumer<String> warn) {
        this(new LongAdder(), new AtomicReference<>(), warn);
    }

    /** One request the policy failed: it is balanced round-robin over the healthy endpoints instead. */
    void failed(String cluster, String policy, String what) {
        fallbacks.increment();
        String p = "policy " + policy + " " + what;
        if (!p.equals(problem.get())) {
            problem.set(p);
        }
        log.occurred(warn, "cluster " + cluster + ": " + p + "; the request is balanced round-robin over the healthy endpoints instead");
    }
}
