package io.switchboard.handler.udp.impl;

import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP frontends on real sockets on 127.0.0.1, on the real data plane (transport, switch, core and
 * default handler) with this bundle's protocol; plus a UDP echo back-end and clients.
 */
final class UdpFixture implements AutoCloseable {
    final DataPlane plane;
    final TestClusters clusters;

    UdpFixture(TestClusters clusters) {
        this(clusters, true);
    }

    /** With {@code nativeTransport} false, on NIO: what the transport falls back to; else on epoll or io_uring (the second test run). */
    UdpFixture(TestClusters clusters, boolean nativeTransport) {
        this.clusters = clusters;
        plane = new DataPlane(nativeTransport ? DataPlane.NATIVE : "nio");
        plane.protocol("udp", UdpProtocol.with(clusters));
    }

    /** Registers a flow handler of the type, as its service would be; returns its properties (to remove it). */
    Map<String, Object> addHandler(String type, FlowHandler handler) {
        return plane.handler(type, handler);
    }

    /** A UDP frontend on 127.0.0.1 (any free port) in front of the cluster, with this idle time and flow limit. */
    Udp frontend(String name, String cluster, int idleSeconds, int maxFlows) {
        String problem = plane.transport.frontendSettings(Map.of("udpIdleSeconds", idleSeconds, "udpMaxFlows", maxFlows));
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return frontend(new FrontendSpec(name, "udp", "127.0.0.1", 0, cluster));
    }

    Udp frontend(FrontendSpec spec) {
        return new Udp(plane, spec.name(), plane.frontend(spec));
    }

    Udp frontend(String cluster) {
        return frontend("udp-" + cluster, cluster, 30, 65536);
    }

    /** One UDP frontend: its address, status and datagram counters. */
    static final class Udp {
        private final DataPlane plane;
        final String name;
        final int port;

        Udp(DataPlane plane, String name, int port) {
            this.plane = plane;
            this.name = name;
            this.port = port;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }

        int port() {
            return port;
        }

        FrontendStatus status() {
            return plane.status(name);
        }

        long datagramsIn() { return plane.transport.datagramCounters(name)[0]; }
        long datagramsOut() { return plane.transport.datagramCounters(name)[1]; }
        long dropped() { return plane.transport.datagramCounters(name)[2]; }
        long overflow() { return plane.transport.datagramCounters(name)[3]; }
        long expired() { return plane.transport.datagramCounters(name)[4]; }
    }

    @Override
    public void close() {
        plane.close();
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
        // Below the ephemeral range (32768 and up): a port handed out at random there could come back
        // at once as a frontend's or a client's own, and the "dead" endpoint would answer.
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 100; i++) {
            int port = random.nextInt(20_000, 32_000);
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return s.getLocalPort();
            } catch (SocketException taken) {
                // try another
            }
        }
        throw new SocketException("no free UDP port below the ephemeral range");
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
