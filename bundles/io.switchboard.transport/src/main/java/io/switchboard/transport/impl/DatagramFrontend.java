package io.switchboard.transport.impl.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.api.runtime.ClusterDirectory;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.transport.impl.Frontend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A UDP frontend: one datagram socket on one event loop, which owns the frontend's flow table
 * (client address to flow; a plain map, no lock). A client's first datagram opens its flow in the
 * intelligent switch and goes to the flow's owner as a message; once a handler forwards it, the flow
 * has a connected socket to one endpoint on the same loop, its later datagrams go straight there and
 * every reply is sent back to the client from this socket. A flow whose handler answers instead keeps
 * routing each datagram as a message. Flows idle for longer than the idle time are closed; removing
 * the frontend (closing its channel) closes every flow and upstream socket.
 * <p>
 * With virtual services, a new client's datagram to a destination that is no service is dropped and
 * counted as refused. Flows are keyed by client address alone: a client port that reaches two
 * services stays in the flow (and cluster) it opened first. Replies leave from this socket, so on a
 * wildcard address their source is the one the kernel picks; bind a specific address when clients
 * check where replies come from.
 */
public final class UdpFrontend extends ChannelDuplexHandler {
    /** Flows per frontend unless told otherwise; datagrams from more clients are dropped and counted. */
    public static final int DEFAULT_MAX_FLOWS = 65536;
    /** Receive buffer per datagram: the largest UDP payload fits, nothing is truncated. */
    static final int MAX_DATAGRAM = 65536;
    /** A read batch may queue many large datagrams before its flush: only a real backlog is "unwritable". */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Frontend frontend;
    private final ClusterDirectory clusters;
    private final IntelligentSwitch switchboard;
    private final Class<? extends DatagramChannel> channelClass;
    private final long idleNanos;
    private final int maxFlows;
    private final Consumer<String> warn;

    // Everything below belongs to the frontend channel's event loop.
    private final HashMap<InetSocketAddress, UdpFlow> flows = new HashMap<>();
    /** Upstream sockets written during the current read batch: flushed once at its end. */
    private final List<Upstream> unflushed = new ArrayList<>();
    private Bootstrap upstreams;
    private Channel channel;
    private ScheduledFuture<?> sweeper;
    private boolean closed;
    private long lastOverflowLog;
    private boolean overflowLogged;
    private long failures;

    // Counters: one writer (the loop), read by anyone.
    private volatile long datagramsIn;
    private volatile long datagramsOut;
    private volatile long dropped;
    private volatile long overflow;
    private volatile long expired;

    private UdpFrontend(Frontend frontend, ClusterDirectory clusters, IntelligentSwitch switchboard,
                        Class<? extends DatagramChannel> channelClass, int idleSeconds, int maxFlows, Consumer<String> warn) {
        this.frontend = frontend;
        this.clusters = clusters;
        this.switchboard = switchboard;
        this.channelClass = channelClass;
        this.idleNanos = TimeUnit.SECONDS.toNanos(Math.max(1, idleSeconds));
        this.maxFlows = Math.max(1, maxFlows);
        this.warn = warn;
    }

    /**
     * Binds the frontend's datagram socket on one event loop of the group. The returned future's
     * channel is the frontend's listener; closing it closes every flow of the frontend.
     *
     * @param epoll       the group runs the native epoll transport (else NIO)
     * @param idleSeconds a flow with no datagram either way for this long is closed
     * @param maxFlows    flows at most; a datagram from a new client beyond that is dropped
     * @param warn        where the (rate limited) warnings go
     */
    public static ChannelFuture bind(Frontend frontend, EventLoopGroup group, boolean epoll, ClusterDirectory clusters,
                                     IntelligentSwitch switchboard, int idleSeconds, int maxFlows, Consumer<String> warn) {
        Class<? extends DatagramChannel> type = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        UdpFrontend handler = new UdpFrontend(frontend, clusters, switchboard, type, idleSeconds, maxFlows, warn);
        FrontendSpec spec = frontend.spec();
        // No SO_REUSEADDR: on Linux it would let a second UDP socket bind the same port and take a share
        // of the datagrams; a busy port must fail the bind instead.
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(handler);
        if (epoll) {
            // Each datagram carries the address it was sent to, even on a wildcard socket: the
            // valid-service filter needs it when the frontend has virtual services.
            b.option(EpollChannelOption.IP_RECVORIGDSTADDR, true);
        }
        return b.bind(spec.bindAddress(), spec.port());
    }

    /** The frontend handler of a channel made by {@link #bind}, or null. */
    public static UdpFrontend of(Channel channel) {
        return channel.pipeline().get(UdpFrontend.class);
    }

