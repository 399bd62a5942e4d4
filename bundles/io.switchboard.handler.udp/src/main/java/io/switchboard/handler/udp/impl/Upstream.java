package io.switchboard.transport.impl.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.EndpointCounters;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * A flow's connected datagram socket to one endpoint, on the frontend's event loop. Everything it
 * reads goes back to the client through the frontend socket. The endpoint's counters see one request
 * per upstream socket: it ends failed when the endpoint refuses (ICMP port unreachable) or the socket
 * cannot connect, else when the flow closes.
 */
final class Upstream extends ChannelInboundHandlerAdapter {
    /** Datagrams held while the socket connects; more are dropped. */
    static final int MAX_PENDING = 64;

    private final UdpFrontend frontend;
    private final UdpFlow flow;
    final Endpoint endpoint;
    private final EndpointCounters counters;
    private Channel channel;
    private ArrayDeque<ByteBuf> pending = new ArrayDeque<>(4);
    private boolean ended;
    /** Queued in the frontend's list of sockets to flush at the end of the read batch. */
    boolean flushQueued;

    Upstream(UdpFrontend frontend, UdpFlow flow, Endpoint endpoint, EndpointCounters counters) {
        this.frontend = frontend;
        this.flow = flow;
        this.endpoint = endpoint;
        this.counters = counters;
        counters.started();
    }

    /** The socket is connecting: the held datagrams go out once it is connected. */
    void connecting(ChannelFuture f) {
        channel = f.channel();
        if (f.isDone()) {
            connected(f);
        } else {
            f.addListener((ChannelFuture x) -> connected(x));
        }
    }

    private void connected(ChannelFuture f) {
        if (ended) {
            f.channel().close();
            return;
        }
        if (!f.isSuccess()) {
            end(true);
            f.channel().close();
            return;
        }
        frontend.frontend().opened(channel); // shown as one of the frontend's connections while it lives
        ArrayDeque<ByteBuf> held = pending;
        pending = null;
        ByteBuf b;
        while ((b = held.poll()) != null) {
            write(b);
        }
        channel.flush();
    }

    /**
     * A datagram from the client.
     *
     * @param inReadBatch sent while the frontend socket reads: flushed once when the batch ends; else
     *                    (a message forwarded later, from a hop) flushed now
     */
    void send(ByteBuf data, boolean inReadBatch) {
        if (ended) {
            frontend.drop(data);
        } else if (pending != null) {
            if (pending.size() < MAX_PENDING) {
                pending.add(data);
            } else {
                frontend.drop(data);
            }
        } else {
            write(data);
            if (inReadBatch) {
                frontend.flushLater(this);
            } else {
                channel.flush();
            }
        }
    }

    private void write(ByteBuf data) {
        if (channel.isActive() && channel.isWritable()) {
            channel.write(data, channel.voidPromise());
        } else {
            frontend.drop(data);
        }
    }

    void flush() {
        if (!ended) {
            channel.flush();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = msg instanceof DatagramPacket ? ((DatagramPacket) msg).content()
                : msg instanceof ByteBuf ? (ByteBuf) msg : null;
        if (data == null || ended) {
            ReferenceCountUtil.release(msg);
            return;
        }
        flow.toClient(data);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        frontend.flushToClients();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Port unreachable (nothing listens at the endpoint), or a send that failed: the endpoint is
        // refused for this flow, whose next datagram is routed again and may choose another.
        end(cause instanceof IOException);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(false);
    }

    /** The flow closes: so does this socket, cleanly. */
    void close() {
        end(false);
        if (channel != null) {
            channel.close();
        }
    }

    private void end(boolean refused) {
        if (ended) {
            return;
        }
        ended = true;
        counters.finished(!refused);
        if (pending != null) {
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                frontend.drop(b);
            }
        }
        flow.upstreamEnded(this, refused);
    }
}
