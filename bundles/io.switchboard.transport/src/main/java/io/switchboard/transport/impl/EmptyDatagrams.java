package io.switchboard.transport.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Socket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Sends zero-length datagrams, which are valid UDP and which some protocols use as a keep-alive or a
 * probe. Netty's epoll datagram channel counts an empty message as written without sending it, so
 * here one goes straight to the socket (after what was queued before it, to keep their order). Only
 * on epoll channels; a non-empty datagram passes untouched.
 */
@ChannelHandler.Sharable
final class EmptyDatagrams extends ChannelOutboundHandlerAdapter {
    static final EmptyDatagrams INSTANCE = new EmptyDatagrams();
    private static final ByteBuffer NOTHING = ByteBuffer.allocateDirect(0);

    private EmptyDatagrams() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        ByteBuf content = msg instanceof DatagramPacket ? ((DatagramPacket) msg).content()
                : msg instanceof ByteBuf ? (ByteBuf) msg : null;
        if (content == null || content.isReadable() || !(ctx.channel() instanceof UnixChannel)) {
            ctx.write(msg, promise);
            return;
        }
        ctx.flush();
        Socket socket = (Socket) ((UnixChannel) ctx.channel()).fd();
        try {
            if (msg instanceof DatagramPacket && ((DatagramPacket) msg).recipient() != null) {
                InetSocketAddress to = ((DatagramPacket) msg).recipient();
                socket.sendTo(NOTHING, 0, 0, to.getAddress(), to.getPort());
            } else {
                socket.send(NOTHING, 0, 0); // a connected socket
            }
            promise.trySuccess();
        } catch (Exception e) {
            promise.tryFailure(e); // a void promise passes it on to exceptionCaught
        } finally {
            content.release();
        }
    }
}
