package io.switchboard.transport.impl.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
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
            e.responseObject((HttpObject) msg);
        } else {
            // Bytes on an idle connection: the back-end is out of step; never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
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
