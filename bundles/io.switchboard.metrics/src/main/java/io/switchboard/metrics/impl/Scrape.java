package io.switchboard.metrics.impl;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.dispatch.DispatchTable;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendService;
import io.switchboard.api.runtime.PlatformUpdates;
import io.switchboard.api.telemetry.Telemetry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One scrape: reads what each service knows now and writes it in the Prometheus text format (0.0.4)
 * with the Prometheus client's writer. A service that is not there (being updated) leaves its series
 * out of this scrape; nothing is cached between scrapes, so nothing here needs handing over.
 */
final class Scrape {
    /** How long the scrape waits for each event loop to count its pooled connections. */
    static final long POOL_COUNT_MILLIS = 500;

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.builder().build();

    private Scrape() {
    }

    /** Any argument may be null: its series are left out. */
    static List<MetricSnapshot> collect(Telemetry telemetry, FrontendService frontends, ClusterDirectory clusters,
                                        SwitchingCore core, PlatformUpdates updates) {
        return collect(telemetry, frontends, clusters, core, updates, null);
    }

    static List<MetricSnapshot> collect(Telemetry telemetry, FrontendService frontends, ClusterDirectory clusters,
                                        SwitchingCore core, PlatformUpdates updates, DispatchTable dispatch) {
        List<MetricSnapshot> out = new ArrayList<>();
        if (telemetry != null) {
            TrafficSeries.write(telemetry.cells(), out);
        }
        if (frontends != null) {
            PlatformSeries.frontends(frontends.frontends(), out);
        }
        if (clusters != null) {
            EndpointSeries.write(clusters.clusters(), telemetry == null ? List.of() : telemetry.pools(POOL_COUNT_MILLIS), out);
        }
        if (core != null) {
            PlatformSeries.rings(core.rings(), out);
        }
        if (updates != null) {
            PlatformSeries.updates(updates.updateCounts(), out);
        }
        if (dispatch != null) {
            DispatchSeries.write(dispatch, out);
        }
        JvmSeries.write(out);
        return out;
    }

    static void write(List<MetricSnapshot> snapshots, OutputStream out) throws IOException {
        // Every name here is a legal classic Prometheus name: no escaping of names is needed, and
        // label values are escaped by the writer (backslash, double quote, line feed).
        WRITER.write(out, new MetricSnapshots(snapshots), EscapingScheme.UNDERSCORE_ESCAPING);
    }
}
