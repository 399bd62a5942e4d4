package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.RequestContext;
import io.switchboard.api.flow.Message;
import io.switchboard.api.log.AccessLog;
import io.switchboard.api.log.LoggedExchange;
import io.switchboard.api.runtime.ClusterSnapshot;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request as a message of its flow. Its handler forwards it (an {@link Exchange} proxies it
 * to a cluster) or answers it here; body parts that arrive before the handler has decided wait, with
 * the socket not read, so a handler on its own threads cannot make the proxy buffer without bound.
 * Every state change happens on the connection's event loop: calls from other threads hop there.
 *
 * <p>It is also the request's access log entry ({@link LoggedExchange}): when the log was on as the
 * request began, what the log needs is noted here as the exchange goes, and the entry is given to the
 * log once, when the client has its answer (or left), from the event loop.
 *
 * <p>And it is what the cluster's policy reads of the request ({@link RequestContext}): a message is
 * never reused, so a context kept past the choice still names this request.
 */
final class HttpMessage implements Message, LoggedExchange, RequestContext {
    private final HttpProxyHandler client;
    private final RequestHead request;
    private final boolean keepAlive;
    /** When the request's head was read: its duration runs from here. */
    final long startNanos = System.nanoTime();
    private Exchange exchange;
    private List<HttpContent> pending;
    private boolean requestComplete;
    private boolean decided;
    private boolean answeredHere;
    private boolean finished;
    /** The protocols the request asks to switch to (a real upgrade request), or null. */
    private String upgrade;
    /** The request scan holds the bytes after this request until its exchange ends (it has an Upgrade field). */
    private boolean holdsScan;

    // The access log entry: filled only when the log was on as the request began (accessLog not null).
    private final AccessLog accessLog;
    private boolean logged;
    private long bytesOutAtStart;
    private long requestBodyBytes;
    private int status = NO_RESPONSE;
    /** The connection's bytes out where this response's body begins (after its head; a 100 Continue before it is no body). */
    private long bodyFrom;
    private String termination;

    HttpMessage(HttpProxyHandler client, RequestHead request, boolean keepAlive, AccessLog accessLog) {
        this.client = client;
        this.request = request;
        this.keepAlive = keepAlive;
        this.accessLog = accessLog;
        if (accessLog != null) {
            bytesOutAtStart = client.bytesOut();
        }
    }

    /** The request ends the scan until its exchange ends; {@code upgrade}: what it asks to switch to, or null. */
    void holdsScan(String upgrade) {
        this.holdsScan = true;
        this.upgrade = upgrade;
    }

    /** Whether the client waits for a 100 Continue before it sends the body. */
    boolean expectsContinue() {
        return request.expectsContinue();
    }

    boolean holdsScan() {
        return holdsScan;
    }

    /** The protocols the request asks to switch to, or null when it is no upgrade request. */
    String upgrade() {
        return upgrade;
    }

    /** The connection became a tunnel: nothing more of this request is HTTP. */
    void tunneled() {
        finished = true;
        requestComplete = true;
    }

    /** Whether this request goes to the access log: then the exchange notes its timings. */
    boolean logging() {
        return accessLog != null;
    }

    /** The response the client gets, its head about to be written: its status and the bytes of its head. */
    void responded(int status, int headBytes) {
        if (accessLog != null) {
            this.status = status;
            this.bodyFrom = client.bytesOut() + headBytes;
        }
    }

    /** A response made here, about to be written: its status, and its head measured (only when logging). */
    void responded(int status, ByteBuf response) {
        if (accessLog != null) {
            responded(status, Responses.headLength(response));
        }
    }

    /** The exchange is over for the client, ended as {@code termination} (HAProxy's code): its entry goes to the log, once. */
    void ended(String termination) {
        if (accessLog == null || logged) {
            return;
        }
        logged = true;
        this.termination = termination;
        client.accessLogs().log(accessLog, this);
    }

    private EventLoop loop() {
        return client.ctx.channel().eventLoop();
    }

    @Override
    public String attribute(String name) {
        if ("sni".equals(name)) {
            return client.sni();
        }
        return HttpRequestContext.attribute(request, name);
    }

    @Override
    public ByteBuffer payload() {
        return ByteBuffer.wrap((request.method() + " " + request.uri()).getBytes(StandardCharsets.ISO_8859_1)).asReadOnlyBuffer();
    }

    @Override
    public void forward(String cluster) {
        forward(cluster, null);
    }

    /**
     * Forwards the request to the cluster its handler routed it to, with that cluster's snapshot from
     * the same configuration table as the rule that picked it (null: look the cluster up by name).
     */
    void forward(String cluster, ClusterSnapshot routed) {
        if (!loop().inEventLoop()) {
            loop().execute(() -> forward(cluster, routed));
            return;
        }
        if (!decide()) {
            return;
        }
        Exchange spare = client.takeSpareExchange();
        exchange = spare != null ? spare.reuse(client, this, request, keepAlive, cluster, routed)
                : new Exchange(client, this, request, keepAlive, cluster, routed);
        exchange.start();
        if (pending != null) {
            List<HttpContent> parts = pending;
            pending = null;
            parts.forEach(exchange::requestContent);
        }
        if (!requestComplete && !finished) {
            client.setAutoRead(true);
        }
    }

