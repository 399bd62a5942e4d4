package io.switchboard.metrics.impl;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.api.telemetry.TrafficCell;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The data path's series: the per-loop traffic cells merged by their labels. */
final class TrafficSeries {
    private static final String[] LABELS = {"frontend", "cluster", "endpoint", "address"};
    private static final double[] UPPER_BOUNDS = new double[TrafficCell.BUCKET_SECONDS.length + 1];
    static {
        System.arraycopy(TrafficCell.BUCKET_SECONDS, 0, UPPER_BOUNDS, 0, TrafficCell.BUCKET_SECONDS.length);
        UPPER_BOUNDS[UPPER_BOUNDS.length - 1] = Double.POSITIVE_INFINITY;
    }

    private TrafficSeries() {
    }

    /** Sums the cells with the same labels; sorted, so that a scrape lists its series in a stable order. */
    static Collection<TrafficSum> merge(Collection<TrafficCell> cells) {
        Map<String, TrafficSum> sums = new TreeMap<>();
        for (TrafficCell c : cells) {
            sums.computeIfAbsent(TrafficSum.key(c), k -> new TrafficSum(c)).add(c);
        }
        return sums.values();
    }

    static void write(Collection<TrafficCell> cells, List<MetricSnapshot> out) {
        Collection<TrafficSum> sums = merge(cells);
        Series requests = Series.counter("switchboard_http_requests",
                "HTTP requests ended, by the status class the client got (none: it left before a response)",
                "frontend", "cluster", "endpoint", "address", "code_class");
        HistogramSnapshot.Builder durations = HistogramSnapshot.builder().name("switchboard_http_request_duration_seconds")
                .help("HTTP request durations, from the request head read to the response sent (or the request given up)");
        boolean anyDuration = false;
        Series retries = Series.counter("switchboard_retries",
                "Attempts on the endpoint that failed and sent the request (or the relay) to another attempt", LABELS);
        Series opened = Series.counter("switchboard_relays_opened",
                "TCP streams and UDP flows relayed to the endpoint", LABELS);
        Series active = Series.gauge("switchboard_relays_active",
                "TCP streams and UDP flows relayed to the endpoint and open now", LABELS);
        for (TrafficSum s : sums) {
            String[] labels = {s.frontend, s.cluster, s.endpoint, s.address};
            for (int i = 0; i < s.requests.length; i++) {
                if (s.requests[i] > 0) {
                    requests.add(s.requests[i], s.frontend, s.cluster, s.endpoint, s.address, TrafficCell.STATUS_CLASSES[i]);
                }
            }
            if (s.count() > 0) {
                durations.dataPoint(HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(UPPER_BOUNDS, s.buckets.clone()))
                        .labels(Labels.of(LABELS, labels))
                        .sum(s.durationNanos / 1e9)
                        .build());
                anyDuration = true;
            }
            if (s.retries > 0) {
                retries.add(s.retries, labels);
            }
            if (s.relaysOpened > 0) {
                opened.add(s.relaysOpened, labels);
                // A scrape reads the two counters one after the other: never show fewer than none open.
                active.add(Math.max(0, s.relaysOpened - s.relaysClosed), labels);
            }
        }
        requests.into(out);
        if (anyDuration) {
            out.add(durations.build());
        }
        retries.into(out);
        opened.into(out);
        active.into(out);
    }
}
