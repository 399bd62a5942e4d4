package io.switchboard.core.impl;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/** Wait strategies by configuration name. */
final class WaitStrategies {
    private WaitStrategies() {
    }

    static WaitStrategy byName(String name) {
        switch (name.trim().toLowerCase()) {
            case "blocking": return new BlockingWaitStrategy();
            case "sleeping": return new SleepingWaitStrategy();
            case "yielding": return new YieldingWaitStrategy();
            case "busy-spin": return new BusySpinWaitStrategy();
            default:
                throw new IllegalArgumentException("unknown wait strategy '" + name + "' (blocking, sleeping, yielding, busy-spin)");
        }
    }
}
