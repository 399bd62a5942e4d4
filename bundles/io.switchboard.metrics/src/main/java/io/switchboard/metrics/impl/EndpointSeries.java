package io.switchboard.metrics.impl;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.runtime.EndpointStatus;
import io.switchboard.api.telemetry.PoolCount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each endpoint of each cluster as the control side sees it (health, ejections, requests in
 * flight) and the back-end connections the pools hold to it. Read from the cluster snapshots and
 * the endpoint counters when scraped: nothing here is counted on the data path twice.
 */
final class EndpointSeries {
    private static final String[] LABELS = {"cluster", "endpoint", "address"};

    private EndpointSeries() {
    }

    static void write(List<ClusterSnapshot> clusters, List<PoolCount> pools, List<MetricSnapshot> out) {
        Series up = Series.gauge("switchboard_endpoint_up",
                "1 when new work may go to the endpoint; 0 when it is out (passive or active health, agent, drained)", LABELS);
        Series ejections = Series.counter("switchboard_endpoint_ejections",
                "Times passive health took the endpoint out (failures in a row reached maxFails)", LABELS);
        Series inFlight = Series.gauge("switchboard_endpoint_requests_in_flight",
                "Requests (and TCP/UDP relays) sent to the endpoint and not yet ended", LABELS);
        Series pooled = Series.gauge("switchboard_backend_pool_connections",
                "Back-end connections open to the endpoint, over all event loops: idle in the pool or busy with an exchange",
                "cluster", "endpoint", "address", "state");
        Map<Endpoint, PoolCount> byEndpoint = new HashMap<>();
        for (PoolCount p : pools) {
            byEndpoint.put(p.endpoint(), p);
        }
        for (ClusterSnapshot c : sorted(clusters)) {
            for (Endpoint e : c.endpoints()) {
                String[] labels = {c.name(), e.id(), e.host() + ":" + e.port()};
                up.add(eligible(c, e) ? 1 : 0, labels);
                EndpointCounters counters = c.counters(e);
                if (counters != null) {
                    ejections.add(counters.ejections(), labels);
                    inFlight.add(Math.max(0, counters.active()), labels);
                }
                // The pools are per endpoint, not per cluster: an endpoint in two clusters shows its connections in both.
                PoolCount p = byEndpoint.get(e);
                if (p != null) {
                    pooled.add(p.idle(), c.name(), e.id(), labels[2], "idle");
                    pooled.add(p.busy(), c.name(), e.id(), labels[2], "busy");
                }
            }
        }
        up.into(out);
        ejections.into(out);
        inFlight.into(out);
        pooled.into(out);
    }

    /** Whether new work may go to the endpoint: the control side's verdict when it gives one, else passive health's. */
    static boolean eligible(ClusterSnapshot c, Endpoint e) {
        EndpointStatus s = c.status(e);
        return s != null ? s.eligible() && !c.down(e) : !c.down(e);
    }

    private static List<ClusterSnapshot> sorted(List<ClusterSnapshot> clusters) {
        List<ClusterSnapshot> l = new ArrayList<>(clusters);
        l.sort((a, b) -> a.name().compareTo(b.name()));
        return l;
    }
}
