package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;

/**
 * Between the HTTP decoder and {@link HttpProxyHandler}: turns every framing violation into a
 * request whose decoder result failed, so that the proxy answers 400 and closes before anything is
 * forwarded. Violations come from the {@link RequestHeadScanner} (byte level), from the decoder (a
 * failed chunk), or from the decoded head itself: more than one Host, none on HTTP/1.1, an
 * absolute-form target naming another host than Host (one naming the same host is rewritten to
 * origin-form), or a framing the decoder and the scanner do not agree on.
 *
 * <p>A chunked request's head is held until its first chunk line has been read and found good, so a
 * bad first chunk line is rejected with nothing forwarded (not with {@code Expect: 100-continue},
 * whose client waits for the back-end's 100 before it sends the body). A violation later in a body
 * whose head has gone on closes the connection: the exchange then closes its back-end connection,
 * and the back-end never sees the request end. A failed chunk is never passed on as the end of a
 * body.
 *
 * <p>It also counts responses in progress, for the request-head timer, and answers that timer's
 * expiry with 408.
 */
final class RequestFramingValidator extends ChannelDuplexHandler {
    private RequestHeadScanner scanner;
    private ChannelHandlerContext ctx;
    /** A chunked request waiting for its first chunk line. */
    private HttpRequest held;
    /** A request has gone to the proxy and the end of its body has not. */
    private boolean open;
    /** Rejected or timed out: the connection ends; nothing more is passed on. */
    private boolean closing;
    /** Requests passed to the proxy whose response has not been written completely. */
    private int outstanding;

    void scanner(RequestHeadScanner scanner) {
        this.scanner = scanner;
    }

    RequestHeadScanner scanner() {
        return scanner;
    }

