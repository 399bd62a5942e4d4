package io.switchboard.api.telemetry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The counters of one frontend, cluster and endpoint on one event loop: HTTP requests by status
 * class, their durations as a fixed-bucket histogram, retries, relayed connections. Only the loop
 * that owns the cell writes it; a scrape reads it from another thread and sums the cells of every
 * loop that have the same labels.
 *
 * <p>Why this costs a few stores per request: the owner reads its own plain values (program order
 * makes them its latest) and stores each new value with an opaque write. Opaque needs no fence and
 * no lock-prefixed instruction (on x86 it is a plain {@code mov}), yet a long is never seen torn and
 * the value becomes visible to the scrape in bounded time. With one writer there is no lost update,
 * so no atomic read-modify-write is needed; a scrape may see one counter a request ahead of
 * another, which a monotonic counter tolerates. Each loop allocates its own cells (its own TLAB), so
 * two loops do not write the same cache line. An API class and not a transport one, so that it is
 * handed from one transport version to the next as it is.
 */
public final class TrafficCell {
    /** Upper bounds (seconds) of the duration buckets, Prometheus' le; a last bucket takes the rest (+Inf). */
    public static final double[] BUCKET_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Status classes, by index: the first is for a request that got no response (the client left before one). */
    public static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private static final long[] BUCKET_NANOS = new long[BUCKET_SECONDS.length];
    static {
        for (int i = 0; i < BUCKET_SECONDS.length; i++) {
            BUCKET_NANOS[i] = Math.round(BUCKET_SECONDS[i] * 1e9);
        }
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    // Layout of the one array: status classes, then the other counters, then the buckets (+Inf last).
    private static final int RETRIES = STATUS_CLASSES.length;
    private static final int OPENED = RETRIES + 1;
    private static final int CLOSED = OPENED + 1;
    private static final int DURATION_SUM = CLOSED + 1;
    private static final int BUCKET0 = DURATION_SUM + 1;
    private static final int SIZE = BUCKET0 + BUCKET_SECONDS.length + 1;

    private final String frontend;
    private final String cluster;
    private final String endpoint;
    private final String address;
    private final long[] slots = new long[SIZE];

    /**
     * @param endpoint the endpoint's id, or "" for requests that reached no endpoint (none available,
     *                 no such cluster, or answered by a handler without a cluster)
     * @param address  the endpoint's host:port, or ""
     */
    public TrafficCell(String frontend, String cluster, String endpoint, String address) {
        this.frontend = Objects.requireNonNull(frontend);
        this.cluster = Objects.requireNonNull(cluster);
        this.endpoint = Objects.requireNonNull(endpoint);
        this.address = Objects.requireNonNull(address);
    }

    public String frontend() { return frontend; }
    public String cluster() { return cluster; }
    public String endpoint() { return endpoint; }
    public String address() { return address; }

    private void add(int slot, long n) {
        SLOT.setOpaque(slots, slot, slots[slot] + n);
    }

    private long read(int slot) {
        return (long) SLOT.getOpaque(slots, slot);
    }

    /** The index in {@link #STATUS_CLASSES} of a status code (0, or anything outside 100..599: none). */
    public static int statusClass(int status) {
        return status >= 100 && status <= 599 ? status / 100 : 0;
    }

    /** The index of the duration bucket (0 .. {@code BUCKET_SECONDS.length}, the last one +Inf). */
    public static int bucket(long nanos) {
        int i = 0;
        while (i < BUCKET_NANOS.length && nanos > BUCKET_NANOS[i]) {
            i++;
        }
        return i;
    }

    /** An HTTP request ended with this status (0: no response was sent) after this long. Owner loop only. */
    public void request(int status, long nanos) {
        add(statusClass(status), 1);
        long d = Math.max(0, nanos);
        add(DURATION_SUM, d);
        add(BUCKET0 + bucket(d), 1);
    }

    /** An attempt on this endpoint failed and the request went to another attempt. Owner loop only. */
    public void retried() {
        add(RETRIES, 1);
    }

    /** A relayed connection (TCP stream, UDP flow) to this endpoint opened. Owner loop only. */
    public void relayOpened() {
        add(OPENED, 1);
    }

    /** A relayed connection to this endpoint closed. Owner loop only. */
    public void relayClosed() {
        add(CLOSED, 1);
    }

    /** Requests in a status class (an index of {@link #STATUS_CLASSES}). */
    public long requests(int statusClass) { return read(statusClass); }
    public long retries() { return read(RETRIES); }
    public long relaysOpened() { return read(OPENED); }
    public long relaysClosed() { return read(CLOSED); }
    public long durationNanos() { return read(DURATION_SUM); }

    /** Requests in one duration bucket (not cumulative); index {@code BUCKET_SECONDS.length} is +Inf. */
    public long inBucket(int bucket) { return read(BUCKET0 + bucket); }

    @Override
    public String toString() {
        return frontend + "/" + cluster + "/" + endpoint + "=" + address;
    }
}
