package io.switchboard.metrics.impl;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.api.dispatch.DispatchTable;
import java.util.List;
import java.util.Map;

/** The dispatcher cluster's sync: updates in and out, what was dropped and why, contention, lag. */
final class DispatchSeries {
    private DispatchSeries() {
    }

    static void write(DispatchTable table, List<MetricSnapshot> out) {
        Map<String, Long> c = table.counters();
        Series updates = Series.counter("switchboard_dispatch_updates",
                "Dispatch table updates sent to the group (out) and applied from peers (in)", "direction");
        updates.add(c.getOrDefault("updates_out", 0L), "out").add(c.getOrDefault("updates_in", 0L), "in").into(out);
        Series dropped = Series.counter("switchboard_dispatch_dropped",
                "Updates not sent or not applied: queue_full (sent later with the whole table), malformed (a peer's message),"
                        + " untrusted (from a peer until it resyncs), table_full (maxEntries)", "reason");
        dropped.add(c.getOrDefault("queue_full", 0L), "queue_full").add(c.getOrDefault("malformed", 0L), "malformed")
                .add(c.getOrDefault("untrusted_dropped", 0L), "untrusted").add(c.getOrDefault("table_full", 0L), "table_full").into(out);
        Series.counter("switchboard_dispatch_conflicts",
                "A peer's write for a client replaced an entry with another endpoint (two dispatchers chose at once)")
                .add(c.getOrDefault("conflicts", 0L)).into(out);
        Series.counter("switchboard_dispatch_locks",
                "Client locks: taken (a new client whose key another dispatcher owns, broadcast), waited (requests parked on a lock),"
                        + " timed_out (waits that ran out: decided here by the hash), lost (a peer locked the same client at once)", "event")
                .add(c.getOrDefault("lock_requests", 0L), "taken").add(c.getOrDefault("lock_waits", 0L), "waited")
                .add(c.getOrDefault("lock_timeouts", 0L), "timed_out").add(c.getOrDefault("locks_lost", 0L), "lost").into(out);
        Series.gauge("switchboard_dispatch_locks_held", "Client locks waiting for a decision now").add(c.getOrDefault("locks", 0L)).into(out);
        Series.gauge("switchboard_dispatch_entries", "Session entries in this dispatcher's table").add(c.getOrDefault("entries", 0L)).into(out);
        Series.gauge("switchboard_dispatch_queued", "Updates waiting to be sent to the group").add(c.getOrDefault("queued", 0L)).into(out);
        Series delay = Series.gauge("switchboard_dispatch_sync_delay_seconds",
                "From a peer's new entry's creation to its place here: percentiles of the latest 1024", "percentile");
        long p50 = c.getOrDefault("delay_p50_micros", -1L);
        long p99 = c.getOrDefault("delay_p99_micros", -1L);
        if (p50 >= 0) {
            delay.add(p50 / 1e6, "50").add(p99 / 1e6, "99");
        }
        delay.into(out);
        Series lag = Series.gauge("switchboard_dispatch_peer_lag_seconds", "The latest batch from the peer: sent to applied here", "peer");
        table.peerLagMicros().forEach((peer, micros) -> lag.add(micros / 1e6, peer));
        lag.into(out);
    }
}
