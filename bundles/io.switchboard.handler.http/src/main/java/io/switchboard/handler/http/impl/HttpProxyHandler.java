package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.switchboard.api.tls.Tls;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.support.tls.BackendTlsContexts;
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
    /** An HTTP/2 stream, not an HTTP/1.1 connection. */
    final boolean stream;
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
    /** The frontend's settings: body and tunnel limits. */
    private final HttpSettings settings;
    /** Watches a request body that is still coming for one that trickles (made once a body outlasts a read). */
    private BodyRateWatch bodyWatch;

    HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, String via) {
        this(connection, protocol, validator, via, true);
    }

    HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, HttpSettings settings) {
        this(connection, protocol, validator, settings.via, settings.dropUnderscoreHeaders, settings, false);
    }

    HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, String via,
                     boolean dropUnderscoreHeaders) {
        this(connection, protocol, validator, via, dropUnderscoreHeaders, HttpSettings.DEFAULTS, false);
    }

    /**
     * @param stream whether this serves one HTTP/2 stream (its child channel) rather than an HTTP/1.1
     *     connection: one request, no validator (the frame codec checks), the response ended by a
     *     {@link LastHttpContent} (END_STREAM) instead of its framing, the stream closed, never the connection
     */
    HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, HttpSettings settings,
                     boolean stream) {
        this(connection, protocol, validator, settings.via, settings.dropUnderscoreHeaders, settings, stream, new ConnectionSession());
    }

    /**
     * One HTTP/2 stream of a connection whose {@code session} (its count among the client's
     * connections) all its streams share: the connection, not the stream, gives it back.
     */
    HttpProxyHandler(Connection connection, HttpProtocol protocol, HttpSettings settings, ConnectionSession session) {
        this(connection, protocol, null, settings.via, settings.dropUnderscoreHeaders, settings, true, session);
        ownsSession = false;
    }

    private HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, String via,
                     boolean dropUnderscoreHeaders, HttpSettings settings, boolean stream) {
        this(connection, protocol, validator, via, dropUnderscoreHeaders, settings, stream, new ConnectionSession());
    }

    private HttpProxyHandler(Connection connection, HttpProtocol protocol, RequestFramingValidator validator, String via,
                     boolean dropUnderscoreHeaders, HttpSettings settings, boolean stream, ConnectionSession session) {
        this.session = session;
        this.settings = settings;
        this.stream = stream;
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

    /** The client's address: a trusted proxy's PROXY header's, else the channel's (no allocation). */
    InetSocketAddress clientAddress() {
        return connection.clientAddress();
    }

    BackendTlsContexts backendTls() {
        return protocol.backendTls();
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
        // The transport puts the TLS handler before the protocol's: it is there now or never.
        scheme = ctx.pipeline().get(Tls.HANDLER) != null ? "https" : "http";
    }

    private String clientIp;
    private String scheme = "http";

    /** The scheme the client speaks: https on a frontend that terminates TLS. */
    String scheme() {
        return scheme;
    }

    /** The server name the client asked for in its TLS handshake, or null. */
    String sni() {
        return ctx.channel().attr(Tls.SNI).get();
    }

    /** The client's address as text, for the forwarding headers (formatted once per connection). */
    String clientIp() {
        if (clientIp == null) {
            clientIp = clientAddress().getAddress().getHostAddress();
        }
        return clientIp;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inReadBatch = true;
        if (msg instanceof HttpContent) {
            int n = ((HttpContent) msg).content().readableBytes();
            flow.countIn(n);
            if (bodyWatch != null) {
                bodyWatch.read(n);
            }
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
        RequestHead head;
        if (msg instanceof RequestHead) {
            head = (RequestHead) msg; // the scanner's: a bodiless request in origin-form, checked
        } else if (msg instanceof HttpRequest) {
            HttpRequest request = (HttpRequest) msg;
            if (request.decoderResult().isFailure()) {
                rejectMalformed(request);
                return;
            }
            if (HttpMethod.CONNECT.equals(request.method())) {
                rejectConnect(request);
                return;
            }
            head = RequestHead.of(request);
        } else {
            // The rest of a request that was already answered (an error, or an early response).
            ReferenceCountUtil.release(msg);
            return;
        }
        connection.requestStarted();
        boolean keepAlive = head.keepAlive() && !draining;
        // The access log's one volatile read per request; off, it is null and nothing more is done for it.
        HttpMessage message = new HttpMessage(this, head, keepAlive, protocol.accessLogs().active());
        if (!stream && !head.http10 && validator.scanner().holding() && head.contains("upgrade")) {
            // The bytes after this request wait in the scan until its exchange ends: a tunnel's, or HTTP again.
            message.holdsScan(Upgrades.asked(head));
        }
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
        answerAndClose(answer);
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
        answerAndClose(answer);
    }

    /**
     * Writes the proxy's own answer and ends: the HTTP/1.1 connection closes; an HTTP/2 stream ends
     * (END_STREAM), and is reset if the client is still sending.
     */
    private void answerAndClose(ByteBuf answer) {
        if (stream) {
            ctx.write(answer, ctx.voidPromise());
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Called by the exchange when its response is complete (or it failed) and the connection may go on. */
    /** An exchange object that ended cleanly, kept for this connection's next request (see {@link Exchange#reuse}). */
    private Exchange spareExchange;

    void spareExchange(Exchange e) {
        spareExchange = e;
    }

    /** The kept exchange object, now the caller's; null when there is none. */
    Exchange takeSpareExchange() {
        Exchange e = spareExchange;
        spareExchange = null;
        return e;
    }

    void exchangeDone(HttpMessage exchange, boolean keepAlive) {
        if (current != exchange) {
            return;
        }
        current = null;
        if (stream) {
            // The stream's one request is answered: END_STREAM. A client still sending its body gets a reset.
            closing = true;
            ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (exchange.receivingRequest()) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
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
        if (exchange.holdsScan()) {
            validator.scanner().resume(); // no switch: what the client sent after the request is HTTP
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

    /**
     * The back-end switched protocols for {@code exchange}: the connection is no longer HTTP. The
     * tunnel takes it over with the 101 head, the bytes the back-end sent after it and those the
     * client sent after its request (all owned by the tunnel from here).
     */
    void upgraded(HttpMessage exchange, Tunnel tunnel, ByteBuf head, ByteBuf fromBackend) {
        current = null;
        closing = true;
        exchange.tunneled();
        responseWatch.cancel();
        if (bodyWatch != null) {
            bodyWatch.cancel();
        }
        releaseQueued();
        ByteBuf fromClient = validator.scanner().takeHeld();
        tunnel.open(head, fromBackend, fromClient, settings.tunnelIdleSeconds);
    }

    /** Bytes a tunnel wrote to the client: counted as the connection's (its access log entry reads them). */
    void countTunnelOut(int n) {
        bytesOut += n;
        flow.countOut(n);
    }

    /** A request body fell under the minimum rate or went silent past its timeout: 408 and close (see {@link BodyRateWatch}). */
    void bodyTooSlow(HttpMessage m, String reason) {
        if (current == m && !closing) {
            m.requestBodyTimeout(reason);
        }
    }

    /** Whether {@code m} is the request in progress and its body is still coming. */
    boolean receivingBody(HttpMessage m) {
        return current == m && !closing && m.receivingRequest();
    }

    /** Whether the socket is being read: while it is not, a slow body is the proxy's doing, not the client's. */
    boolean reading() {
        return ctx.channel().config().isAutoRead();
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
        answerAndClose(answer);
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
            // A body that did not come whole with its read batch is watched for trickling; most never are.
            if (current.receivingRequest() && !closing && settings.watchesBody()) {
                if (bodyWatch == null) {
                    bodyWatch = new BodyRateWatch(this, settings);
                }
                bodyWatch.watch(current);
            }
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

    /**
     * The connection's count among its client's connections (sessionEnd = close). An HTTP/2 stream
     * shares its connection's, which the connection gives back when it closes, not the stream.
     */
    private final ConnectionSession session;
    /** Whether this handler's channel is the connection whose close gives the session back (not an HTTP/2 stream's). */
    private boolean ownsSession = true;

    /** The connection's first request to a sticky cluster makes it one of that client's connections. */
    void countSession(io.switchboard.api.runtime.ClusterSnapshot cluster, io.switchboard.api.RequestContext request) {
        session.count(cluster, request);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ownsSession) {
            session.end();
        }
        closing = true;
        responseWatch.cancel();
        if (bodyWatch != null) {
            bodyWatch.cancel();
        }
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
