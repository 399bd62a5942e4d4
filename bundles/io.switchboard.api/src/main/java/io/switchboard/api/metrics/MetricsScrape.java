package io.switchboard.api.metrics;

import java.io.IOException;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every metric series of the runtime in the Prometheus text exposition format, written on demand.
 * Registered by the metrics bundle; the admin surface serves it at {@code /metrics}. Scraping reads
 * per-loop counters and merges them: it never blocks the data path.
 */
@ProviderType
public interface MetricsScrape {
    /** The content type of {@link #write}'s output (Prometheus text format 0.0.4). */
    String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Writes every series, with HELP and TYPE lines, in the Prometheus text format. */
    void write(OutputStream out) throws IOException;
}
