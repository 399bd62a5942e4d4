package io.switchboard.metrics.impl;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * One metric being built: its name, help, label names, and data points added one by one. The
 * Prometheus client's model checks names and labels and its writer escapes the values.
 */
final class Series {
    private final String[] labelNames;
    private final CounterSnapshot.Builder counter;
    private final GaugeSnapshot.Builder gauge;
    private boolean empty = true;

    private Series(String name, String help, boolean isCounter, String... labelNames) {
        this.labelNames = labelNames;
        this.counter = isCounter ? CounterSnapshot.builder().name(name).help(help) : null;
        this.gauge = isCounter ? null : GaugeSnapshot.builder().name(name).help(help);
    }

    /** A counter; {@code name} without the {@code _total} the writer adds. */
    static Series counter(String name, String help, String... labelNames) {
        return new Series(name, help, true, labelNames);
    }

    static Series gauge(String name, String help, String... labelNames) {
        return new Series(name, help, false, labelNames);
    }

    Series add(double value, String... labelValues) {
        Labels labels = Labels.of(labelNames, labelValues);
        if (counter != null) {
            counter.dataPoint(CounterDataPointSnapshot.builder().value(value).labels(labels).build());
        } else {
            gauge.dataPoint(GaugeDataPointSnapshot.builder().value(value).labels(labels).build());
        }
        empty = false;
        return this;
    }

    /** Adds the metric to {@code out} when it has a data point (a metric with none is left out). */
    void into(List<MetricSnapshot> out) {
        if (!empty) {
            out.add(counter != null ? counter.build() : gauge.build());
        }
    }
}
