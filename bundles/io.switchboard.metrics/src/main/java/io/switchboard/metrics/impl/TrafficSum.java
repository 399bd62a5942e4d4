package io.switchboard.metrics.impl;

import io.switchboard.api.telemetry.TrafficCell;

/**
 * The cells of one frontend, cluster, endpoint and address summed over the event loops (and over
 * endpoint versions that differ only in weight). Made at scrape time, by the scraping thread.
 */
final class TrafficSum {
    final String frontend;
    final String cluster;
    final String endpoint;
    final String address;
    final long[] requests = new long[TrafficCell.STATUS_CLASSES.length];
    /** Requests per duration bucket, not cumulative; the last is +Inf. */
    final long[] buckets = new long[TrafficCell.BUCKET_SECONDS.length + 1];
    long durationNanos;
    long retries;
    long relaysOpened;
    long relaysClosed;

    TrafficSum(TrafficCell first) {
        this.frontend = first.frontend();
        this.cluster = first.cluster();
        this.endpoint = first.endpoint();
        this.address = first.address();
    }

    /** The labels that make cells one series. */
    static String key(TrafficCell c) {
        // NUL cannot occur in a configured name: the parts cannot run into each other.
        return c.frontend() + '\0' + c.cluster() + '\0' + c.endpoint() + '\0' + c.address();
    }

    void add(TrafficCell c) {
        for (int i = 0; i < requests.length; i++) {
            requests[i] += c.requests(i);
        }
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] += c.inBucket(i);
        }
        durationNanos += c.durationNanos();
        retries += c.retries();
        relaysOpened += c.relaysOpened();
        relaysClosed += c.relaysClosed();
    }

    /** Requests counted in the histogram (every status class). */
    long count() {
        long n = 0;
        for (long b : buckets) {
            n += b;
        }
        return n;
    }
}
