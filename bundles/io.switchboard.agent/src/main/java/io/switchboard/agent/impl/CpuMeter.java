package io.switchboard.agent.impl;

/**
 * CPU utilisation between consecutive samples: the share of the time that passed which was not idle.
 * Not thread-safe: only the sampling thread uses it.
 */
final class CpuMeter {
    private CpuTimes previous;

    /**
     * @return the utilisation in percent since the previous call, or null on the first call, when no
     * time passed, or when the counters went backwards (nothing honest to report)
     */
    Double percentSince(CpuTimes now) {
        CpuTimes before = previous;
        previous = now;
        if (before == null) {
            return null;
        }
        long total = now.total() - before.total();
        long idle = now.idle() - before.idle();
        if (total <= 0 || idle < 0 || idle > total) {
            return null;
        }
        return 100.0 * (total - idle) / total;
    }
}
