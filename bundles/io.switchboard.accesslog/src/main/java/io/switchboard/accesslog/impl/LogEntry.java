package io.switchboard.accesslog.impl;

import io.switchboard.api.log.LoggedExchange;
import java.net.InetSocketAddress;

/**
 * One slot of the ring: the facts of one exchange, copied in by an event loop (references and
 * numbers only), read and cleared by the writer thread. Slots are allocated once, with the ring.
 */
final class LogEntry {
    /** Filled completely: a producer that failed half-way still publishes its slot, marked not valid. */
    boolean valid;
    InetSocketAddress client;
    String frontend;
    String cluster;
    String endpoint;
    String method;
    String target;
    String protocol;
    String referer;
    String userAgent;
    String termination;
    int status;
    int retries;
    long requestBodyBytes;
    long bytesSent;
    long bodyBytesSent;
    long startNanos;
    long endNanos;
    long connectNanos;
    long responseNanos;

    /** Copies the exchange's facts (on the caller's thread). */
    void copyFrom(LoggedExchange e, long endNanos) {
        client = e.client();
        frontend = e.frontend();
        cluster = e.cluster();
        endpoint = e.endpoint();
        method = e.method();
        target = e.target();
        protocol = e.protocol();
        referer = e.referer();
        userAgent = e.userAgent();
        termination = e.termination();
        status = e.status();
        retries = e.retries();
        requestBodyBytes = e.requestBodyBytes();
        bytesSent = e.bytesSent();
        bodyBytesSent = e.bodyBytesSent();
        startNanos = e.startNanos();
        connectNanos = e.connectNanos();
        responseNanos = e.responseNanos();
        this.endNanos = endNanos;
    }

    /** Lets go of the references once written, so a quiet ring holds no request's strings. */
    void clear() {
        client = null;
        frontend = null;
        cluster = null;
        endpoint = null;
        method = null;
        target = null;
        protocol = null;
        referer = null;
        userAgent = null;
        termination = null;
    }

    /** Milliseconds the exchange took, from the request head to the log call. */
    long totalMillis() {
        return (endNanos - startNanos) / 1_000_000;
    }
}
