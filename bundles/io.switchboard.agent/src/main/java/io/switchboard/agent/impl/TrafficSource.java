package io.switchboard.agent.impl;

/** Where the watched service's request figures come from: its access log or its status page. */
interface TrafficSource {

    /**
     * Called by the sampling thread only, once per interval.
     *
     * @param nowNanos {@link System#nanoTime()} of this sample (passed in so that rates are testable)
     * @return the traffic since the previous call, or null when it cannot be told (first call,
     * source unreadable, counters reset)
     */
    Traffic sample(long nowNanos);
}
