package io.switchboard.handler.http.impl;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches a client connection's exchange for a back-end response that is late. One timer per
 * connection instead of one per request: it is scheduled when a deadline is set and none is pending,
 * and when it fires it either times the exchange out or sleeps until the newer deadline.
 */
final class ResponseWatch implements Runnable {
    private final HttpProxyHandler client;
    private ScheduledFuture<?> timer;
    /** When the response must have started (System.nanoTime); 0 when none is due. */
    private long deadline;

    ResponseWatch(HttpProxyHandler client) {
        this.client = client;
    }

    /** The current exchange must see the first byte of its response by then (System.nanoTime). */
    void expectBy(long deadlineNanos) {
        deadline = deadlineNanos;
        if (timer == null) {
            timer = client.ctx.executor().schedule(this, deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
    }

    /** No response is due any more: it started, or the exchange went another way. */
    void clear() {
        deadline = 0;
    }

    /** The connection has closed. */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void run() {
        timer = null;
        if (deadline == 0 || !client.exchangeInProgress()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            timer = client.ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
        } else {
            deadline = 0;
            client.firstByteTimeout();
        }
    }
}
