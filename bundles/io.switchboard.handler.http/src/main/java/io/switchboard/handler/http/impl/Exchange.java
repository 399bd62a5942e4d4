package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.ExchangeState.AWAITING_RESPONSE;
import static io.switchboard.handler.http.impl.ExchangeState.CONNECTING;
import static io.switchboard.handler.http.impl.ExchangeState.DISPATCHING;
import static io.switchboard.handler.http.impl.ExchangeState.DONE;
import static io.switchboard.handler.http.impl.ExchangeState.FORWARDING;
import static io.switchboard.handler.http.impl.ExchangeState.STREAMING_RESPONSE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.runtime.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * One request and its response: once {@link BackendDispatch} has a back-end connection for it, the
 * request is streamed there and the response back. All on the client's event loop. The response goes
 * to the client as the back-end's bytes: its head rewritten in one copy ({@link ResponseHead}), its
 * body as slices of the buffers it arrived in. Where it is in all this is its {@link ExchangeState}.
 */
final class Exchange extends BackendDispatch {
    private HttpMessage message;
    private boolean keepAlive;
    private boolean headRequest;
    private boolean chunkedRequest;
    private Channel backend;
    private BackendHandler backendHandler;
    /** Request parts that came before the connection was ready. */
    private List<HttpContent> pending;

    // Facts beside the state (more in BackendDispatch): each holds across several states, so flags.
    /** The connection came from the pool: closed before any response, it may only have gone stale there. */
    private boolean backendReused;
    /** From the response head: the back-end keeps the connection open after this response. */
    private boolean backendReusable;
    /** From the response head: it ends the client connection (asked to, or it lasts until the back-end closes). */
    private boolean closeAfter;

    /** The response in progress breaks the framing rules (an invalid response, not a failed back-end). */
    private boolean invalidResponse;
    /** When the request went out on its connection (timed only). */
    private long requestSentAt;

    Exchange(HttpProxyHandler client, HttpMessage message, RequestHead request, boolean keepAlive, String clusterName,
            ClusterSnapshot routed) {
        super(client, request, message, clusterName, routed, message.logging(), message.startNanos);
        init(message, request, keepAlive);
    }

    /**
     * This object, which ended cleanly as the connection's last exchange ({@link #reusable}), for the
     * connection's next request: every field as the constructor sets it.
     */
    Exchange reuse(HttpProxyHandler client, HttpMessage message, RequestHead request, boolean keepAlive, String clusterName,
                   ClusterSnapshot routed) {
        reset(client, request, message, clusterName, routed, message.logging(), message.startNanos);
        init(message, request, keepAlive);
        return this;
    }

    private void init(HttpMessage message, RequestHead request, boolean keepAlive) {
        this.message = message;
        this.keepAlive = keepAlive;
        this.headRequest = request.methodIs("HEAD");
        this.chunkedRequest = request.chunked();
        this.backend = null;
        this.backendHandler = null;
        this.pending = null;
        this.backendReused = false;
        this.backendReusable = false;
        this.closeAfter = false;
        this.invalidResponse = false;
        this.requestSentAt = 0;
    }

    /** The Host an HTTP/1.0 request without one gets: the endpoint's address; null when the request has one. */
    private String hostFor(io.switchboard.api.Endpoint e) {
        return e == null || request.contains("host") ? null : e.addressText();
    }

