package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.ExchangeState.AWAITING_RESPONSE;
import static io.switchboard.handler.http.impl.ExchangeState.CONNECTING;
import static io.switchboard.handler.http.impl.ExchangeState.DISPATCHING;
import static io.switchboard.handler.http.impl.ExchangeState.DONE;
import static io.switchboard.handler.http.impl.ExchangeState.FORWARDING;
import static io.switchboard.handler.http.impl.ExchangeState.STREAMING_RESPONSE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.ClusterSnapshot;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.transport.BackendPool;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One request and its response: choose an endpoint, take or open a back-end connection on the
 * client's event loop, stream the request there and the response back. All on one thread. The
 * response goes to the client as the back-end's bytes: its head rewritten in one copy
 * ({@link ResponseHead}), its body as slices of the buffers it arrived in. Where it is in all this
 * is its {@link ExchangeState}.
 */
final class Exchange {
    private final HttpProxyHandler client;
    private final HttpMessage message;
    private final HttpRequest request;
    private final boolean keepAlive;
    private final boolean headRequest;
    private final boolean chunkedRequest;
    private final String clusterName;
    private ExchangeState state = DISPATCHING;
    private ClusterSnapshot cluster;
    private HttpRequestContext context;
    private Set<String> excluded = Set.of();
    private Endpoint endpoint;
    private EndpointCounters counters;
    private Channel backend;
    private BackendHandler backendHandler;
    private List<HttpContent> pending;
    /** Endpoints tried so far (a stale pooled connection does not count). */
    private int attempts;

    // Facts beside the state: each holds across several states, so they are flags, not states.
    /** The client has sent the whole request (not a state: a back-end may answer before it has it all). */
    private boolean requestComplete;
    /** The request has no body bytes and no trailer: it can be sent again. */
    private boolean requestBodiless = true;
    /** The request has gone to a back-end once already. */
    private boolean retried;
    /** An endpoint was passed over for its connection limit: when none is left, that is a 503, not a 502. */
    private boolean atLimit;
    /** The connection came from the pool: closed before any response, it may only have gone stale there. */
    private boolean backendReused;
    /** From the response head: the back-end keeps the connection open after this response. */
    private boolean backendReusable;
    /** From the response head: it ends the client connection (asked to, or it lasts until the back-end closes). */
    private boolean closeAfter;

    Exchange(HttpProxyHandler client, HttpMessage message, HttpRequest request, boolean keepAlive, String clusterName) {
        this.client = client;
        this.message = message;
        this.request = request;
        this.keepAlive = keepAlive;
        this.clusterName = clusterName;
        this.headRequest = request.method() == HttpMethod.HEAD;
        this.chunkedRequest = HttpUtil.isTransferEncodingChunked(request);
    }

    /**
     * Every change of state goes through here. The first-byte deadline belongs to AWAITING_RESPONSE:
     * set on the way in, cleared on the way out.
     */
    private void moveTo(ExchangeState next) {
        assert state.canMoveTo(next) : state + " -> " + next;
        if (state == AWAITING_RESPONSE) {
            client.noResponseDue();
        } else if (next == AWAITING_RESPONSE) {
            client.expectResponseBy(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(cluster.firstByteTimeoutMillis()));
        }
        state = next;
    }