    // ---- the frontend socket ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        // Every upstream socket of this frontend lives on the frontend's loop. The bootstrap is only
        // used from that loop, one connect at a time, so its handler can be set per connect.
        upstreams = new Bootstrap()
                .group(channel.eventLoop())
                .channel(channelClass)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long period = Math.max(100, Math.min(TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4, 5000));
        sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        datagramsIn++;
        InetSocketAddress client = packet.sender();
        UdpFlow flow = flows.get(client);
        if (flow == null) {
            try {
                flow = open(client, packet.recipient());
            } catch (RuntimeException e) {
                packet.release();
                throw e;
            }
            if (flow == null) {
                packet.release();
                return;
            }
        }
        flow.fromClient(packet.content());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushUpstreams();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send or receive concerns one datagram; the socket serves on.
        dropped++;
        if (!(cause instanceof IOException) && Long.bitCount(++failures) == 1) {
            warn.accept("frontend " + frontend.spec().name() + ": datagram dropped (" + failures + " failures so far): " + cause);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        closeAll(); // before the close completes: whoever waits for it finds every flow closed
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll();
        ctx.fireChannelInactive();
    }

    private UdpFlow open(InetSocketAddress client, InetSocketAddress recipient) {
        if (closed) {
            return null;
        }
        if (flows.size() >= maxFlows) {
            overflow++;
            long now = System.nanoTime();
            if (!overflowLogged || now - lastOverflowLog >= LOG_EVERY_NANOS) {
                overflowLogged = true;
                lastOverflowLog = now;
                warn.accept("frontend " + frontend.spec().name() + ": udp flow table full (" + maxFlows
                        + " flows): datagrams from new clients are dropped (" + overflow + " so far)");
            }
            return null;
        }
        FrontendSpec spec = frontend.spec();
        InetSocketAddress local = recipient != null && !recipient.getAddress().isAnyLocalAddress()
                ? recipient : (InetSocketAddress) channel.localAddress();
        String cluster = spec.clusterFor(local);
        if (cluster == null) {
            frontend.refusedDatagram(); // sent to a destination that is no virtual service of this frontend
            return null;
        }
        TrackedFlow tracked = switchboard.open(spec.name(), Protocol.UDP, cluster, client, local);
        frontend.requestStarted();
        UdpFlow flow = new UdpFlow(this, tracked, client, System.nanoTime());
        flows.put(client, flow);
        return flow;
    }

    /** Closes the flows that saw no datagram, either way, for the idle time. */
    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<UdpFlow> it = flows.values().iterator(); it.hasNext(); ) {
            UdpFlow f = it.next();
            if (f.active) {
                f.active = false;
                f.lastActive = now;
            } else if (now - f.lastActive >= idleNanos) {
                it.remove();
                expired++;
                f.close();
            }
        }
    }

    private void closeAll() {
        if (closed) {
            return;
        }
        closed = true;
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        List<UdpFlow> all = new ArrayList<>(flows.values());
        flows.clear();
        for (UdpFlow f : all) {
            f.close();
        }
        unflushed.clear();
    }

    // ---- for flows and upstreams (all on this loop) ----

    Channel channel() { return channel; }
    Frontend frontend() { return frontend; }
    ClusterDirectory clusters() { return clusters; }
    IntelligentSwitch switchboard() { return switchboard; }
    boolean closed() { return closed; }

    Bootstrap upstreams() { return upstreams; }

    /** Sends a datagram to a client from the frontend socket; the caller flushes. */
    boolean toClient(InetSocketAddress client, ByteBuf data) {
        if (closed || !channel.isActive() || !channel.isWritable()) {
            data.release();
            dropped++;
            return false;
        }
        datagramsOut++;
        channel.write(new DatagramPacket(data, client), channel.voidPromise());
        return true;
    }

    void flushToClients() {
        channel.flush();
    }

    /** The upstream was written during this read batch: flush it when the batch ends. */
    void flushLater(Upstream upstream) {
        if (!upstream.flushQueued) {
            upstream.flushQueued = true;
            unflushed.add(upstream);
        }
    }

    private void flushUpstreams() {
        for (int i = 0; i < unflushed.size(); i++) {
            Upstream u = unflushed.get(i);
            u.flushQueued = false;
            u.flush();
        }
        unflushed.clear();
    }

    void drop(ByteBuf data) {
        ReferenceCountUtil.release(data);
        dropped++;
    }

    // ---- status (any thread) ----

    /** Datagrams received from clients. */
    public long datagramsIn() { return datagramsIn; }
    /** Datagrams sent to clients. */
    public long datagramsOut() { return datagramsOut; }
    /** Datagrams dropped: no endpoint, endpoint refusing, socket full, flow closed. */
    public long dropped() { return dropped; }
    /** Datagrams from new clients dropped because the flow table was full. */
    public long overflow() { return overflow; }
    /** Flows closed for being idle. */
    public long expired() { return expired; }

    /** Flows open now; call on the frontend's loop (or accept a racy answer). */
    public int flowCount() { return flows.size(); }
}
