package io.switchboard.transport.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.api.flow.Message;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.telemetry.TrafficMeter;
import io.switchboard.api.transport.BackendPool;
import io.switchboard.api.transport.DatagramBinding;
import io.switchboard.api.transport.DatagramFlow;
import io.switchboard.api.transport.DatagramFlowHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A datagram frontend's socket, on one event loop, which owns the frontend's table of flows (client
 * address to flow; a plain map, no lock). A client's first datagram opens its flow, served by the
 * protocol binding in force at that moment; every later datagram goes to the same flow, until the
 * flow sees no datagram either way for the idle time. Replies leave from this socket, written during
 * the read batch and flushed once at its end.
 * <p>
 * With virtual services, a new client's datagram to a destination that is no service is dropped and
 * counted as refused. Flows are keyed by client address alone: a client port that reaches two
 * services stays in the flow (and cluster) it opened first. On a wildcard address the replies'
 * source is the one the kernel picks; bind a specific address when clients check it.
 */
final class DatagramFrontend extends ChannelDuplexHandler {
    /** Flows per frontend unless told otherwise; datagrams from more clients are dropped and counted. */
    static final int DEFAULT_MAX_FLOWS = 65536;
    /** A read batch may queue many large datagrams before its flush: only a real backlog is "unwritable". */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Frontend frontend;
    private final SharedRefs refs;
    private volatile long idleNanos;
    private volatile int maxFlows;
    private final Consumer<String> warn;
    private volatile DatagramBinding binding;

    // Everything below belongs to the socket's event loop.
    private final HashMap<InetSocketAddress, Entry> flows = new HashMap<>();
    /** Channels written during the current read batch: flushed once at its end. */
    private final List<Channel> unflushed = new ArrayList<>();
    private Channel channel;
    private boolean inReadBatch;
    private boolean repliesQueued;
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

    private DatagramFrontend(Frontend frontend, SharedRefs refs, DatagramBinding binding, int idleSeconds, int maxFlows,
                             Consumer<String> warn) {
        this.frontend = frontend;
        this.refs = refs;
        this.binding = binding;
        this.idleNanos = TimeUnit.SECONDS.toNanos(Math.max(1, idleSeconds));
        this.maxFlows = Math.max(1, maxFlows);
        this.warn = warn;
    }

