package io.switchboard.transport.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.switchboard.api.Endpoint;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Back-end connections, per event loop and per endpoint. A client's back-end connection is opened on
 * the client's own loop, and idle ones are kept in that loop's own map: no lock, no thread hop.
 * Every method except {@link #closeAll} runs on the event loop that owns the connections.
 */
public final class UpstreamPool {
    /** Idle connections kept per endpoint and loop; more are closed on release. */
    static final int MAX_IDLE_PER_ENDPOINT = 256;

    private final Class<? extends SocketChannel> channelClass;
    private final int connectTimeoutMillis;
    private final FastThreadLocal<Map<Endpoint, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };

    public UpstreamPool(Class<? extends SocketChannel> channelClass, int connectTimeoutMillis) {
        this.channelClass = channelClass;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** Connections to each endpoint opened by the calling loop and still open (idle or busy). */
    private final FastThreadLocal<Map<Endpoint, int[]>> open = new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, int[]> initialValue() {
            return new HashMap<>();
        }
    };

    /** Connections to the endpoint that the calling loop has open now, idle or busy. */
    public int openConnections(Endpoint endpoint) {
        int[] n = open.get().get(endpoint);
        return n == null ? 0 : n[0];
    }

    /** Counts a connection the calling loop opens to the endpoint until it closes (or fails to open). */
    private void track(Endpoint endpoint, ChannelFuture connecting) {
        int[] n = open.get().computeIfAbsent(endpoint, e -> new int[1]);
        n[0]++;
        connecting.channel().closeFuture().addListener(f -> n[0]--); // runs on the same loop
    }

    /** An idle, open connection to the endpoint on the calling loop, or null. */
    public Channel pollIdle(Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get().get(endpoint);
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

    /** Keeps a connection whose last exchange ended cleanly for the next request to the endpoint. */
    public void release(Endpoint endpoint, Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.get().computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
            ch.close();
        } else {
            q.addLast(ch);
        }
    }

    /** Forgets a pooled connection that closed or timed out while idle. */
    public void forget(Endpoint endpoint, Channel ch) {
        ArrayDeque<Channel> q = idle.get().get(endpoint);
        if (q != null) {
            q.remove(ch);
        }
    }

    /** Opens a connection to the endpoint on the given loop; a relay connection reads only when told and closes each half on its own. */
    public ChannelFuture connect(EventLoop loop, Endpoint endpoint, ChannelHandler initializer, boolean relay) {
        return connect(loop, endpoint, initializer, relay, connectTimeoutMillis);
    }

    /** As {@link #connect(EventLoop, Endpoint, ChannelHandler, boolean)}, with the cluster's own connect timeout. */
    public ChannelFuture connect(EventLoop loop, Endpoint endpoint, ChannelHandler initializer, boolean relay, int timeoutMillis) {
        ChannelFuture f = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .option(ChannelOption.AUTO_READ, !relay)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, relay)
                .handler(initializer)
                .connect(endpoint.address());
        if (loop.inEventLoop()) {
            track(endpoint, f);
        } else {
            loop.execute(() -> track(endpoint, f));
        }
        return f;
    }

    /** Closes every idle connection of every loop (platform stop). */
    public void closeAll(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            if (!loop.isShuttingDown()) {
                loop.execute(() -> {
                    for (ArrayDeque<Channel> q : idle.get().values()) {
                        q.forEach(Channel::close);
                        q.clear();
                    }
                });
            }
        }
    }
}
