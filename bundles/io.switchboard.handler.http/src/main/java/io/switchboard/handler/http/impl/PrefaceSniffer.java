package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.transport.Connection;
import io.switchboard.api.transport.DrainEvent;

/**
 * First on a cleartext connection of a frontend with {@code h2c} on: reads until the bytes either
 * are the HTTP/2 client preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, prior knowledge) or
 * cannot be, then puts the HTTP/2 or the HTTP/1.1 pipeline in its place and hands it what it read.
 * An HTTP/1.1 request differs from the preface at its first byte in practice (no method is "PRI").
 */
final class PrefaceSniffer extends ChannelInboundHandlerAdapter {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final HttpProtocol protocol;
    private final Connection connection;
    private final HttpSettings settings;
    private ByteBuf seen;

    PrefaceSniffer(HttpProtocol protocol, Connection connection, HttpSettings settings) {
        this.protocol = protocol;
        this.connection = connection;
        this.settings = settings;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (seen == null) {
            seen = in;
        } else {
            seen = ctx.alloc().compositeBuffer().addComponents(true, seen, in);
        }
        int n = Math.min(seen.readableBytes(), PREFACE.readableBytes());
        boolean matches = seen.slice(seen.readerIndex(), n).equals(PREFACE.slice(0, n));
        if (matches && n < PREFACE.readableBytes()) {
            return; // not enough yet to tell
        }
        if (matches) {
            protocol.http2(connection, settings);
        } else {
            protocol.http1(connection, settings);
        }
        ByteBuf read = seen;
        seen = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(read);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent || (evt instanceof DrainEvent && ((DrainEvent) evt).closeIdleNow())) {
            ctx.close(); // nothing was asked yet
        } else if (evt instanceof DrainEvent) {
            ctx.channel().attr(DrainEvent.BUSY).set(false);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (seen != null) {
            ReferenceCountUtil.release(seen);
            seen = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
