package io.switchboard.transport.impl.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.Endpoint;
import io.switchboard.transport.impl.UpstreamPool;

/** The back-end side of a pooled HTTP connection: passes the response to the exchange that owns it. */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final Endpoint endpoint;
    private Exchange exchange;

    BackendHandler(UpstreamPool pool, Endpoint endpoint) {
        this.pool = pool;
        this.endpoint = endpoint;
    }

    void attach(Exchange e) {
        this.exchange = e;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = exchange;
        if (e != null && msg instanceof HttpObject) {
            String invalid = invalidResponse((HttpObject) msg);
            if (invalid != null) {
                // A response that cannot be framed safely: the client gets a 502 (or, mid-response, a
                // close) and this connection, whose stream can no longer be trusted, is never reused.
                ReferenceCountUtil.release(msg);
                e.backendResponseInvalid(invalid);
                ctx.close();
                return;
            }
            e.responseObject((HttpObject) msg);
        } else {
            // Bytes on an idle connection: the back-end is out of step; never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    /** Why a response (or a part of it) from the back-end must not be passed on, or null. */
    static String invalidResponse(HttpObject o) {
        if (o.decoderResult().isFailure()) {
            Throwable cause = o.decoderResult().cause();
            if (cause instanceof ContentLengthNotAllowedException) {
                return "Transfer-Encoding together with Content-Length";
            }
            return o instanceof HttpResponse ? "malformed response head (" + cause.getMessage() + ")"
                    : "malformed response body (" + cause.getMessage() + ")";
        }
        if (o instanceof HttpResponse) {
            HttpHeaders h = ((HttpResponse) o).headers();
            if (h.contains(HttpHeaderNames.TRANSFER_ENCODING) && h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return "Transfer-Encoding together with Content-Length";
            }
        }
        return null;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.flushClient();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.backendWritable(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.backendClosed();
        } else {
            pool.forget(endpoint, ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && exchange == null) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive tells the exchange
    }
}
