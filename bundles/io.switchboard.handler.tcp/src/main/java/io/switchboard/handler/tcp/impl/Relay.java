package io.switchboard.handler.tcp.impl;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.switching.TrackedFlow;

/**
 * One side of a byte relay. Reads only when the other side can take more (no unbounded buffering);
 * when this side's input ends, the other side's output is shut down, and the pair closes once both
 * directions are done.
 */
class Relay extends ChannelInboundHandlerAdapter {
    private Channel peer;
    /** The flow whose outbound bytes (back-end to client) this side counts, or null. */
    private final TrackedFlow countsOut;

    Relay(TrackedFlow countsOut) {
        this.countsOut = countsOut;
    }

    void peer(Channel p) {
        this.peer = p;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peer == null || !peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (countsOut != null) {
            countsOut.countOut(((io.netty.buffer.ByteBuf) msg).readableBytes());
        }
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (peer == null) {
            return;
        }
        peer.flush();
        if (peer.isWritable()) {
            ctx.read();
        }
        // else: the peer's writability change triggers the next read
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer != null && peer.isActive()) {
            peer.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (peer instanceof DuplexChannel && peer.isActive()) {
                Channel self = ctx.channel();
                SslHandler ssl = peer.pipeline().get(SslHandler.class);
                if (ssl != null) {
                    endTls(peer, ssl, () -> closeIfDone(self));
                    return;
                }
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) peer).shutdownOutput()
                        .addListener(x -> closeIfDone(self)));
            } else {
                ctx.close();
            }
        } else if (evt instanceof io.switchboard.api.transport.DrainEvent) {
            // A relayed stream has no request boundary: it runs on until it ends (it is open-ended,
            // see TcpProtocol); at a STOP the transport closes it at the drain deadline.
            return;
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * A TLS peer learns the end of what it is sent from close_notify, after those bytes and after the
     * handshake (sent before it, it would end the handshake and lose them), then the FIN.
     */
    static void endTls(Channel peer, SslHandler ssl, Runnable then) {
        ssl.handshakeFuture().addListener(h -> {
            if (!h.isSuccess() || !peer.isActive()) {
                return; // the relay closes with the connection
            }
            peer.flush();
            ssl.closeOutbound().addListener(f -> ((DuplexChannel) peer).shutdownOutput().addListener(x -> then.run()));
        });
    }

    private void closeIfDone(Channel self) {
        if (self instanceof DuplexChannel && ((DuplexChannel) self).isInputShutdown()
                && peer instanceof DuplexChannel && ((DuplexChannel) peer).isOutputShutdown()
                && ((DuplexChannel) peer).isInputShutdown()) {
            self.close();
            peer.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer != null && peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