    @Override
    void attach(Channel ch, boolean reused) {
        moveTo(FORWARDING);
        if (timed) {
            long now = System.nanoTime();
            connectNanos = reused ? 0 : now - connectStartedAt;
            requestSentAt = now;
        }
        backend = ch;
        backendReused = reused;
        backendHandler = ch.pipeline().get(BackendHandler.class);
        boolean upgrade = message.upgrade() != null;
        backendHandler.attach(this, headRequest, upgrade);
        ch.write(RequestEncoder.head(ch.alloc(), request, client.clientIp(), client.via, hostFor(endpoint),
                client.dropUnderscoreHeaders, client.scheme(), upgrade), ch.voidPromise());
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
        if (state() != AWAITING_RESPONSE) {
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
        if (state() == DONE) {
            c.release();
        } else if (backend != null) {
            RequestEncoder.content(backend, c, chunkedRequest);
            if (requestComplete) {
                flushBackendUnlessReading();
                if (state() == FORWARDING) { // not after an early response
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
        if (state() == DONE) {
            return;
        }
        if (head.informational()) {
            client.write(head.encode(client.ctx.alloc(), null, client.via)); // e.g. 100 Continue: passed on, the real response follows
            return;
        }
        moveTo(STREAMING_RESPONSE);
        if (timed) {
            responseNanos = System.nanoTime() - requestSentAt;
        }
        status = head.status;
        backendReusable = head.persistent;
        boolean http10 = request.http10;
        // An HTTP/1.0 client cannot take chunks: it gets the data, and the close ends the body.
        // Nor can an HTTP/2 stream: DATA frames carry the data, END_STREAM ends it.
        boolean dechunk = (http10 || client.stream) && head.body == ResponseHead.Body.CHUNKED;
        if (dechunk) {
            backendHandler.dechunk();
        }
        closeAfter = !keepAlive || client.draining() || head.body == ResponseHead.Body.UNTIL_CLOSE || dechunk;
        String connection = closeAfter ? "close" : http10 ? "keep-alive" : null;
        ByteBuf encoded = head.encode(client.ctx.alloc(), connection, client.via, dechunk);
        message.responded(head.status, encoded.readableBytes());
        client.write(encoded);
    }

    /**
     * The back-end answered the upgrade request with 101: if it switched to a protocol the request
     * asked for, once the whole request has gone, the two connections become a {@link Tunnel} (which
     * then owns {@code rest}) and the exchange is over, counted as one request with status 101; it is
     * logged when the tunnel ends. Otherwise the client gets a 502; false: the caller closes the
     * back-end connection and releases {@code rest}.
     */
    boolean switched(ResponseHead head, ByteBuf rest) {
        if (state() == DONE) {
            return false;
        }
        String mismatch = Upgrades.mismatch(message.upgrade(), head.upgrade);
        if (mismatch == null && !requestComplete) {
            mismatch = "101 Switching Protocols before the request was complete";
        }
        if (mismatch != null) {
            backendResponseInvalid(mismatch);
            return false;
        }
        if (timed) {
            responseNanos = System.nanoTime() - requestSentAt;
        }
        status = head.status;
        Channel b = backend;
        backendHandler.detach();
        backend = null;
        backendHandler = null;
        moveTo(DONE);
        client.flow().upgraded(Upgrades.first(head.upgrade));
        ByteBuf encoded = head.encode(client.ctx.alloc(), "upgrade", client.via);
        message.responded(head.status, encoded.readableBytes());
        client.upgraded(message, new Tunnel(client, message, b, counters, cell()), encoded, rest);
        return true;
    }

    void responseBody(ByteBuf part) {
        if (state() == DONE) {
            part.release();
        } else {
            client.write(part);
        }
    }

    void responseEnd() {
        if (state() != DONE) {
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
        // Nor one that began with a PROXY header naming this client: it is not another client's.
        if (backendReusable && requestComplete && cluster.sendProxyProtocol() == 0) {
            // The response may have ended while the client was unwritable, its back-end's reads held:
            // a pooled connection reads (to see its close), and the next exchange must get its response.
            b.config().setAutoRead(true);
            client.backends().release(partition, endpoint, b);
        } else {
            b.close();
        }
        message.ended("----");
        HttpMessage m = message;
        boolean goOn = keepAlive && !closeAfter;
        if (goOn && !client.stream && pending == null && reusable()) {
            // Logged and over: the message lets go of this object, which waits for the connection's
            // next request; from done() on (it may begin a pipelined request) it is that request's.
            m.exchangeEnded();
            message = null;
            client.spareExchange(this);
        }
        m.done(goOn);
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
        if (state() != STREAMING_RESPONSE || !backend.config().isAutoRead()) {
            return;
        }
        counters.finished(false);
        abandonBackend().close();
        cutResponse("sD--"); // the server went silent mid-response
    }

    /** The back-end connection closed (or failed) while this exchange used it. */
    void backendClosed() {
        if (state() == DONE) {
            return;
        }
        boolean staleConnection = backendReused && !retried;
        if (!staleConnection) {
            counters.finished(false);
        } else {
            counters.finished(true); // a pooled connection the back-end had closed: not the endpoint's failure
        }
        detachBackend();
        if (state() == STREAMING_RESPONSE) {
            cutResponse("SD--");
            return;
        }
        if (!dispatchAgain(staleConnection)) {
            fail(HttpResponseStatus.BAD_GATEWAY, "back-end " + endpoint.id() + " closed the connection before responding");
        }
    }

    /**
     * The back-end sent a response that cannot be framed safely (e.g. Transfer-Encoding with
     * Content-Length): as {@link #backendClosed()}, but never retried, with the reason in the 502.
     * The caller closes the back-end connection.
     */
    void backendResponseInvalid(String reason) {
        if (state() == DONE) {
            return;
        }
        counters.finished(false);
        detachBackend();
        invalidResponse = true;
        if (state() == STREAMING_RESPONSE) {
            cutResponse("PD--");
        } else {
            fail(HttpResponseStatus.BAD_GATEWAY, "back-end " + endpoint.id() + " sent an invalid response: " + reason);
        }
    }

    /** The response has begun and cannot be completed: closing the client connection shows it was cut. */
    private void cutResponse(String termination) {
        moveTo(DONE);
        message.ended(termination);
        client.abort();
    }

    void clientClosed() {
        ExchangeState before = state();
        if (before == DONE) {
            return;
        }
        moveTo(DONE);
        message.ended(before == STREAMING_RESPONSE ? "CD--" : before == CONNECTING ? "CC--" : "CH--");
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

    @Override
    void fail(HttpResponseStatus status, String detail) {
        ExchangeState before = state();
        this.status = status.code();
        moveTo(DONE);
        releasePending();
        boolean goOn = keepAlive && !client.draining();
        client.gatewayError(status, detail);
        ByteBuf answer = Responses.error(client.ctx.alloc(), status, detail, goOn, headRequest);
        message.responded(status.code(), answer);
        client.writeAndFlush(answer);
        message.ended(termination(status, before));
        message.done(goOn);
    }

    /** HAProxy's termination state of an error the proxy answered. */
    private String termination(HttpResponseStatus status, ExchangeState before) {
        if (status.code() == 504) {
            return "sH--"; // the server's first byte did not come in time
        }
        if (invalidResponse) {
            return "PH--"; // the proxy refused the server's response
        }
        if (status.code() == 502 && (before == FORWARDING || before == AWAITING_RESPONSE)) {
            return "SH--"; // the server closed before its response head
        }
        return "SC--"; // no server could be reached (or none was available)
    }

    /**
     * The client sends its body too slowly (see {@link BodyRateWatch}): the back-end connection, which
     * would wait for the rest, closes; the client gets a 408 if nothing of the response has gone to it,
     * and its connection closes either way. The client's doing: no failure of the endpoint.
     */
    void requestBodyTimeout(String reason) {
        ExchangeState before = state();
        if (before == DONE) {
            return;
        }
        if (before != DISPATCHING && counters != null) {
            counters.finished(true);
        }
        if (backend != null) {
            abandonBackend().close();
        }
        releasePending();
        if (before == STREAMING_RESPONSE) {
            moveTo(DONE);
            message.ended("cD--");
            client.abort();
            return;
        }
        status = HttpResponseStatus.REQUEST_TIMEOUT.code();
        moveTo(DONE);
        client.failAndClose(HttpResponseStatus.REQUEST_TIMEOUT, reason, message);
        message.ended("cR--");
    }

    /** The handler gave up on this request after forwarding it: end it and the connection. */
    void abort(String reason) {
        if (state() == DONE) {
            return;
        }
        boolean responseStarted = state() == STREAMING_RESPONSE;
        if (!responseStarted) {
            status = HttpResponseStatus.BAD_GATEWAY.code(); // failAndClose below
        }
        moveTo(DONE);
        releasePending();
        if (counters != null) {
            counters.finished(true);
        }
        if (backend != null) {
            abandonBackend().close();
        }
        if (responseStarted) {
            message.ended("PD--");
            client.abort();
        } else {
            client.failAndClose(HttpResponseStatus.BAD_GATEWAY, reason, message);
            message.ended("PH--");
        }
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }
}