    void start() {
        ClusterDirectory clusters = client.clusters();
        cluster = clusters == null ? null : clusters.cluster(clusterName);
        if (cluster == null) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no cluster named " + clusterName);
            return;
        }
        InetSocketAddress peer = (InetSocketAddress) client.ctx.channel().remoteAddress();
        context = new HttpRequestContext(client.frontendName(), peer, request);
        dispatch();
    }

    private void dispatch() {
        if (attempts > cluster.retries()) {
            fail(HttpResponseStatus.BAD_GATEWAY, "no back-end answered after " + attempts + " attempts");
            return;
        }
        Endpoint e = cluster.choose(context, excluded);
        Channel pooled = null;
        BackendPool pool = client.backends();
        while (e != null && (pooled = takeIdle(pool, e)) == null && cluster.maxConnections() > 0
                && pool.openConnections(e) >= cluster.maxConnections()) {
            atLimit = true; // every connection this loop may open to it is busy: another endpoint serves
            exclude(e);
            e = cluster.choose(context, excluded);
        }
        if (e == null) {
            fail(excluded.isEmpty() || atLimit ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.BAD_GATEWAY,
                    excluded.isEmpty() ? "no endpoint available"
                            : atLimit ? "every endpoint is at its connection limit" : "no back-end reachable");
            return;
        }
        endpoint = e;
        attempts++;
        counters = cluster.counters(e);
        counters.started();
        if (pooled != null) {
            attach(pooled, true);
            return;
        }
        moveTo(CONNECTING);
        client.setAutoRead(false); // hold the body in the socket until there is somewhere to send it
        Channel clientChannel = client.ctx.channel();
        Endpoint target = e;
        pool.connect(clientChannel.eventLoop(), target, new BackendInitializer(target, cluster.idleTimeoutMillis()), cluster.connectTimeoutMillis())
                .addListener((ChannelFuture f) -> connected(f, target));
    }

    /**
     * An idle pooled connection to the endpoint. One an older version of this bundle released has the
     * older response reader in its pipeline: it is clean (only a cleanly ended exchange releases a
     * connection), so this version's reader takes its place.
     */
    private static Channel takeIdle(BackendPool pool, Endpoint e) {
        Channel ch;
        while ((ch = pool.pollIdle(HttpProtocol.POOL, e)) != null) {
            if (ch.pipeline().get(BackendHandler.class) != null) {
                return ch;
            }
            if (ch.pipeline().get(BackendInitializer.HANDLER) != null) {
                ch.pipeline().replace(BackendInitializer.HANDLER, BackendInitializer.HANDLER, new BackendHandler(e));
                return ch;
            }
            ch.close(); // not one of ours
        }
        return null;
    }

    private void connected(ChannelFuture f, Endpoint e) {
        if (state == DONE) {
            if (f.isSuccess()) {
                client.backends().release(HttpProtocol.POOL, e, f.channel()); // clean and unused: good for the next request
            }
            return;
        }
        if (f.isSuccess()) {
            attach(f.channel(), false);
            if (!requestComplete) {
                client.setAutoRead(true);
            }
        } else {
            // Nothing was sent: trying another endpoint is always safe.
            counters.finished(false);
            exclude(e);
            moveTo(DISPATCHING);
            dispatch();
        }
    }

    private void exclude(Endpoint e) {
        if (excluded.isEmpty()) {
            excluded = new HashSet<>(4);
        }
        excluded.add(e.id());
    }

    private void attach(Channel ch, boolean reused) {
        moveTo(FORWARDING);
        backend = ch;
        backendReused = reused;
        backendHandler = ch.pipeline().get(BackendHandler.class);
        backendHandler.attach(this, headRequest);
        ch.write(RequestEncoder.head(ch.alloc(), request, client.clientIp(), client.via), ch.voidPromise());
        if (pending != null) {
            for (HttpContent c : pending) {
                RequestEncoder.content(ch, c, chunkedRequest);
            }
            pending = null;
        } else if (retried && requestComplete && chunkedRequest) {
            ch.write(RequestEncoder.lastChunk(), ch.voidPromise()); // the first attempt consumed it
        }
        flushBackendUnlessReading();
        if (requestComplete) {
            moveTo(AWAITING_RESPONSE);
        }
    }

    /** The connection's response watch found this exchange past its first-byte deadline. */
    void firstByteTimeout() {
        if (state != AWAITING_RESPONSE) {
            return;
        }
        // Not retried: the back-end may still be working on it, and a second one would do it again.
        counters.finished(false);
        abandonBackend().close();
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "back-end " + endpoint.id() + " sent no response within "
                + cluster.firstByteTimeoutMillis() + " ms");
    }

    void requestContent(HttpContent c) {
        if (c instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (c.content().isReadable() || (c instanceof LastHttpContent && !((LastHttpContent) c).trailingHeaders().isEmpty())) {
            requestBodiless = false;
        }
        if (state == DONE) {
            c.release();
        } else if (backend != null) {
            RequestEncoder.content(backend, c, chunkedRequest);
            if (requestComplete) {
                flushBackendUnlessReading();
                if (state == FORWARDING) { // not after an early response
                    moveTo(AWAITING_RESPONSE);
                }
            }
        } else {
            if (pending == null) {
                pending = new ArrayList<>(2);
            }
            pending.add(c);
        }
    }

    void flushBackend() {
        if (backend != null) {
            backend.flush();
        }
    }

    /**
     * One write syscall per request: while the client's read batch is still being handled, its
     * end (channelReadComplete) flushes the back-end once; otherwise flush now.
     */
    private void flushBackendUnlessReading() {
        if (!client.inReadBatch()) {
            backend.flush();
        }
    }

    void responseHead(ResponseHead head) {
        if (state == DONE) {
            return;
        }
        if (head.informational()) {
            client.write(head.encode(client.ctx.alloc(), null, client.via)); // e.g. 100 Continue: passed on, the real response follows
            return;
        }
        moveTo(STREAMING_RESPONSE);
        backendReusable = head.persistent;
        boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        // An HTTP/1.0 client cannot take chunks: it gets the data, and the close ends the body.
        boolean dechunk = http10 && head.body == ResponseHead.Body.CHUNKED;
        if (dechunk) {
            backendHandler.dechunk();
        }
        closeAfter = !keepAlive || client.draining() || head.body == ResponseHead.Body.UNTIL_CLOSE || dechunk;
        String connection = closeAfter ? "close" : http10 ? "keep-alive" : null;
        client.write(head.encode(client.ctx.alloc(), connection, client.via, dechunk));
    }

    void responseBody(ByteBuf part) {
        if (state == DONE) {
            part.release();
        } else {
            client.write(part);
        }
    }

    void responseEnd() {
        if (state != DONE) {
            client.flush();
            complete();
        }
    }

    void flushClient() {
        client.flush();
    }

    private void complete() {
        moveTo(DONE);
        counters.finished(true);
        Channel b = detachBackend();
        // Reuse only a connection whose exchange ended cleanly on both sides: a back-end that answered
        // before the request body was all sent would read the rest as a new request.
        if (backendReusable && requestComplete) {
            client.backends().release(HttpProtocol.POOL, endpoint, b);
        } else {
            b.close();
        }
        message.done(keepAlive && !closeAfter);
    }

    private Channel detachBackend() {
        Channel b = backend;
        backendHandler.detach();
        backend = null;
        backendHandler = null;
        return b;
    }

    /** Lets go of a back-end connection whose response has not ended; the caller closes it. */
    private Channel abandonBackend() {
        Channel b = backend;
        backendHandler.abandon();
        backend = null;
        backendHandler = null;
        return b;
    }

    /**
     * The back-end connection went the cluster's idle timeout without a byte. Before the response
     * the first-byte timeout is in charge; mid-response (and only while the proxy is reading it, not
     * while a slow client holds it back) the response is cut: the client connection closes.
     */
    void backendIdle() {
        if (state != STREAMING_RESPONSE || !backend.config().isAutoRead()) {
            return;
        }
        counters.finished(false);
        abandonBackend().close();
        cutResponse();
    }

    /** The back-end connection closed (or failed) while this exchange used it. */
    void backendClosed() {
        if (state == DONE) {
            return;
        }
        boolean staleConnection = backendReused && !retried;
        if (!staleConnection) {
            counters.finished(false);
        } else {
            counters.finished(true); // a pooled connection the back-end had closed: not the endpoint's failure
        }
        detachBackend();
        if (state == STREAMING_RESPONSE) {
            cutResponse();
            return;
        }
        // Nothing came back: a bodiless idempotent request can safely be sent again. A stale pooled
        // connection is tried again on the same endpoint; a failed endpoint is left out.
        if (requestComplete && requestBodiless && isIdempotent(request.method())) {
            retried = true;
            if (staleConnection) {
                attempts--;
            } else {
                exclude(endpoint);
            }
            moveTo(DISPATCHING);
            dispatch();
            return;
        }
        fail(HttpResponseStatus.BAD_GATEWAY, "back-end " + endpoint.id() + " closed the connection before responding");
    }

    /**
     * The back-end sent a response that cannot be framed safely (e.g. Transfer-Encoding with
     * Content-Length): as {@link #backendClosed()}, but never retried, with the reason in the 502.
     * The caller closes the back-end connection.
     */
    void backendResponseInvalid(String reason) {
        if (state == DONE) {
            return;
        }
        counters.finished(false);
        detachBackend();
        if (state == STREAMING_RESPONSE) {
            cutResponse();
        } else {
            fail(HttpResponseStatus.BAD_GATEWAY, "back-end " + endpoint.id() + " sent an invalid response: " + reason);
        }
    }

    /** The response has begun and cannot be completed: closing the client connection shows it was cut. */
    private void cutResponse() {
        moveTo(DONE);
        client.abort();
    }

    private static boolean isIdempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.TRACE
                || m == HttpMethod.PUT || m == HttpMethod.DELETE;
    }

    void clientClosed() {
        if (state == DONE) {
            return;
        }
        moveTo(DONE);
        releasePending();
        if (backend != null) {
            counters.finished(true); // the client left; not the endpoint's failure
            abandonBackend().close();
        } else if (counters != null) {
            counters.finished(true);
        }
    }

    void clientWritable(boolean writable) {
        if (backend != null) {
            backend.config().setAutoRead(writable);
        }
    }

    void backendWritable(boolean writable) {
        if (!requestComplete) {
            client.setAutoRead(writable);
        }
    }

    private void fail(HttpResponseStatus status, String detail) {
        moveTo(DONE);
        releasePending();
        boolean goOn = keepAlive && !client.draining();
        client.gatewayError(status, detail);
        client.writeAndFlush(Responses.error(client.ctx.alloc(), status, detail, goOn, headRequest));
        message.done(goOn);
    }

    /** The handler gave up on this request after forwarding it: end it and the connection. */
    void abort(String reason) {
        if (state == DONE) {
            return;
        }
        boolean responseStarted = state == STREAMING_RESPONSE;
        moveTo(DONE);
        releasePending();
        if (counters != null) {
            counters.finished(true);
        }
        if (backend != null) {
            abandonBackend().close();
        }
        if (responseStarted) {
            client.abort();
        } else {
            client.failAndClose(HttpResponseStatus.BAD_GATEWAY, reason);
        }
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }
}
