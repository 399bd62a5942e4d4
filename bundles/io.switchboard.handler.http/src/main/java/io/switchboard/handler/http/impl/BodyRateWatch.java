package io.switchboard.handler.http.impl;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Watches the request body in progress on one client connection for a client that trickles it (one
 * byte every few seconds holds a connection and a back-end connection forever). Once a second while
 * a body is coming: a body with no byte for {@code requestBodyTimeoutSeconds}, or, once it has been
 * coming for a whole window, with fewer than {@code minBodyRateBytesPerSecond} × the window's seconds
 * in the last {@code bodyRateWindowSeconds}, is too slow: 408, and the connection closes. Seconds in
 * which the proxy itself was not reading the socket (the back-end pushed back, a connection was being
 * opened, the request waited for its handler) do not count against the client: the window starts again.
 *
 * <p>One per connection, made when a body first outlasts its read batch; a body that comes with its
 * head in one read never starts the timer. Counting a read costs one addition.
 */
final class BodyRateWatch implements Runnable {
    private final HttpProxyHandler client;
    private final long timeoutNanos;
    private final long minBytesPerWindow;
    /** Bytes read in each of the last seconds (a ring of the window's length). */
    private final long[] seconds;
    private ScheduledFuture<?> timer;
    private HttpMessage watched;
    private long readThisSecond;
    /** Whole seconds measured since the window (re)started. */
    private int measured;
    private long lastByteNanos;
    /** The client waits for a 100 Continue before it sends the body: the clock starts with its first byte. */
    private boolean awaitingFirstByte;

    BodyRateWatch(HttpProxyHandler client, HttpSettings settings) {
        this.client = client;
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(settings.requestBodyTimeoutSeconds);
        this.seconds = new long[settings.bodyRateWindowSeconds];
        this.minBytesPerWindow = (long) settings.minBodyRateBytesPerSecond * settings.bodyRateWindowSeconds;
    }

    /** The request whose body is still coming: watched from now on (again: nothing changes). */
    void watch(HttpMessage m) {
        if (watched == m) {
            return;
        }
        watched = m;
        awaitingFirstByte = m.expectsContinue();
        restart(System.nanoTime());
        if (timer == null) {
            schedule();
        }
    }

    /** Body bytes read from the client. */
    void read(int n) {
        readThisSecond += n;
    }

    void cancel() {
        watched = null;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void restart(long now) {
        Arrays.fill(seconds, 0);
        measured = 0;
        readThisSecond = 0;
        lastByteNanos = now;
    }

    private void schedule() {
        timer = client.ctx.executor().schedule(this, 1, TimeUnit.SECONDS);
    }

    @Override
    public void run() {
        timer = null;
        HttpMessage m = watched;
        if (m == null || !client.receivingBody(m)) {
            watched = null;
            return;
        }
        long now = System.nanoTime();
        if (awaitingFirstByte && readThisSecond == 0) {
            restart(now);
            schedule();
            return;
        }
        awaitingFirstByte = false;
        if (!client.reading()) {
            restart(now); // held back by the proxy: not the client's slowness
            schedule();
            return;
        }
        if (readThisSecond > 0) {
            lastByteNanos = now;
        } else if (timeoutNanos > 0 && now - lastByteNanos >= timeoutNanos) {
            tooSlow(m, "no request body byte for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s (requestBodyTimeoutSeconds)");
            return;
        }
        seconds[measured++ % seconds.length] = readThisSecond;
        readThisSecond = 0;
        if (minBytesPerWindow > 0 && measured >= seconds.length) {
            long sum = 0;
            for (long s : seconds) {
                sum += s;
            }
            if (sum < minBytesPerWindow) {
                tooSlow(m, "request body at " + sum / seconds.length + " bytes/s over the last " + seconds.length
                        + " s, under minBodyRateBytesPerSecond " + minBytesPerWindow / seconds.length);
                return;
            }
        }
        schedule();
    }

    private void tooSlow(HttpMessage m, String reason) {
        watched = null;
        client.bodyTooSlow(m, reason);
    }
}
