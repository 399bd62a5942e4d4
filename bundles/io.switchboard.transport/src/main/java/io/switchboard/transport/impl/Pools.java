package io.switchboard.transport.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocal;
import io.switchboard.api.Endpoint;
import io.switchboard.api.transport.BackendPool;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Back-end connections, per event loop, partition and endpoint: each loop keeps its idle
 * connections in maps of its own, so using them takes no lock and no thread hop. The maps are JDK
 * containers: a new version of the transport adopts each loop's maps as they are, idle connections
 * and open counts included.
 */
final class Pools implements BackendPool {
    /** Idle connections kept per partition, endpoint and loop; more are closed on release. */
    static final int MAX_IDLE_PER_ENDPOINT = 256;
    /** A datagram socket reads into one buffer this large: the largest UDP payload fits. */
    static final int MAX_DATAGRAM = 65536;

    private final Class<? extends SocketChannel> channelClass;
    private final Class<? extends DatagramChannel> datagramClass;
    private final Loops.Kind kind;
    private final FastThreadLocal<Map<String, Map<Endpoint, ArrayDeque<Channel>>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<String, Map<Endpoint, ArrayDeque<Channel>>> initialValue() {
            return new HashMap<>();
        }
    };
    private final FastThreadLocal<Map<Endpoint, int[]>> open = new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, int[]> initialValue() {
            return new HashMap<>();
        }
    };

    /**
     * Reads from a back-end grow up to 256 KiB (Netty's default stops at 64 KiB): a large response
     * or stream then takes a quarter of the reads, and of the writes to the client that follow each
     * read batch. Small responses keep small buffers: the size adapts to what the reads return.
     */
    static final AdaptiveRecvByteBufAllocator BACKEND_READS = new AdaptiveRecvByteBufAllocator(64, 2048, 256 * 1024);

    Pools(Loops loops) {
        this.channelClass = loops.socketChannelClass();
        this.datagramClass = loops.datagramChannelClass();
        this.kind = loops.kind();
    }

    /** What the next version adopts: called on a loop, it returns that loop's maps. */
    Supplier<Object[]> leave() {
        return () -> new Object[] {idle.get(), open.get()};
    }

    /** Adopts every loop's maps from the previous version (run on each loop). */
    @SuppressWarnings("unchecked")
    void adopt(List<EventLoopGroup> groups, Supplier<Object[]> previous) {
        for (EventLoopGroup g : groups) {
            g.next().submit(() -> {
                Object[] maps = previous.get();
                idle.set((Map<String, Map<Endpoint, ArrayDeque<Channel>>>) maps[0]);
                open.set((Map<Endpoint, int[]>) maps[1]);
            }).awaitUninterruptibly();
        }
    }

    @Override
    public int openConnections(Endpoint endpoint) {
        int[] n = open.get().get(endpoint);
        return n == null ? 0 : n[0];
    }

    @Override
    public Channel pollIdle(String partition, Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get().getOrDefault(partition, Map.of()).get(endpoint);
        if (q == null) {
            return null;
        }
        Channel ch;
        while ((ch = q.pollLast()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    @Override
    public void release(String partition, Endpoint endpoint, Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.get().computeIfAbsent(partition, k -> new HashMap<>())
                .computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
            ch.close();
        } else {
            q.addLast(ch);
        }
    }

    @Override
    public ChannelFuture connect(EventLoop loop, Endpoint endpoint, ChannelHandler handler, int connectTimeoutMillis) {
        ChannelFuture f = endpoint.isLocal()
                ? LocalConnector.connect(loop, endpoint.localName(), handler, connectTimeoutMillis)
                : new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.RCVBUF_ALLOCATOR, BACKEND_READS)
                .handler(handler)
                .connect(endpoint.address());
        if (f.isDone() && !f.channel().isRegistered()) {
            return f; // refused before a channel existed on the loop: nothing to count
        }
        if (loop.inEventLoop()) {
            track(endpoint, f.channel());
        } else {
            loop.execute(() -> track(endpoint, f.channel()));
        }
        return f;
    }

    @Override
    public ChannelFuture connectDatagram(EventLoop loop, Endpoint endpoint, ChannelHandler handler) {
        if (endpoint.isLocal()) {
            return LocalConnector.refuse(loop, "local application " + endpoint.localName() + " takes no datagrams");
        }
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(datagramClass)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(SizedDatagrams.INSTANCE, EmptyDatagrams.INSTANCE, handler);
                    }
                });
        if (kind == Loops.Kind.EPOLL) {
            // A connected epoll socket reads with recv(), which takes an empty datagram for "nothing
            // read" and loses it; room for two datagrams makes it read with recvmmsg(), which keeps it.
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2 * MAX_DATAGRAM))
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        } else if (kind == Loops.Kind.IO_URING) {
            // io_uring reads every datagram with its own recvmsg (empty ones kept); room for two and a
            // payload size submits two recvmsg per read, io_uring's counterpart of recvmmsg().
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2 * MAX_DATAGRAM))
                    .option(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        }
        return b.connect(endpoint.address());
    }

    /** Counts a connection the loop opens until it closes, and forgets it when it closes while idle. */
    private void track(Endpoint endpoint, Channel ch) {
        int[] n = open.get().computeIfAbsent(endpoint, e -> new int[1]);
        n[0]++;
        Map<String, Map<Endpoint, ArrayDeque<Channel>>> loopIdle = idle.get();
        ch.closeFuture().addListener(f -> { // runs on the same loop
            n[0]--;
            for (Map<Endpoint, ArrayDeque<Channel>> p : loopIdle.values()) {
                ArrayDeque<Channel> q = p.get(endpoint);
                if (q != null) {
                    q.remove(ch);
                }
            }
        });
    }

    /**
     * The connections of every loop per endpoint, {open, idle}: each loop counts its own maps (a short
     * task on it, so that they are never read from another thread); a loop that does not answer in
     * time, or is going, is left out.
     */
    Map<Endpoint, int[]> counts(List<EventLoopGroup> groups, long timeoutMillis) {
        List<Future<Map<Endpoint, int[]>>> asked = new ArrayList<>();
        for (EventLoopGroup g : groups) {
            EventLoop loop = g.next();
            if (!loop.isShuttingDown()) {
                try {
                    asked.add(loop.submit(this::countHere));
                } catch (RejectedExecutionException e) {
                    // ending: nothing to count
                }
            }
        }
        Map<Endpoint, int[]> sum = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (Future<Map<Endpoint, int[]>> f : asked) {
            if (f.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))) && f.isSuccess()) {
                f.getNow().forEach((e, n) -> {
                    int[] s = sum.computeIfAbsent(e, k -> new int[2]);
                    s[0] += n[0];
                    s[1] += n[1];
                });
            }
        }
        return sum;
    }

    /** This loop's connections per endpoint, {open, idle}. */
    private Map<Endpoint, int[]> countHere() {
        Map<Endpoint, int[]> n = new HashMap<>();
        open.get().forEach((e, c) -> n.computeIfAbsent(e, k -> new int[2])[0] += c[0]);
        for (Map<Endpoint, ArrayDeque<Channel>> p : idle.get().values()) {
            p.forEach((e, q) -> n.computeIfAbsent(e, k -> new int[2])[1] += q.size());
        }
        return n;
    }

    /** Closes the idle connections of the loops (they are retired, or the platform stops). */
    void closeIdle(List<EventLoopGroup> groups) {
        for (EventLoopGroup g : groups) {
            EventLoop loop = g.next();
            if (!loop.isShuttingDown()) {
                loop.execute(() -> {
                    for (Map<Endpoint, ArrayDeque<Channel>> p : idle.get().values()) {
                        for (ArrayDeque<Channel> q : p.values()) {
                            for (Channel ch : q.toArray(new Channel[0])) {
                                ch.close();
                            }
                            q.clear();
                        }
                    }
                });
            }
        }
    }
}
