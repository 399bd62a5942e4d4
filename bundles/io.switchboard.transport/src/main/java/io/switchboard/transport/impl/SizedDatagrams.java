package io.switchboard.transport.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/**
 * Gives each datagram read a pooled buffer of its own size. A datagram socket reads into a buffer
 * big enough for any datagram (64 KiB), or, with recvmmsg, into slices of one such buffer; a
 * datagram of a hundred bytes would hold all of it while it waits to be written on (up to the
 * write water mark's worth of them). The copy of a datagram's bytes is cheaper than that, and the
 * big buffer goes back to the pool at once.
 */
@ChannelHandler.Sharable
final class SizedDatagrams extends ChannelInboundHandlerAdapter {
    static final SizedDatagrams INSTANCE = new SizedDatagrams();

    private SizedDatagrams() {
    }

    /** The datagram's bytes in a buffer of their size (the same buffer when it already fits). */
    static ByteBuf fit(ByteBufAllocator alloc, ByteBuf content) {
        int n = content.readableBytes();
        if (held(content) <= n + (n >> 2) + 64) {
            return content; // a buffer of its own that it nearly fills
        }
        ByteBuf sized = alloc.directBuffer(n, n);
        try {
            sized.writeBytes(content, content.readerIndex(), n);
        } catch (RuntimeException e) {
            sized.release();
            throw e;
        } finally {
            content.release();
        }
        return sized;
    }

    /** The memory the buffer keeps from the pool: a slice keeps all of the buffer it is cut from. */
    private static int held(ByteBuf b) {
        int held = b.capacity();
        for (ByteBuf u = b.unwrap(); u != null; u = u.unwrap()) { // a slice's, or a leak detector's wrapper's
            held = Math.max(held, u.capacity());
        }
        return held;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket) {
            DatagramPacket p = (DatagramPacket) msg;
            ByteBuf sized = fit(ctx.alloc(), p.content());
            ctx.fireChannelRead(sized == p.content() ? p : p.replace(sized));
        } else if (msg instanceof ByteBuf) {
            ctx.fireChannelRead(fit(ctx.alloc(), (ByteBuf) msg));
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
