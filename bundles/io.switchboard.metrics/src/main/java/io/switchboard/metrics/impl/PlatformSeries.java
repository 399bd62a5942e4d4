package io.switchboard.metrics.impl;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.api.core.RingStatus;
import io.switchboard.api.runtime.FrontendStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The platform's own gauges: frontends' connections, the core's rings, bundle updates. */
final class PlatformSeries {
    private PlatformSeries() {
    }

    static void frontends(List<FrontendStatus> frontends, List<MetricSnapshot> out) {
        Series active = Series.gauge("switchboard_connections_active",
                "Client connections (or UDP flows) open on the frontend now", "frontend");
        Map<String, Long> byName = new TreeMap<>();
        for (FrontendStatus f : frontends) {
            byName.merge(f.spec().name(), f.activeConnections(), Long::sum);
        }
        byName.forEach((name, n) -> active.add(n, name));
        active.into(out);
    }

    static void rings(List<RingStatus> rings, List<MetricSnapshot> out) {
        Series depth = Series.gauge("switchboard_ring_depth",
                "Slots of the core's Disruptor ring in use: work published and not yet run", "ring");
        Series remaining = Series.gauge("switchboard_ring_remaining_capacity",
                "Free slots of the core's Disruptor ring: at 0 a bus refuses work, the control ring holds up edits", "ring");
        // A handler's bus and the one taking over from it share a name for a moment: one series, summed.
        Map<String, long[]> byName = new TreeMap<>();
        for (RingStatus r : rings) {
            long[] n = byName.computeIfAbsent(r.name(), k -> new long[2]);
            n[0] += r.size() - r.remaining();
            n[1] += r.remaining();
        }
        byName.forEach((name, n) -> {
            depth.add(n[0], name);
            remaining.add(n[1], name);
        });
        depth.into(out);
        remaining.into(out);
    }

    static void updates(Map<String, Map<String, Long>> counts, List<MetricSnapshot> out) {
        Series updates = Series.counter("switchboard_bundle_updates",
                "Bundle updates since start, by result: started, rolled_back (the previous version is back), failed", "bundle", "result");
        new TreeMap<>(counts).forEach((bundle, byResult) -> new TreeMap<>(byResult).forEach((result, n) -> updates.add(n, bundle, result)));
        updates.into(out);
    }
}
