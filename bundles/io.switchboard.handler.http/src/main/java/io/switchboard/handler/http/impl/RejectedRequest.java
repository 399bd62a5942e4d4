package io.switchboard.handler.http.impl;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.switchboard.api.log.LoggedExchange;
import java.net.InetSocketAddress;

/**
 * The access log entry of a request answered before it became a message: a framing violation (400),
 * a head over the limits (414, 431), a head that did not come in time (408). Made only on these
 * error paths, and only when the log is on.
 */
final class RejectedRequest implements LoggedExchange {
    private final InetSocketAddress client;
    private final String frontend;
    /** Null when no head could be read. */
    private final HttpRequest request;
    private final int status;
    private final long bytesSent;
    private final int headBytes;
    private final String termination;
    private final long startNanos = System.nanoTime();

    RejectedRequest(InetSocketAddress client, String frontend, HttpRequest request, int status, long bytesSent, int headBytes,
                    String termination) {
        this.client = client;
        this.frontend = frontend;
        this.request = request;
        this.status = status;
        this.bytesSent = bytesSent;
        this.headBytes = headBytes;
        this.termination = termination;
    }

    @Override public InetSocketAddress client() { return client; }
    @Override public String frontend() { return frontend; }
    @Override public String cluster() { return null; }
    @Override public String endpoint() { return null; }
    @Override public String method() { return request == null ? null : request.method().name(); }
    @Override public String target() { return request == null ? null : request.uri(); }
    @Override public String protocol() { return request == null ? null : request.protocolVersion().text(); }
    @Override public String referer() { return request == null ? null : request.headers().get(HttpHeaderNames.REFERER); }
    @Override public String userAgent() { return request == null ? null : request.headers().get(HttpHeaderNames.USER_AGENT); }
    @Override public int status() { return status; }
    @Override public long requestBodyBytes() { return 0; }
    @Override public long bytesSent() { return bytesSent; }
    @Override public long bodyBytesSent() { return bytesSent - headBytes; }
    @Override public long startNanos() { return startNanos; }
    @Override public long connectNanos() { return -1; }
    @Override public long responseNanos() { return -1; }
    @Override public int retries() { return 0; }
    @Override public String termination() { return termination; }
}