    @Override
    public void reply(int status, String contentType, ByteBuffer body) {
        if (!loop().inEventLoop()) {
            ByteBuffer copy = copy(body);
            loop().execute(() -> reply(status, contentType, copy));
            return;
        }
        if (!decide()) {
            return;
        }
        answeredHere = true;
        releasePending();
        client.countAnswered(status, startNanos);
        int length = body == null ? 0 : body.remaining();
        // A response to HEAD carries the length of the body it does not send.
        ByteBuffer sent = request.methodIs("HEAD") ? null : body;
        boolean goOn = keepAlive && !client.draining();
        ByteBuf response = Responses.response(client.ctx.alloc(), status, HttpResponseStatus.valueOf(status).reasonPhrase(),
                contentType, sent, length, goOn);
        responded(status, response);
        client.writeAndFlush(response);
        ended("----");
        if (requestComplete) {
            done(goOn);
        } else {
            client.setAutoRead(true); // read (and drop) the rest of the body, then the next request
        }
    }

    @Override
    public void fail(String reason) {
        if (!loop().inEventLoop()) {
            loop().execute(() -> fail(reason));
            return;
        }
        if (finished) {
            return;
        }
        decided = true;
        releasePending();
        if (exchange != null) {
            exchange.abort(reason);
            return;
        }
        finished = true;
        client.countAnswered(HttpResponseStatus.BAD_GATEWAY.code(), startNanos);
        client.failAndClose(HttpResponseStatus.BAD_GATEWAY, reason, this);
        ended("PH--"); // the handler gave up on the request: the proxy's own failure
    }

    private boolean decide() {
        if (finished) {
            return false;
        }
        if (decided) {
            throw new IllegalStateException("this request was already forwarded or answered");
        }
        decided = true;
        return true;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    boolean receivingRequest() {
        return !requestComplete;
    }

    void requestContent(HttpContent c) {
        requestBodyBytes += c.content().readableBytes();
        boolean last = c instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (exchange != null) {
            exchange.requestContent(c);
        } else if (answeredHere || finished) {
            c.release();
            if (last && answeredHere && !finished) {
                done(keepAlive && !client.draining());
            }
        } else {
            if (pending == null) {
                pending = new ArrayList<>(2);
            }
            pending.add(c);
            client.setAutoRead(false); // undecided: keep the rest in the socket
        }
    }

    /** The body is coming too slowly (see {@link BodyRateWatch}): 408 if nothing of a response has gone, and the connection closes. */
    void requestBodyTimeout(String reason) {
        if (exchange != null) {
            exchange.requestBodyTimeout(reason);
            return;
        }
        boolean answered = answeredHere;
        finished = true;
        releasePending();
        if (answered) {
            client.abort(); // the answer went; the rest of its body is not waited for
            return;
        }
        decided = true;
        client.countAnswered(HttpResponseStatus.REQUEST_TIMEOUT.code(), startNanos);
        client.failAndClose(HttpResponseStatus.REQUEST_TIMEOUT, reason, this);
        ended("cR--");
    }

    /**
     * The exchange ended cleanly and was logged: its object goes back to the connection for the next
     * request, so this message no longer reaches it (the entry's exchange facts were read at the log call).
     */
    void exchangeEnded() {
        exchange = null;
    }

    /** The exchange (or a reply) is complete: the connection may go on with the next request. */
    void done(boolean keepAliveAfter) {
        finished = true;
        client.exchangeDone(this, keepAliveAfter);
    }

    void flushBackend() {
        if (exchange != null) {
            exchange.flushBackend();
        }
    }

    void clientWritable(boolean writable) {
        if (exchange != null) {
            exchange.clientWritable(writable);
        }
    }

    void firstByteTimeout() {
        if (exchange != null) {
            exchange.firstByteTimeout();
        }
    }

    void clientClosed() {
        finished = true;
        releasePending();
        if (exchange != null) {
            exchange.clientClosed();
        }
        ended("CR--"); // unless the exchange or an answer logged it already: the client left before any answer
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }

    // LoggedExchange: read by the access log inside its log call, on this event loop.

    @Override public InetSocketAddress client() { return client.clientAddress(); }
    @Override public InetSocketAddress clientAddress() { return client.clientAddress(); }
    @Override public String frontend() { return client.frontendName(); }
    @Override public String cluster() { return exchange == null ? null : exchange.clusterName(); }
    @Override public String endpoint() { return exchange == null || exchange.endpoint == null ? null : exchange.endpoint.id(); }
    @Override public String method() { return request.method(); }
    @Override public String target() { return request.uri(); }
    @Override public String protocol() { return client.stream ? "HTTP/2.0" : request.protocol(); }
    @Override public String referer() { return request.header("referer"); }
    @Override public String userAgent() { return request.header("user-agent"); }
    @Override public int status() { return status; }
    @Override public long requestBodyBytes() { return requestBodyBytes; }
    @Override public long bytesSent() { return client.bytesOut() - bytesOutAtStart; }
    @Override public long bodyBytesSent() { return status == NO_RESPONSE ? 0 : Math.max(0, client.bytesOut() - bodyFrom); }
    @Override public long startNanos() { return startNanos; }
    @Override public long connectNanos() { return exchange == null ? -1 : exchange.connectNanos; }
    @Override public long responseNanos() { return exchange == null ? -1 : exchange.responseNanos; }
    @Override public int retries() { return exchange == null ? 0 : exchange.retries(); }
    @Override public String termination() { return termination; }
}
