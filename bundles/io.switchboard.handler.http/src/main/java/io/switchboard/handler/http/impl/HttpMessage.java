package io.switchboard.handler.http.impl;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.flow.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP request as a message of its flow. Its handler forwards it (an {@link Exchange} proxies it
 * to a cluster) or answers it here; body parts that arrive before the handler has decided wait, with
 * the socket not read, so a handler on its own threads cannot make the proxy buffer without bound.
 * Every state change happens on the connection's event loop: calls from other threads hop there.
 */
final class HttpMessage implements Message {
    private final HttpProxyHandler client;
    private final HttpRequest request;
    private final boolean keepAlive;
    /** When the request's head was read: its duration runs from here. */
    final long startNanos = System.nanoTime();
    private Exchange exchange;
    private List<HttpContent> pending;
    private boolean requestComplete;
    private boolean decided;
    private boolean answeredHere;
    private boolean finished;

    HttpMessage(HttpProxyHandler client, HttpRequest request, boolean keepAlive) {
        this.client = client;
        this.request = request;
        this.keepAlive = keepAlive;
    }

    private EventLoop loop() {
        return client.ctx.channel().eventLoop();
    }

    @Override
    public String attribute(String name) {
        return HttpRequestContext.attribute(request, name);
    }

    @Override
    public ByteBuffer payload() {
        return ByteBuffer.wrap((request.method().name() + " " + request.uri()).getBytes(StandardCharsets.ISO_8859_1)).asReadOnlyBuffer();
    }

    @Override
    public void forward(String cluster) {
        if (!loop().inEventLoop()) {
            loop().execute(() -> forward(cluster));
            return;
        }
        if (!decide()) {
            return;
        }
        exchange = new Exchange(client, this, request, keepAlive, cluster);
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
        ByteBuffer sent = request.method() == HttpMethod.HEAD ? null : body;
        boolean goOn = keepAlive && !client.draining();
        client.writeAndFlush(Responses.response(client.ctx.alloc(), status, HttpResponseStatus.valueOf(status).reasonPhrase(),
                contentType, sent, length, goOn));
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
        client.failAndClose(HttpResponseStatus.BAD_GATEWAY, reason);
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
    }

    private void releasePending() {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
            pending = null;
        }
    }
}
