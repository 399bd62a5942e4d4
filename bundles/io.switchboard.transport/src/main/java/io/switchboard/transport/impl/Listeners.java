package io.switchboard.transport.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.unix.UnixChannelOption;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.function.BiConsumer;

/**
 * Binds listening sockets. On epoll and io_uring every accepting loop of a frontend binds its own socket to the
 * frontend's address with SO_REUSEPORT: the kernel spreads new connections over them, and a new
 * socket can be bound before an old one closes (with {@code net.ipv4.tcp_migrate_req} the old one's
 * waiting connections move to the others). SO_REUSEPORT would also let another process share the
 * port and silently take part of the traffic: before a frontend's first socket on an address,
 * {@link #foreignListener} checks that nobody listens there.
 */
final class Listeners {
    /**
     * Connections a listener accepts per wake-up before the loop serves its connections' I/O again
     * (Netty's default for a server channel is 16). A burst of new connections (one request per
     * connection, many clients at once) is taken in fewer wake-ups; the loop still turns to the
     * established connections after this many.
     */
    static final int ACCEPTS_PER_WAKEUP = 64;

    private final Loops loops;
    private final SharedRefs refs;
    private final BiConsumer<Frontend, Throwable> protocolFailed;

    Listeners(Loops loops, SharedRefs refs, BiConsumer<Frontend, Throwable> protocolFailed) {
        this.loops = loops;
        this.refs = refs;
        this.protocolFailed = protocolFailed;
    }

    /**
     * Why a frontend cannot take the address, when another socket already listens there (another
     * process, typically); null when it is free. A plain bind (SO_REUSEADDR, which only passes over
     * connections in TIME_WAIT, no SO_REUSEPORT) fails exactly when someone listens.
     */
    static String foreignListener(String address, int port) {
        if (port == 0) {
            return null;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(address), port), 1);
            return null;
        } catch (BindException e) {
            return "port " + port + " on " + address + " is already in use by another process";
        } catch (IOException e) {
            return "cannot bind " + address + ":" + port + ": " + e.getMessage();
        }
    }

    /** Binds one listening socket of the frontend on the loop, which owns every connection it accepts. */
    ChannelFuture listen(Frontend frontend, EventLoop loop, int port) {
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(ACCEPTS_PER_WAKEUP))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new StreamAcceptor(frontend, refs, protocolFailed));
        if (loops.socketPerLoop()) {
            b.option(UnixChannelOption.SO_REUSEPORT, true); // epoll and io_uring alike
        }
        return b.bind(frontend.spec().bindAddress(), port).awaitUninterruptibly();
    }

    /** The message for a failed bind. */
    static String why(Throwable c, String address, int port) {
        return c instanceof BindException || String.valueOf(c.getMessage()).contains("in use")
                ? "port " + port + " already in use on " + address
                : String.valueOf(c);
    }
}
