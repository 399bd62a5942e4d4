package io.switchboard.local.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.api.local.LocalApplication;
import io.switchboard.api.local.LocalRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The local servers: one {@link LocalServerChannel} per application name, bound at
 * {@code LocalAddress(NAME)}, where the transport's {@code local:NAME} connections arrive. The
 * server side of those connections runs on one thread of its own ({@code sb-local}), never on a
 * switching loop: it only frames HTTP, and the application itself runs on the caller pool.
 */
final class LocalServers {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sb-local", true), LocalIoHandler.newFactory());
    private final Map<String, Channel> bound = new HashMap<>();
    /** Each name's open connections: closed with its server, so none is left served by nothing. */
    private final Map<String, ChannelGroup> connections = new HashMap<>();
    private final Function<String, LocalApplication> current;
    private final ExecutorService callers;
    private final FailureLog failures;

    /**
     * @param current  the application now registered under a name, or null (read for every request,
     *                 so a replacement of the same name serves the next request on the same server)
     * @param callers  where applications run
     */
    LocalServers(Function<String, LocalApplication> current, ExecutorService callers, FailureLog failures) {
        this.current = current;
        this.callers = callers;
        this.failures = failures;
    }

    /** Binds the server for the name (once); an error says why it cannot. */
    synchronized void open(String name) throws InterruptedException {
        if (bound.containsKey(name)) {
            return;
        }
        ChannelGroup open = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        open.add(ch);
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec())
                                // A body over the limit gets 413 here, without the application being called.
                                .addLast("aggregate", new HttpObjectAggregator(LocalRequest.MAX_BODY))
                                .addLast("app", new LocalHttpBridge(name, current, callers, failures));
                    }
                })
                .bind(new LocalAddress(name)).sync().channel();
        bound.put(name, server);
        connections.put(name, open);
    }

    /** Unbinds the server for the name: new connections are refused, open ones closed (a request in progress is cut). */
    synchronized void close(String name) {
        Channel server = bound.remove(name);
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            connections.remove(name).close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    synchronized boolean isOpen(String name) {
        return bound.containsKey(name);
    }

    /** Unbinds every server and ends the server thread. */
    synchronized void stop() {
        for (String name : List.copyOf(bound.keySet())) {
            close(name); // connections first, while their loop still runs: their peers hear of it cleanly
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