    /** True while a response is in progress: the client may be waiting for it. */
    boolean busy() {
        return outstanding > 0;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof RequestHead) {
            // A bodiless head the scanner found whole and good (origin-form, one Host, no framing fields).
            outstanding++;
            open = true; // until the end of its empty body, which follows
            ctx.fireChannelRead(msg);
        } else if (msg instanceof HttpRequest) {
            request((HttpRequest) msg);
        } else if (msg instanceof HttpContent) {
            content((HttpContent) msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * From the scanner: a head it passed on by itself, or a part or the end of that head's body. They
     * come here straight, past the decoder (which only passes them on) and this handler's type checks,
     * and are counted as {@link #channelRead} counts them.
     */
    void passedOn(Object msg) {
        if (closing || held != null) {
            channelRead(ctx, msg);
            return;
        }
        if (msg instanceof RequestHead) {
            outstanding++;
            open = true; // until the end of its body, which follows
        } else if (msg instanceof LastHttpContent) {
            open = false;
        }
        ctx.fireChannelRead(msg);
    }

    private void request(HttpRequest r) {
        if (r.decoderResult().isFailure()) {
            // The decoder's own verdict: the proxy answers it (400, 414, 431) and closes.
            scanner.clearFraming();
            closing = true;
            outstanding++;
            ctx.fireChannelRead(r);
            return;
        }
        String violation = check(r);
        if (violation != null) {
            reject(r, violation);
            return;
        }
        if (!(r instanceof HttpContent) && HttpUtil.isTransferEncodingChunked(r) && !HttpUtil.is100ContinueExpected(r)) {
            held = r;
            return;
        }
        pass(r);
    }

    private void pass(HttpRequest r) {
        outstanding++;
        open = !(r instanceof LastHttpContent);
        ctx.fireChannelRead(r);
    }

    private void content(HttpContent c) {
        if (c.decoderResult().isFailure()) {
            Throwable cause = c.decoderResult().cause();
            c.release();
            violation("invalid chunked body: " + cause.getMessage());
            return;
        }
        if (held != null) {
            HttpRequest r = held;
            held = null;
            pass(r);
            if (closing) {
                c.release();
                return;
            }
        }
        if (c instanceof LastHttpContent) {
            open = false;
        }
        ctx.fireChannelRead(c);
    }

    /** The stream broke the framing rules: reject the request it belongs to, or end the connection. */
    void violation(String reason) {
        if (closing) {
            return;
        }
        if (held != null) {
            HttpRequest r = held;
            held = null;
            reject(r, reason);
        } else if (open) {
            // The head went on with a body that was good so far: the request cannot be completed, and
            // a response may be under way. The connection ends; the exchange closes its back-end one.
            closing = true;
            ctx.close();
        } else {
            reject(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), reason, true);
        }
    }

    private void reject(HttpRequest r, String reason) {
        reject(r, reason, false);
    }

    /** @param synthetic the request stands in for one whose head could not be read */
    private void reject(HttpRequest r, String reason, boolean synthetic) {
        closing = true;
        scanner.clearFraming();
        r.setDecoderResult(DecoderResult.failure(new Rejected(reason, synthetic)));
        outstanding++;
        ctx.fireChannelRead(r); // after any response in progress, the proxy answers 400 and closes
    }

    /** The request head timer expired with no response in progress: 408, then the connection ends. */
    void headTimedOut(long millis) {
        if (closing) {
            return;
        }
        closing = true;
        ByteBuf answer = Responses.error(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
                "request head not complete within " + millis + " ms", false);
        HttpProxyHandler proxy = ctx.pipeline().get(HttpProxyHandler.class);
        if (proxy != null) {
            proxy.logRejected(null, HttpResponseStatus.REQUEST_TIMEOUT.code(), answer, "cR--"); // client timeout, waiting for the request
        }
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /** What is wrong with a decoded head, or null; rewrites an absolute-form target and normalizes chunked. */
    private String check(HttpRequest r) {
        HttpHeaders h = r.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(r);
        long framing = chunked ? RequestFramingHeaders.CHUNKED : HttpUtil.getContentLength(r, 0L);
        long scanned = scanner.pollFraming();
        if (framing != scanned) {
            return "decoder and scanner disagree on the body length (" + framing + ", " + scanned + ")";
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "more than one Host header";
        }
        String host = hosts.isEmpty() ? null : hosts.get(0);
        if (host == null && !HttpVersion.HTTP_1_0.equals(r.protocolVersion())) {
            return "HTTP/1.1 request without Host";
        }
        String uri = r.uri();
        if (!uri.startsWith("/") && !"*".equals(uri) && !HttpMethod.CONNECT.equals(r.method())) {
            String violation = toOriginForm(r, host);
            if (violation != null) {
                return violation;
            }
        }
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // exactly, whatever the case sent
        }
        return null;
    }

    /** An absolute-form target must name the Host header's host; it is then forwarded in origin-form. */
    private static String toOriginForm(HttpRequest r, String host) {
        String uri = r.uri();
        int colon = uri.indexOf(':');
        if (colon <= 0 || !uri.startsWith("//", colon + 1)) {
            return "invalid request target";
        }
        String scheme = uri.substring(0, colon);
        int defaultPort;
        if (scheme.equalsIgnoreCase("http")) {
            defaultPort = 80;
        } else if (scheme.equalsIgnoreCase("https")) {
            defaultPort = 443;
        } else {
            return "request target with scheme " + scheme;
        }
        int start = colon + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String authority = uri.substring(start, end);
        if (authority.isEmpty()) {
            return "request target without a host";
        }
        if (authority.indexOf('@') >= 0) {
            return "userinfo in the request target";
        }
        if (host == null) {
            r.headers().set(HttpHeaderNames.HOST, authority); // HTTP/1.0 without Host: the target names it
        } else if (!normalize(authority, defaultPort).equals(normalize(host, defaultPort))) {
            return "request target names another host than the Host header";
        }
        String rest = uri.substring(end);
        r.setUri(rest.startsWith("/") ? rest : "/" + rest);
        return null;
    }

    private static String normalize(String authority, int defaultPort) {
        String a = authority.trim().toLowerCase(Locale.ROOT);
        String port = ":" + defaultPort;
        if (a.endsWith(port)) {
            a = a.substring(0, a.length() - port.length());
        } else if (a.endsWith(":")) {
            a = a.substring(0, a.length() - 1);
        }
        return a;
    }

    /** A response was written completely (the proxy says so: the pipeline carries bytes, not messages). */
    void responseDone() {
        if (outstanding > 0 && --outstanding == 0 && !closing) {
            scanner.responsesDone();
        }
    }

    private void releaseHeld() {
        if (held != null) {
            ReferenceCountUtil.release(held);
            held = null;
        }
    }

    /** Why a request was rejected; the proxy answers any such failure with 400. */
    static final class Rejected extends DecoderException {
        private static final long serialVersionUID = 1L;
        /** No head was read: the request it comes with stands in for it (the access log shows none). */
        final boolean synthetic;

        Rejected(String reason, boolean synthetic) {
            super(reason, null);
            this.synthetic = synthetic;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // an answer to a client, not a fault: no stack trace to pay for
        }
    }
}
