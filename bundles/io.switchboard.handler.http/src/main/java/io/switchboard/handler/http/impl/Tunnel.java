package io.switchboard.handler.http.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.telemetry.TrafficCell;
import io.switchboard.api.transport.DrainEvent;
import java.util.concurrent.TimeUnit;

/**
 * A client connection and its back-end connection after a {@code 101 Switching Protocols}: no longer
 * HTTP, a byte relay both ways. Each side reads only when the other can take more; when one side's
 * input ends the other's output is shut down (half-close), and both close once both directions are
 * done, or when either closes or fails, or after {@code tunnelIdleSeconds} without a byte either way.
 * The back-end connection is never pooled again. The HTTP handlers leave the client's pipeline; the
 * tunnel is open-ended: an update of this bundle lets it run on, on this code, until it ends.
 */
final class Tunnel {
    private static final String[] HTTP_HANDLERS = {"idle", "scan", "decoder", "framing", "proxy"};

    private final HttpProxyHandler proxy;
    private final HttpMessage message;
    private final EndpointCounters counters;
    private final TrafficCell cell;
    private final Channel client;
    private final Channel backend;
    private final Side clientSide = new Side(true);
    private final Side backendSide = new Side(false);
    private boolean ended;
    /**
     * Listeners are classes of their own, not lambdas: a tunnel outlives an update of this bundle, and
     * a lambda first run after the old version was refreshed would need its discarded class loader.
     */
    private final ChannelFutureListener onClose = new ChannelFutureListener() {
        @Override
        public void operationComplete(ChannelFuture f) {
            end();
        }
    };

    Tunnel(HttpProxyHandler proxy, HttpMessage message, Channel backend, EndpointCounters counters, TrafficCell cell) {
        this.proxy = proxy;
        this.message = message;
        this.client = proxy.ctx.channel();
        this.backend = backend;
        this.counters = counters;
        this.cell = cell;
    }

    /**
     * Takes both connections over: the 101 head goes to the client with what the back-end sent after
     * it, the bytes the client sent after its request go to the back-end, then bytes flow as they come.
     * Every buffer given is owned by the tunnel (null: none).
     */
    void open(ByteBuf head, ByteBuf fromBackend, ByteBuf fromClient, int idleSeconds) {
        cell.relayOpened();
        client.attr(DrainEvent.OPEN_ENDED).set(true);
        client.attr(DrainEvent.BUSY).set(true);
        ChannelPipeline cp = client.pipeline();
        for (String name : HTTP_HANDLERS) {
            if (cp.get(name) != null) {
                cp.remove(name);
            }
        }
        cp.addLast("tunnel-idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS));
        cp.addLast("tunnel", clientSide);
        ChannelPipeline bp = backend.pipeline();
        if (bp.get("idle") != null) {
            bp.remove("idle"); // the cluster's idle timeout is for HTTP exchanges; the tunnel has its own
        }
        if (bp.get(BackendInitializer.HANDLER) != null) {
            bp.remove(BackendInitializer.HANDLER);
        }
        bp.addLast("tunnel", backendSide);
        for (Channel ch : new Channel[] {client, backend}) {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            ch.config().setAutoRead(false);
            ch.closeFuture().addListener(onClose);
        }
        toClient(head);
        if (fromBackend != null) {
            toClient(fromBackend);
        }
        client.flush();
        if (fromClient != null) {
            proxy.flow().countIn(fromClient.readableBytes());
            backend.writeAndFlush(fromClient, backend.voidPromise());
        }
        client.read();
        backend.read();
    }

    private void toClient(ByteBuf b) {
        proxy.countTunnelOut(b.readableBytes());
        client.write(b, client.voidPromise());
    }

    /** Either connection closed: the other closes too, and the request ends (once). */
    private void end() {
        if (client.isOpen()) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (backend.isOpen()) {
            backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (!ended) {
            ended = true;
            cell.relayClosed();
            counters.finished(true);
            message.ended("----");
        }
    }

    /** One side of the tunnel: what it reads goes to the other side. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean isClient;

        Side(boolean isClient) {
            this.isClient = isClient;
        }

        private Channel peer() {
            return isClient ? backend : client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel peer = peer();
            if (!(msg instanceof ByteBuf) || !peer.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf b = (ByteBuf) msg;
            if (isClient) {
                proxy.flow().countIn(b.readableBytes());
                peer.write(b, peer.voidPromise());
            } else {
                toClient(b);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Channel peer = peer();
            peer.flush();
            if (peer.isWritable()) {
                ctx.read();
            }
            // else: the peer's writability change asks for the next read
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel peer = peer();
            if (ctx.channel().isWritable() && peer.isActive()) {
                peer.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                halfClosed(ctx.channel());
            } else if (evt instanceof IdleStateEvent) {
                ctx.close(); // the tunnel's idle timeout, both ways: end() closes the other side
            } else if (!(evt instanceof DrainEvent)) {
                // A tunnel has no request boundary to finish at: a drain lets it run on (STOP closes it at the deadline).
                ctx.fireUserEventTriggered(evt);
            }
        }

        /** This side sent its last byte: the other side's output ends after what is on its way. */
        private void halfClosed(Channel self) {
            Channel peer = peer();
            if (peer instanceof DuplexChannel && self instanceof DuplexChannel && peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(new ShutdownOutput((DuplexChannel) peer));
                peer.read(); // the other direction goes on: keep reading the peer
            } else {
                self.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset from either side ends the tunnel
        }
    }

    /** Once what was on its way to the peer has gone, the peer's output ends; then both close if both directions are done. */
    private final class ShutdownOutput implements ChannelFutureListener {
        private final DuplexChannel peer;
        private boolean shut;

        ShutdownOutput(DuplexChannel peer) {
            this.peer = peer;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            if (!shut) {
                shut = true;
                peer.shutdownOutput().addListener(this);
            } else {
                closeIfDone();
            }
        }
    }

    /** Both directions have ended: both connections close. */
    private void closeIfDone() {
        if (client instanceof DuplexChannel && backend instanceof DuplexChannel) {
            DuplexChannel c = (DuplexChannel) client;
            DuplexChannel b = (DuplexChannel) backend;
            if (c.isInputShutdown() && c.isOutputShutdown() && b.isInputShutdown() && b.isOutputShutdown()) {
                client.close();
                backend.close();
            }
        }
    }
}
