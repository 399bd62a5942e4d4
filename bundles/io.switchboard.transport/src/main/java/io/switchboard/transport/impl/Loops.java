package io.switchboard.transport.impl;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The switching threads: one single-threaded Netty group per event loop, on the native epoll
 * transport (NIO only as a fallback, with the reason). One group per loop lets loops be added and
 * retired one at a time: a change of {@code eventLoops} brings up new loops and drains only the
 * ones that go. The groups outlive a transport update: the next version adopts them. Each loop can
 * also register Netty local channels ({@link LocalCapableIoHandler}): the pseudo-network interface
 * to applications inside the runtime.
 */
final class Loops {
    private static final AtomicInteger THREAD_GENERATION = new AtomicInteger();

    private final boolean epoll;
    private final String fallbackReason;
    private volatile List<EventLoopGroup> groups;

    private Loops(boolean epoll, String fallbackReason, List<EventLoopGroup> groups) {
        this.epoll = epoll;
        this.fallbackReason = fallbackReason;
        this.groups = List.copyOf(groups);
    }

    /** New loops; {@code transport} is {@code auto} (epoll when it loads) or {@code nio}. */
    static Loops create(String transport, int count) {
        String reason = null;
        if ("nio".equalsIgnoreCase(transport)) {
            reason = "nio chosen by configuration";
        } else if (!Epoll.isAvailable()) {
            Throwable cause = Epoll.unavailabilityCause();
            reason = "epoll unavailable: " + (cause == null ? "unknown" : cause.toString());
        }
        Loops loops = new Loops(reason == null, reason, List.of());
        loops.groups = loops.newGroups(count);
        return loops;
    }

    /** The loops an earlier version of the transport ran. */
    static Loops adopt(boolean epoll, String fallbackReason, List<EventLoopGroup> groups) {
        return new Loops(epoll, fallbackReason, groups);
    }

    private List<EventLoopGroup> newGroups(int count) {
        // Every loop also carries local channels: back-end connections to local:NAME endpoints.
        IoHandlerFactory factory = LocalCapableIoHandler.wrap(epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<EventLoopGroup> made = new ArrayList<>();
        int generation = THREAD_GENERATION.incrementAndGet();
        for (int i = 0; i < count; i++) {
            made.add(new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sb-io-" + generation + "-" + i, true), factory));
        }
        return made;
    }

    int size() { return groups.size(); }

    EventLoop loop(int i) { return groups.get(i).next(); }

    /** The groups, loop 0 first (the hand-over carries them). */
    List<EventLoopGroup> groups() { return groups; }

    /** Whether the loop is one of this transport's loops now (not retired). */
    boolean isActive(EventLoop loop) {
        for (EventLoopGroup g : groups) {
            if (g.next() == loop) {
                return true;
            }
        }
        return false;
    }

    /** Adds loops until there are {@code n}; returns the new ones. */
    synchronized List<EventLoopGroup> grow(int n) {
        List<EventLoopGroup> added = newGroups(Math.max(0, n - groups.size()));
        List<EventLoopGroup> all = new ArrayList<>(groups);
        all.addAll(added);
        groups = List.copyOf(all);
        return added;
    }

    /** Takes the last loops out until {@code n} are left (at least one); the caller drains and then ends them. */
    synchronized List<EventLoopGroup> shrink(int n) {
        int keep = Math.max(1, n);
        if (keep >= groups.size()) {
            return List.of();
        }
        List<EventLoopGroup> retired = new ArrayList<>(groups.subList(keep, groups.size()));
        groups = List.copyOf(groups.subList(0, keep));
        return retired;
    }

    /** Ends loops: what they still run gets two seconds. */
    static void end(List<EventLoopGroup> ending) {
        for (EventLoopGroup g : ending) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : ending) {
            g.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    boolean isEpoll() { return epoll; }

    String name() { return epoll ? "epoll" : "nio"; }

    String fallbackReason() { return fallbackReason; }

    Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends SocketChannel> socketChannelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends DatagramChannel> datagramChannelClass() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