    /**
     * Binds the frontend's datagram socket on the loop. No SO_REUSEADDR and no SO_REUSEPORT: a
     * second socket on the port would take a share of the datagrams, so a busy port fails the bind.
     */
    static ChannelFuture bind(Frontend frontend, EventLoop loop, Loops loops, SharedRefs refs, DatagramBinding binding,
                              int idleSeconds, int maxFlows, Consumer<String> warn) {
        DatagramFrontend handler = new DatagramFrontend(frontend, refs, binding, idleSeconds, maxFlows, warn);
        FrontendSpec spec = frontend.spec();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(loops.datagramChannelClass())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Pools.MAX_DATAGRAM))
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(SizedDatagrams.INSTANCE, EmptyDatagrams.INSTANCE, handler);
                    }
                });
        if (loops.isEpoll()) {
            // Each datagram carries the address it was sent to, even on a wildcard socket: the
            // valid-service filter needs it when the frontend has virtual services. Netty's io_uring
            // (like NIO) has no such option: there a datagram's recipient is the socket's address.
            b.option(EpollChannelOption.IP_RECVORIGDSTADDR, true);
        }
        ChannelFuture f = b.bind(spec.bindAddress(), spec.port());
        frontend.datagrams = handler.control(f.channel());
        return f;
    }

    private DatagramSocketControl control(Channel ch) {
        return new DatagramSocketControl(ch, flows::size, b -> binding = b,
                () -> new long[] {datagramsIn, datagramsOut, dropped, overflow, expired}, l -> {
                    idleNanos = TimeUnit.SECONDS.toNanos(Math.max(1, l[0]));
                    maxFlows = Math.max(1, l[1]);
                });
    }

    // ---- the socket ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
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
        inReadBatch = true;
        DatagramPacket packet = (DatagramPacket) msg;
        datagramsIn++;
        InetSocketAddress client = packet.sender();
        Entry e = flows.get(client);
        if (e == null) {
            e = open(client, packet.recipient());
            if (e == null) {
                packet.release();
                return;
            }
        }
        e.active = true;
        e.flow.countIn(packet.content().readableBytes());
        try {
            e.handler.datagram(packet.content());
        } catch (RuntimeException | LinkageError t) {
            protocolFailed(e, t);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBatch = false;
        for (int i = 0; i < unflushed.size(); i++) {
            unflushed.get(i).flush();
        }
        unflushed.clear();
        if (repliesQueued) {
            repliesQueued = false;
            channel.flush();
        }
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

    private Entry open(InetSocketAddress client, InetSocketAddress recipient) {
        DatagramBinding b = binding;
        if (closed || b == null) {
            dropped++;
            return null;
        }
        if (flows.size() >= maxFlows) {
            overflow++;
            long now = System.nanoTime();
            if (!overflowLogged || now - lastOverflowLog >= LOG_EVERY_NANOS) {
                overflowLogged = true;
                lastOverflowLog = now;
                warn.accept("frontend " + frontend.spec().name() + ": datagram flow table full (" + maxFlows
                        + " flows): datagrams from new clients are dropped (" + overflow + " so far)");
            }
            return null;
        }
        FrontendSpec spec = frontend.spec();
        InetSocketAddress local = recipient != null && !recipient.getAddress().isAnyLocalAddress()
                ? recipient : (InetSocketAddress) channel.localAddress();
        String cluster = spec.clusterFor(local);
        if (cluster == null) {
            frontend.refused.increment(); // sent to a destination that is no virtual service of this frontend
            return null;
        }
        Entry e = new Entry(ConnectionFlow.open(refs, channel.eventLoop(), spec.name(), spec.protocol(), cluster, client, local), cluster, client);
        try {
            e.handler = b.open(e);
        } catch (RuntimeException | LinkageError t) {
            protocolFailed(e, t);
            return null;
        }
        frontend.on(channel.eventLoop()).flowOpened();
        flows.put(client, e);
        return e;
    }

    private void protocolFailed(Entry e, Throwable t) {
        dropped++;
        if (Long.bitCount(++failures) == 1) {
            warn.accept("frontend " + frontend.spec().name() + ": protocol failed on " + e.flow + " (" + failures
                    + " failures so far): " + t);
        }
        flows.remove(e.client, e);
        e.close();
    }

    /** Closes the flows that saw no datagram, either way, for the idle time. */
    private void sweep() {
        long now = System.nanoTime();
        for (Iterator<Entry> it = flows.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.active) {
                e.active = false;
                e.lastActive = now;
            } else if (now - e.lastActive >= idleNanos) {
                it.remove();
                expired++;
                e.close();
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
        List<Entry> all = new ArrayList<>(flows.values());
        flows.clear();
        for (Entry e : all) {
            e.close();
        }
        unflushed.clear();
    }

    /** One client's flow: the transport's side, given to the protocol. Used on the socket's loop only. */
    private final class Entry implements DatagramFlow {
        final ConnectionFlow flow;
        final String cluster;
        final InetSocketAddress client;
        DatagramFlowHandler handler;
        /** A datagram went either way since the last sweep. */
        boolean active = true;
        long lastActive = System.nanoTime();

        Entry(ConnectionFlow flow, String cluster, InetSocketAddress client) {
            this.flow = flow;
            this.cluster = cluster;
            this.client = client;
        }

        @Override public TrackedFlow flow() { return flow; }
        @Override public String cluster() { return cluster; }
        @Override public InetSocketAddress client() { return client; }
        @Override public EventLoop loop() { return channel.eventLoop(); }
        @Override public BackendPool backends() { return refs.pool.get(); }
        @Override public boolean inReadBatch() { return inReadBatch; }

        private TrafficMeter meter;

        @Override
        public TrafficMeter meter() {
            if (meter == null) {
                meter = refs.traffic.meter(channel.eventLoop(), flow.frontend());
            }
            return meter;
        }

        @Override
        public void route(Message message) {
            refs.route(channel.eventLoop(), flow, message);
        }

        @Override
        public void reply(ByteBuf data) {
            active = true;
            if (closed || !channel.isActive() || !channel.isWritable()) {
                data.release();
                dropped++;
                return;
            }
            datagramsOut++;
            flow.countOut(data.readableBytes());
            channel.write(new DatagramPacket(data, client), channel.voidPromise());
            repliesQueued = true;
        }

        @Override
        public void flush() {
            repliesQueued = false;
            channel.flush();
        }

        @Override
        public void flushAtEndOfBatch(Channel ch) {
            if (inReadBatch) {
                if (!unflushed.contains(ch)) {
                    unflushed.add(ch);
                }
            } else {
                ch.flush();
            }
        }

        @Override
        public void drop(ByteBuf data) {
            ReferenceCountUtil.release(data);
            dropped++;
        }

        void close() {
            flow.close();
            if (handler != null) {
                try {
                    handler.close();
                } catch (RuntimeException | LinkageError t) {
                    // the flow is gone either way
                }
            }
        }
    }
}
