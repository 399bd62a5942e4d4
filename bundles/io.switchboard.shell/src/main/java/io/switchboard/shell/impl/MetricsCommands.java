package io.switchboard.shell.impl;

import io.switchboard.api.metrics.MetricsScrape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code sb:metrics}: the Prometheus scrape as the admin surface serves it at /metrics. */
@Component(service = MetricsCommands.class, property = {
        "osgi.command.scope=sb",
        "osgi.command.function=metrics"})
public class MetricsCommands {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MetricsScrape scrape;

    @Descriptor("every metric series in the Prometheus text format (what /metrics serves)")
    public String metrics() {
        return metrics("");
    }

    @Descriptor("the metric lines that contain the text (and their HELP and TYPE lines)")
    public String metrics(@Descriptor("text to look for, e.g. a metric name, a frontend or an endpoint id") String filter) {
        MetricsScrape s = scrape;
        if (s == null) {
            return "the metrics bundle is not running";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            s.write(out);
        } catch (IOException | RuntimeException e) {
            return "the scrape failed: " + e;
        }
        String text = out.toString(StandardCharsets.UTF_8);
        if (filter.isEmpty()) {
            return text.stripTrailing();
        }
        StringBuilder kept = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.contains(filter)) {
                kept.append(line).append('\n');
            }
        }
        return kept.length() == 0 ? "no metric line contains '" + filter + "'" : kept.toString().stripTrailing();
    }
}
