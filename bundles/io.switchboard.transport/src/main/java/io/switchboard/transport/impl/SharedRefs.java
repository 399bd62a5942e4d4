package io.switchboard.transport.impl;

import io.netty.channel.EventLoop;
import io.switchboard.api.flow.Message;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.transport.BackendPool;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every version of the transport, and every connection any version accepted, reads: the
 * switch in force, the back-end pool in force, the flow id counter, the connection table, the traffic cells. These are JDK containers handed
 * from one transport version to the next, so that a connection accepted before an update routes
 * through today's switch and borrows from today's pool.
 */
final class SharedRefs {
    /** How long a message waits for a switch when none has been seen yet (start-up). */
    static final long SWITCH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    final AtomicReference<IntelligentSwitch> switchboard;
    final AtomicReference<BackendPool> pool;
    final AtomicLong flowIds;
    final ConnectionTable table;
    final TrafficCells traffic;

    SharedRefs() {
        this(new AtomicReference<>(), new AtomicReference<>(), new AtomicLong());
    }

    private SharedRefs(AtomicReference<IntelligentSwitch> switchboard, AtomicReference<BackendPool> pool, AtomicLong flowIds) {
        this(switchboard, pool, flowIds, new ConnectionTable(flowIds), new TrafficCells());
    }

    private SharedRefs(AtomicReference<IntelligentSwitch> switchboard, AtomicReference<BackendPool> pool, AtomicLong flowIds,
                       ConnectionTable table, TrafficCells traffic) {
        this.switchboard = switchboard;
        this.pool = pool;
        this.flowIds = flowIds;
        this.table = table;
        this.traffic = traffic;
    }

    Map<String, Object> leave() {
        return Map.of("switch", switchboard, "pool", pool, "flowIds", flowIds, "table", table.leave(), "traffic", traffic.leave());
    }

    @SuppressWarnings("unchecked")
    static SharedRefs take(Map<String, Object> left) {
        // A version from before the connection table left none: a new table lists the flows opened from now on.
        Map<String, Object> table = (Map<String, Object>) left.get("table");
        AtomicLong flowIds = (AtomicLong) left.get("flowIds");
        return new SharedRefs((AtomicReference<IntelligentSwitch>) left.get("switch"),
                (AtomicReference<BackendPool>) left.get("pool"), flowIds,
                table == null ? new ConnectionTable(flowIds) : ConnectionTable.take(table, flowIds),
                TrafficCells.take((Map<String, Object>) left.get("traffic")));
    }

    /**
     * Routes a message through the switch in force. Before any switch has been seen (the platform is
     * starting), the message waits on its event loop for one, a few milliseconds at a time, up to
     * {@link #SWITCH_WAIT_NANOS}; then it fails.
     */
    void route(EventLoop loop, TrackedFlow flow, Message message) {
        IntelligentSwitch s = switchboard.get();
        if (s != null) {
            s.route(flow, message);
        } else {
            awaitSwitch(loop, flow, message, System.nanoTime() + SWITCH_WAIT_NANOS);
        }
    }

    private void awaitSwitch(EventLoop loop, TrackedFlow flow, Message message, long deadline) {
        loop.schedule(() -> {
            IntelligentSwitch s = switchboard.get();
            if (s != null) {
                s.route(flow, message);
            } else if (System.nanoTime() - deadline < 0 && !flow.closed()) {
                awaitSwitch(loop, flow, message, deadline);
            } else {
                message.fail("the intelligent switch is not running");
            }
        }, 5, TimeUnit.MILLISECONDS);
    }
}
