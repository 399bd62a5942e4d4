package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.log.AccessLog;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.telemetry.TrafficMeter;
import io.switchboard.api.transport.BackendPool;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.DrainEvent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The client side of an HTTP/1.1 connection. Requests are handled one at a time, in order: while an
 * exchange is in progress, pipelined requests wait in arrival order and the socket is not read, so
 * responses go back in request order and nothing is buffered without bound.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
    private final Connection connection;
    private final HttpProtocol protocol;
    private final RequestFramingValidator validator;
    /** The Via value this proxy adds ("1.1 name"), or null. */
    final String via;
    /** Whether request header names with an underscore stay behind. */
    final boolean dropUnderscoreHeaders;
    ChannelHandlerContext ctx;
    private final TrackedFlow flow;
    /** The traffic counters of this connection's frontend on its loop (the transport's: they outlive this code). */
    final TrafficMeter meter;
    private HttpMessage current;
    private final ArrayDeque<Object> queued = new ArrayDeque<>(2);
    private boolean draining;
    private boolean inReadBatch;
    /** The first-byte deadline of the exchange in progress. */
    final ResponseWatch responseWatch = new ResponseWatch(this);
    /** Pipelined messages held before the socket stops being read. */
    static final int MAX_QUEUED = 32;
    private boolean closing;
    /** Bytes written to the client on this connection: an exchange's share is the difference. */
    private long bytesOut;

    HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, String via) {
        this(connection, protocol, validator, via, true);
    }

    HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, String via,
                     boolean dropUnderscoreHeaders) {
        this.dropUnderscoreHeaders = dropUnderscoreHeaders;
        this.connection = connection;
        this.protocol = protocol;
        this.flow = connection.flow();
        this.meter = connection.meter();
        this.validator = validator;
        this.via = via;
    }

    /** The clusters in force (the last known good while the control plane is being updated). */
    ClusterDirectory clusters() {
        return protocol.clusters();
    }

    /** The back-end pool in force: the current transport's, asked each time. */
    BackendPool backends() {
        return connection.backends();
    }

    String frontendName() {
        return flow.frontend();
    }

    /** The connection's flow: the exchange notes there which endpoint its request goes to. */
    TrackedFlow flow() {
        return flow;
    }

    /** The client's address (the channel keeps it: no allocation). */
    InetSocketAddress clientAddress() {
        return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    AccessLogs accessLogs() {
        return protocol.accessLogs();
    }

    long bytesOut() {
        return bytesOut;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    private String clientIp;

    /** The client's address as text, for the forwarding headers (formatted once per connection). */
    String clientIp() {
        if (clientIp == null) {
            clientIp = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        }
        return clientIp;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBatch = true;
        if (msg instanceof HttpContent) {
            flow.countIn(((HttpContent) msg).content().readableBytes());
        }
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (current != null && current.receivingRequest() && msg instanceof HttpContent) {
            current.requestContent((HttpContent) msg);
        } else if (current != null || !queued.isEmpty()) {
            // Pipelined requests wait their turn. Reading stops only when many wait: a client that
            // sends one request at a time never makes the socket change its interest (no epoll_ctl).
            queued.add(msg);
            if (queued.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            begin(msg);
        }
    }

    private void begin(Object msg) {
        if (!(msg instanceof HttpRequest)) {
            // The rest of a request that was already answered (an error, or an early response).
            ReferenceCountUtil.release(msg);
            return;
        }
        HttpRequest request = (HttpRequest) msg;
        if (request.decoderResult().isFailure()) {
            rejectMalformed(request);
            return;
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            rejectConnect(request);
            return;
        }
        connection.requestStarted();
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining;
        // The access log's one volatile read per request; off, it is null and nothing more is done for it.
        HttpMessage message = new HttpMessage(this, request, keepAlive, protocol.accessLogs().active());
        current = message;
        if (draining) {
            busy(true);
        }
        connection.route(message);
        if (msg instanceof HttpContent) {
            if (current == message) {
                message.requestContent((HttpContent) msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void rejectMalformed(HttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        countAnswered(Responses.rejectionCode(cause), System.nanoTime());
        ByteBuf answer = Responses.rejection(ctx.alloc(), cause);
        // Only a head the validator rejected is a real one; the decoder's own failures come with a stand-in
        // (and so do violations before any head): logged as a request that could not be read.
        boolean realHead = cause instanceof RequestFramingValidator.Rejected && !((RequestFramingValidator.Rejected) cause).synthetic;
        logRejected(realHead ? request : null, Responses.rejectionStatus(cause).code(), answer, "PR--");
        ReferenceCountUtil.release(request);
        // After a framing error the rest of the stream cannot be trusted: answer and close.
        closing = true;
        releaseQueued();
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * CONNECT asks for a tunnel, which a reverse proxy does not open: forwarded as an ordinary request
     * it would reach a back-end that never expected one. 405, and the connection closes (the bytes
     * after a CONNECT are the tunnel's, not a next request).
     */
    private void rejectConnect(HttpRequest request) {
        countAnswered(HttpResponseStatus.METHOD_NOT_ALLOWED.code(), System.nanoTime());
        ByteBuf answer = Responses.error(ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                "CONNECT is not served: this frontend is a reverse proxy, not a forward proxy", false);
        logRejected(request, HttpResponseStatus.METHOD_NOT_ALLOWED.code(), answer, "PR--");
        ReferenceCountUtil.release(request);
        closing = true;
        releaseQueued();
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /** Called by the exchange when its response is complete (or it failed) and the connection may go on. */
    void exchangeDone(HttpMessage exchange, boolean keepAlive) {
        if (current != exchange) {
            return;
        }
        current = null;
        validator.responseDone();
        if (!keepAlive || closing) {
            closing = true;
            releaseQueued();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Object next;
        while ((next = queued.poll()) != null) {
            if (current == null) {
                begin(next);
            } else if (current.receivingRequest() && next instanceof HttpContent) {
                current.requestContent((HttpContent) next);
            } else {
                queued.addFirst(next);
                break;
            }
        }
        // Draining: a response begun before the drain went out keep-alive, so the client may send one
        // more request; it gets "Connection: close" (no close under the client's feet).
        if (draining) {
            busy(current != null);
        }
        if (queued.isEmpty() && (current == null || current.receivingRequest())) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Response bytes are written as they come; the flush happens once per back-end read batch. */
    void write(ByteBuf b) {
        countOut(b);
        ctx.write(b, ctx.voidPromise());
    }

    /** Counts a request answered here, not by an exchange with a cluster (a handler's reply, a rejection). */
    void countAnswered(int status, long startNanos) {
        meter.cell("", null).request(status, System.nanoTime() - startNanos);
    }

    /** Counts and logs (once per burst) an error the proxy answers itself. */
    void gatewayError(HttpResponseStatus status, String reason) {
        protocol.gatewayErrors().answered(frontendName(), status, reason);
    }

    void writeAndFlush(ByteBuf b) {
        countOut(b);
        ctx.writeAndFlush(b, ctx.voidPromise());
    }

    private void countOut(ByteBuf b) {
        int n = b.readableBytes();
        bytesOut += n;
        flow.countOut(n);
    }

    /** Answers with an error and closes the connection: the request's handler failed. */
    void failAndClose(HttpResponseStatus status, String reason, HttpMessage message) {
        gatewayError(status, reason);
        closing = true;
        releaseQueued();
        current = null;
        ByteBuf answer = Responses.error(ctx.alloc(), status, reason, false);
        message.responded(status.code(), answer);
        countOut(answer);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Logs a request answered before it became a message (400, 414, 431, 408): {@code request} is
     * null when none could be read. The error path only: this entry is allocated.
     */
    void logRejected(HttpRequest request, int status, ByteBuf answer, String termination) {
        AccessLog log = protocol.accessLogs().active();
        if (log != null) {
            protocol.accessLogs().log(log, new RejectedRequest(clientAddress(), frontendName(), request, status,
                    answer.readableBytes(), Responses.headLength(answer), termination));
        }
    }

    void flush() {
        ctx.flush();
    }

    /** The response cannot be completed: close so that the client does not take a truncated response as whole. */
    void abort() {
        closing = true;
        releaseQueued();
        ctx.close();
    }

    void setAutoRead(boolean on) {
        ctx.channel().config().setAutoRead(on);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        if (current != null) {
            current.flushBackend();
        }
    }

    /** Whether an exchange is in progress on a connection that goes on: the response watch has one to watch. */
    boolean exchangeInProgress() {
        return current != null && !closing;
    }

    /** The response watch found the exchange in progress past its first-byte deadline. */
    void firstByteTimeout() {
        current.firstByteTimeout();
    }

    /** Whether the client's current read batch is still being handled: its end flushes the back-end. */
    boolean inReadBatch() {
        return inReadBatch;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritable(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof DrainEvent) {
            // Finish what is in progress; the next response says Connection: close. An idle
            // connection is not closed under its client, unless the frontend itself goes away.
            draining = true;
            boolean idle = current == null && queued.isEmpty();
            busy(!idle);
            if (idle && ((DrainEvent) evt).closeIdleNow()) {
                closing = true;
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent) {
            if (current == null) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Run when this connection closes: the dispatcher cluster counts a sticky client's connections (sessionEnd = close). */
    private Runnable sessionRelease;
    private boolean sessionCounted;

    /** The connection's first request to a sticky cluster makes it one of that client's connections. */
    void countSession(io.switchboard.api.runtime.ClusterSnapshot cluster, io.switchboard.api.RequestContext request) {
        if (!sessionCounted) {
            sessionRelease = cluster.connectionOpened(request);
            sessionCounted = sessionRelease != null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Runnable release = sessionRelease;
        sessionRelease = null;
        if (release != null) {
            release.run();
        }
        closing = true;
        responseWatch.cancel();
        releaseQueued();
        HttpMessage e = current;
        current = null;
        if (e != null) {
            e.clientClosed();
        }
    }

    /** Whether the connection drains: every response from now on says "Connection: close". */
    boolean draining() {
        return draining;
    }

    /** While draining, tells the transport whether a request is in progress (cut short if so at the deadline). */
    private void busy(boolean b) {
        ctx.channel().attr(DrainEvent.BUSY).set(b);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are the client's business; the connection simply ends.
        ctx.close();
    }

    private void releaseQueued() {
        Object o;
        while ((o = queued.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }
}
