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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The switching threads: one single-threaded Netty group per event loop, on a native transport
 * (io_uring where it loads, else epoll; NIO only as a fallback, with the reason). One group per loop
 * lets loops be added and retired one at a time: a change of {@code eventLoops} brings up new loops
 * and drains only the ones that go. The groups outlive a transport update: the next version adopts
 * them, told which kind they are. Each loop can also register Netty local channels
 * ({@link LocalCapableIoHandler}): the pseudo-network interface to applications inside the runtime.
 */
final class Loops {
    private static final AtomicInteger THREAD_GENERATION = new AtomicInteger();

    /** The kinds of loop; a loop registers only channels of its own kind. */
    enum Kind {
        EPOLL("epoll"), IO_URING("io_uring"), NIO("nio");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        static Kind of(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no transport " + label);
        }
    }

    /** What {@code transport} gives on this machine, and why it is not what was asked for (null when it is). */
    record Choice(Kind kind, String fallbackReason) {}

    private final Kind kind;
    private final String fallbackReason;
    private volatile List<EventLoopGroup> groups;

    private Loops(Kind kind, String fallbackReason, List<EventLoopGroup> groups) {
        this.kind = kind;
        this.fallbackReason = fallbackReason;
        this.groups = List.copyOf(groups);
    }

    /**
     * What a configured {@code transport} runs on: {@code auto} on io_uring when it loads, else epoll
     * (io_uring makes fewer system calls per request: see README.md, Benchmark), else NIO;
     * {@code epoll} on epoll when it loads, else NIO; {@code io_uring} on io_uring when it loads (else
     * epoll, else NIO); {@code nio} on NIO. Only a transport other than the one asked for by name is a
     * fallback: {@code auto} on epoll is what auto means where io_uring is unavailable.
     */
    static Choice choose(String transport) {
        if ("nio".equalsIgnoreCase(transport)) {
            return new Choice(Kind.NIO, "nio chosen by configuration");
        }
        boolean auto = "auto".equalsIgnoreCase(transport);
        boolean uring = auto || "io_uring".equalsIgnoreCase(transport);
        if (uring && IoUring.isAvailable()) {
            return new Choice(Kind.IO_URING, null);
        }
        String uringReason = uring ? ioUringUnavailable() : null;
        if (Epoll.isAvailable()) {
            return new Choice(Kind.EPOLL, auto ? null : uringReason);
        }
        String epollReason = "epoll unavailable: " + cause(Epoll.unavailabilityCause());
        return new Choice(Kind.NIO, uringReason == null ? epollReason : uringReason + "; " + epollReason);
    }

    /** Why {@code auto} runs on epoll rather than io_uring here (null when it runs on io_uring or NIO). */
    static String autoOnEpollBecause() {
        return !IoUring.isAvailable() && Epoll.isAvailable() ? ioUringUnavailable() : null;
    }

    private static String ioUringUnavailable() {
        return "io_uring unavailable: " + cause(IoUring.unavailabilityCause());
    }

    private static String cause(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        // The useful part is often a cause or two down (an UnsatisfiedLinkError, a failed io_uring_setup).
        StringBuilder s = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null && c != t && s.length() < 400; c = c.getCause()) {
            s.append(" <- ").append(c);
        }
        return s.toString();
    }

    /** New loops for a configured {@code transport} (see {@link #choose}). */
    static Loops create(String transport, int count) {
        Choice c = choose(transport);
        Loops loops = new Loops(c.kind, c.fallbackReason, List.of());
        loops.groups = loops.newGroups(count);
        return loops;
    }

    /** The loops an earlier version of the transport ran, of the kind it names. */
    static Loops adopt(Kind kind, String fallbackReason, List<EventLoopGroup> groups) {
        return new Loops(kind, fallbackReason, groups);
    }

    private List<EventLoopGroup> newGroups(int count) {
        // Every loop also carries local channels: back-end connections to local:NAME endpoints.
        IoHandlerFactory factory = LocalCapableIoHandler.wrap(switch (kind) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        });
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

    Kind kind() { return kind; }

    boolean isEpoll() { return kind == Kind.EPOLL; }

    /**
     * Whether every accepting loop can bind its own listening socket to the port (SO_REUSEPORT):
     * the native transports; on NIO one socket accepts for all.
     */
    boolean socketPerLoop() { return kind != Kind.NIO; }

    String name() { return kind.label; }

    String fallbackReason() { return fallbackReason; }

    Class<? extends ServerChannel> serverChannelClass() {
        return switch (kind) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    Class<? extends SocketChannel> socketChannelClass() {
        return switch (kind) {
            case EPOLL -> EpollSocketChannel.class;
            case IO_URING -> IoUringSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    Class<? extends DatagramChannel> datagramChannelClass() {
        return switch (kind) {
            case EPOLL -> EpollDatagramChannel.class;
            case IO_URING -> IoUringDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }
}
