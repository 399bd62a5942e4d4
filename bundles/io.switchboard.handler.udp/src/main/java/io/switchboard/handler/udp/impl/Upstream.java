package io.switchboard.handler.udp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.EndpointCounters;
import io.switchboard.api.telemetry.TrafficCell;
import io.switchboard.api.transport.DatagramFlow;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * A flow's connected datagram socket to one endpoint, on the flow's event loop. Everything it reads
 * goes back to the client through the frontend socket. The endpoint's counters see one request per
 * upstream socket: it ends failed when the endpoint refuses (ICMP port unreachable) or the socket
 * cannot connect, else when the flow closes.
 */
final class Upstream extends ChannelInboundHandlerAdapter {
    /** Datagrams held while the socket connects; more are dropped. */
    static final int MAX_PENDING = 64;

    private final DatagramFlow flow;
    private final UdpRelay relay;
    final Endpoint endpoint;
    private final EndpointCounters counters;
    /** Counted on the flow's loop, the only one that writes it. */
    private final TrafficCell cell;
    private Channel channel;
    private ArrayDeque<ByteBuf> pending = new ArrayDeque<>(4);
    private boolean ended;

    Upstream(DatagramFlow flow, UdpRelay relay, Endpoint endpoint, EndpointCounters counters, TrafficCell cell) {
        this.flow = flow;
        this.relay = relay;
        this.endpoint = endpoint;
        this.counters = counters;
        this.cell = cell;
        counters.started();
        cell.relayOpened();
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
        ArrayDeque<ByteBuf> held = pending;
        pending = null;
        ByteBuf b;
        while ((b = held.poll()) != null) {
            write(b);
        }
        channel.flush();
    }

    /** A datagram from the client: sent during the frontend socket's read batch and flushed once at its end. */
    void send(ByteBuf data) {
        if (ended) {
            flow.drop(data);
        } else if (pending != null) {
            if (pending.size() < MAX_PENDING) {
                pending.add(data);
            } else {
                flow.drop(data);
            }
        } else {
            write(data);
            flow.flushAtEndOfBatch(channel);
        }
    }

    /** Bytes a burst may queue on the upstream socket past its write buffer's mark: what a flow may hold, and one more datagram. */
    static final int MAX_QUEUED_BYTES = UdpRelay.MAX_PARKED_BYTES + 65_536;

    private long queuedBytes() {
        io.netty.channel.ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? Long.MAX_VALUE : out.totalPendingWriteBytes();
    }

    private void write(ByteBuf data) {
        if (!channel.isWritable() && channel.isActive()) {
            // A burst (held while connecting or while a lock's decision was awaited) goes out in pieces
            // rather than past the write buffer's bound, where it would be dropped.
            channel.flush();
        }
        if (channel.isActive() && (channel.isWritable() || queuedBytes() + data.readableBytes() <= MAX_QUEUED_BYTES)) {
            // io_uring completes a flush later, not in the call: a held burst is queued up to a bound
            channel.write(data, channel.voidPromise());
        } else {
            flow.drop(data);
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
        flow.reply(data);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flow.flush();
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
        cell.relayClosed();
        if (pending != null) {
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                flow.drop(b);
            }
        }
        relay.upstreamEnded(this, refused);
    }
}
