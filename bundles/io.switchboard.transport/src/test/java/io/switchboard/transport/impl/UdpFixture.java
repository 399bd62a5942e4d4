package io.switchboard.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.core.impl.CoreManager;
import io.switchboard.handler.defaults.impl.DefaultHandler;
import io.switchboard.intelligentswitch.impl.SwitchManager;
import io.switchboard.transport.impl.udp.UdpFrontend;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP frontends on real epoll sockets on 127.0.0.1, wired as the frontend manager wires them, with
 * the real switch, core and default handler; plus a UDP echo back-end and clients.
 */
final class UdpFixture implements AutoCloseable {
    final EventLoopGroup group;
    final boolean epoll;
    final CoreManager core;
    final SwitchManager switchboard;
    final TestClusters clusters;
    final DefaultHandler defaultHandler = new DefaultHandler();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicLong serviceIds = new AtomicLong(1);

    UdpFixture(TestClusters clusters) {
        this(clusters, true);
    }

    /** With {@code epoll} false, on NIO: what the transport falls back to. */
    UdpFixture(TestClusters clusters, boolean epoll) {
        if (epoll && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll must load on this machine", Epoll.unavailabilityCause());
        }
        this.clusters = clusters;
        this.epoll = epoll;
        group = new MultiThreadIoEventLoopGroup(2, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        core = CoreManager.start(1024, 1024, "blocking");
        switchboard = SwitchManager.withCore(core);
        addHandler(FlowHandler.DEFAULT_TYPE, defaultHandler);
    }

    /** Registers a flow handler of the type, as its service would be; returns its properties (to remove it). */
    Map<String, Object> addHandler(String type, FlowHandler handler) {
        Map<String, Object> props = Map.of(FlowHandler.TYPE, type, "service.id", serviceIds.getAndIncrement());
        switchboard.addHandler(handler, props, "test");
        return props;
    }

    /** A UDP frontend on 127.0.0.1 (any free port) in front of the cluster. */
    Udp frontend(String name, String cluster, int idleSeconds, int maxFlows) {
        return frontend(new FrontendSpec(name, Protocol.UDP, "127.0.0.1", 0, cluster), idleSeconds, maxFlows);
    }

    Udp frontend(FrontendSpec spec, int idleSeconds, int maxFlows) {
        Frontend frontend = new Frontend(spec);
        Channel ch = UdpFrontend.bind(frontend, group, epoll, clusters, switchboard, idleSeconds, maxFlows, warnings::add)
                .syncUninterruptibly().channel();
        frontend.listening(ch);
        channels.add(ch);
        return new Udp(frontend, ch);
    }

    Udp frontend(String cluster) {
        return frontend("udp-" + cluster, cluster, 30, UdpFrontend.DEFAULT_MAX_FLOWS);
    }

    static final class Udp {
        final Frontend frontend;
        final Channel channel;
        final UdpFrontend handler;

        Udp(Frontend frontend, Channel channel) {
            this.frontend = frontend;
            this.channel = channel;
            this.handler = UdpFrontend.of(channel);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) channel.localAddress();
        }

        int port() {
            return address().getPort();
        }
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        core.deactivate();
    }

    /** A UDP back-end on 127.0.0.1 that sends every datagram back to its sender, unchanged. */
    static final class Echo implements AutoCloseable {
        final DatagramSocket socket;
        final AtomicLong datagrams = new AtomicLong();
        private final Thread thread;

        Echo() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setReceiveBufferSize(4 << 20);
            socket.setSendBufferSize(4 << 20);
            thread = new Thread(() -> {
                byte[] buf = new byte[65536];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        datagrams.incrementAndGet();
                        socket.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "udp-echo");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(5000);
        }
    }

    /** A UDP port nothing listens on: bound once, then released. */
    static int deadUdpPort() throws SocketException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** A client socket on 127.0.0.1. */
    static final class Client implements AutoCloseable {
        final DatagramSocket socket;
        /** Where the last reply came from. */
        InetSocketAddress lastFrom;

        Client(int timeoutMillis) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setSoTimeout(timeoutMillis);
            socket.setReceiveBufferSize(4 << 20);
            socket.setSendBufferSize(4 << 20);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(InetSocketAddress to, byte[] data) throws IOException {
            socket.send(new DatagramPacket(data, data.length, to));
        }

        /** The next datagram, or null when none comes within the timeout. */
        byte[] receive() throws IOException {
            byte[] buf = new byte[65536];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
            lastFrom = (InetSocketAddress) p.getSocketAddress();
            return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
        }

        byte[] roundTrip(InetSocketAddress to, byte[] data) throws IOException {
            send(to, data);
            return receive();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
