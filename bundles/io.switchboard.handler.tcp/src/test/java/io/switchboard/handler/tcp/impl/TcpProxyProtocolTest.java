package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PROXY protocol v1 and v2 on a TCP frontend, over real sockets: the client address the header
 * carries is the flow's; the relay opens its back-end only once the header is read; an untrusted
 * source, a malformed, oversized, wrong-version or late header closes the connection, counted.
 */
class TcpProxyProtocolTest {
    private ServerSocket echo;
    private final AtomicInteger backendConnections = new AtomicInteger();
    private DataPlane plane;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    backendConnections.incrementAndGet();
                    Thread h = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            byte[] buf = new byte[65536];
                            int n;
                            while ((n = in.read(buf)) > 0) {
                                out.write(buf, 0, n);
                                out.flush();
                            }
                            out.write("bye".getBytes());
                        } catch (IOException e) {
                            // test ends
                        }
                    });
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        plane = new DataPlane();
        plane.protocol("tcp", TcpProtocol.with(new TestClusters().put("echo", new Endpoint("echo", "127.0.0.1", echo.getLocalPort(), 1))));
        plane.handler("tcp", new TcpHandler());
    }

    @AfterEach
    void stop() throws IOException {
        plane.close();
        echo.close();
    }

    private int frontend(String name, String... options) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            o.put(options[i], options[i + 1]);
        }
        return plane.frontend(new FrontendSpec(name, "tcp", "127.0.0.1", 0, "echo", Map.of(), o, "test-" + name + ".cfg"));
    }

    static byte[] v1(String srcIp, int srcPort) {
        return ("PROXY TCP4 " + srcIp + " 127.0.0.1 " + srcPort + " 80\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** A v2 PROXY header for TCP over IPv4, with {@code tlvBytes} bytes of a no-op TLV (type 0x04). */
    static byte[] v2(String srcIp, int srcPort, int tlvBytes) throws IOException {
        int tlv = tlvBytes == 0 ? 0 : 3 + tlvBytes;
        ByteBuffer b = ByteBuffer.allocate(16 + 12 + tlv);
        b.put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) (12 + tlv));
        b.put(InetAddress.getByName(srcIp).getAddress()).put(InetAddress.getByName("127.0.0.1").getAddress());
        b.putShort((short) srcPort).putShort((short) 80);
        if (tlvBytes > 0) {
            b.put((byte) 0x04).putShort((short) tlvBytes).put(new byte[tlvBytes]);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Everything until the connection ends; a reset counts as the end. */
    private static byte[] readToEnd(Socket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = s.getInputStream().read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // closed with a reset
        }
        return out.toByteArray();
    }

    private TrackedFlow flowOf(int port) {
        List<TrackedFlow> flows = plane.transport.flows();
        for (TrackedFlow f : flows) {
            if (f.localAddress().getPort() == port) {
                return f;
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void theHeadersClientAddressIsTheFlowsAndTheStreamIsRelayedByteExact(String version) throws Exception {
        int port = frontend("pp", "proxyProtocol", "any", "proxyProtocolFrom", "127.0.0.0/8, ::1");
        byte[] header = version.equals("v1") ? v1("192.0.2.7", 5555) : v2("192.0.2.7", 5555, 40);
        byte[] data = new byte[100_000];
        new Random(3).nextBytes(data);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(concat(header, Arrays.copyOf(data, 10)));
            byte[] first = c.getInputStream().readNBytes(10);
            assertArrayEquals(Arrays.copyOf(data, 10), first, "the bytes right behind the header are relayed");
            TrackedFlow flow = flowOf(port);
            assertNotNull(flow);
            assertEquals(new InetSocketAddress("192.0.2.7", 5555), flow.clientAddress(), "the flow's client is the header's");
            Thread writer = new Thread(() -> {
                try {
                    c.getOutputStream().write(data, 10, data.length - 10);
                    c.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            byte[] back = readToEnd(c);
            writer.join();
            assertEquals(data.length - 10 + 3, back.length);
            assertArrayEquals(Arrays.copyOfRange(data, 10, data.length), Arrays.copyOf(back, data.length - 10));
            assertEquals("bye", new String(back, data.length - 10, 3));
        }
        assertEquals(0, plane.status("pp").refused());
    }

    /** A one-shot sender behind a proxy: header, bytes and the half-close at once lose nothing. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1000, 5 << 20})
    void headerBytesAndHalfCloseAtOnceLoseNothing(int size) throws Exception {
        int port = frontend("pp", "proxyProtocol", "v2", "proxyProtocolFrom", "127.0.0.1");
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            Thread writer = new Thread(() -> {
                try {
                    c.getOutputStream().write(concat(v2("198.51.100.1", 1234, 0), data));
                    c.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            byte[] back = readToEnd(c);
            writer.join();
            assertEquals(size + 3, back.length);
            assertArrayEquals(data, Arrays.copyOf(back, size));
        }
    }

    @Test
    void aHeaderSentInPiecesIsReadWhole() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v1", "proxyProtocolFrom", "127.0.0.1");
        byte[] header = v1("203.0.113.9", 40000);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            c.setTcpNoDelay(true);
            for (byte b : header) {
                c.getOutputStream().write(b);
                c.getOutputStream().flush();
                Thread.sleep(5);
            }
            assertEquals(0, backendConnections.get(), "no back-end before the header is complete... and bytes");
            c.getOutputStream().write("hello".getBytes());
            assertEquals("hello", new String(c.getInputStream().readNBytes(5)));
            assertEquals(new InetSocketAddress("203.0.113.9", 40000), flowOf(port).clientAddress());
        }
    }

    /** A v2 LOCAL header (the proxy's own health check): served, with the connection's own address as the client. */
    @Test
    void aLocalHeaderLeavesTheConnectionsOwnAddress() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v2", "proxyProtocolFrom", "127.0.0.1");
        ByteBuffer local = ByteBuffer.allocate(16);
        local.put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(concat(local.array(), "ping".getBytes()));
            assertEquals("ping", new String(c.getInputStream().readNBytes(4)));
            assertEquals(c.getLocalSocketAddress(), flowOf(port).clientAddress());
        }
        assertEquals(0, plane.status("pp").refused());
    }

    private void assertRefused(int port, byte[] send, String logFragment) throws Exception {
        long before = plane.status("pp").refused();
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            try {
                c.getOutputStream().write(send);
            } catch (SocketException e) {
                // closed already
            }
            assertEquals(0, readToEnd(c).length, "nothing comes back");
        }
        await("the refusal counted", () -> plane.status("pp").refused() == before + 1);
        assertEquals(0, backendConnections.get(), "no back-end connection was opened");
        // the count is raised before the line is written: wait for the line too
        await("logged: " + logFragment, () -> !plane.log(logFragment).isEmpty());
    }

    @Test
    void anUntrustedSourceIsClosedEvenWithAWellFormedHeader() throws Exception {
        int port = frontend("pp", "proxyProtocol", "any", "proxyProtocolFrom", "10.0.0.0/8");
        assertRefused(port, v2("192.0.2.1", 1, 0), "is not in proxyProtocolFrom");
    }

    @Test
    void noHeaderIsRefused() throws Exception {
        int port = frontend("pp", "proxyProtocol", "any", "proxyProtocolFrom", "127.0.0.1");
        assertRefused(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(), "bad PROXY protocol header");
    }

    @Test
    void aMalformedV1HeaderIsRefused() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v1", "proxyProtocolFrom", "127.0.0.1");
        assertRefused(port, "PROXY TCP4 300.1.1.1 127.0.0.1 1 80\r\nhello".getBytes(), "bad PROXY protocol header");
    }

    @Test
    void anOverlongV1LineIsRefused() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v1", "proxyProtocolFrom", "127.0.0.1");
        byte[] line = new byte[200];
        Arrays.fill(line, (byte) 'A');
        System.arraycopy("PROXY ".getBytes(), 0, line, 0, 6);
        assertRefused(port, line, "bad PROXY protocol header");
    }

    @Test
    void anOversizedV2HeaderIsRefused() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v2", "proxyProtocolFrom", "127.0.0.1");
        assertRefused(port, v2("192.0.2.1", 1, 5000), "bad PROXY protocol header");
    }

    @Test
    void aV1HeaderOnAV2OnlyFrontendIsRefused() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v2", "proxyProtocolFrom", "127.0.0.1");
        assertRefused(port, concat(v1("192.0.2.1", 1), "x".getBytes()), "takes v2 only");
    }

    @Test
    void aHeaderCutShortByTheClientIsRefused() throws Exception {
        int port = frontend("pp", "proxyProtocol", "v2", "proxyProtocolFrom", "127.0.0.1");
        long before = plane.status("pp").refused();
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            c.getOutputStream().write(Arrays.copyOf(v2("192.0.2.1", 1, 0), 20));
            c.shutdownOutput();
            assertEquals(0, readToEnd(c).length);
        }
        await("counted", () -> plane.status("pp").refused() == before + 1);
        assertEquals(0, backendConnections.get());
    }

    @Test
    void noHeaderInTimeClosesTheConnection() throws Exception {
        int port = frontend("pp", "proxyProtocol", "any", "proxyProtocolFrom", "127.0.0.1", "proxyProtocolTimeoutMillis", "300");
        long t0 = System.nanoTime();
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(10_000);
            assertEquals(-1, c.getInputStream().read());
        }
        assertTrue(System.nanoTime() - t0 >= 250_000_000L, "not before the timeout");
        await("counted", () -> plane.status("pp").refused() == 1);
        assertEquals(0, backendConnections.get(), "the relay never opened its back-end");
        await("logged", () -> !plane.log("no PROXY protocol header within 300 ms").isEmpty());
    }

    @Test
    void badSettingsAreRejectedNamingTheKey() {
        String[][] bad = {
                {"proxyProtocol", "v3"},
                {"proxyProtocol", "v1"},
                {"proxyProtocol", "v2", "proxyProtocolFrom", "example.com"},
                {"proxyProtocol", "v2", "proxyProtocolFrom", "10.0.0.0/33"},
                {"proxyProtocol", "any", "proxyProtocolFrom", "127.0.0.1", "proxyProtocolTimeoutMillis", "0"},
                {"proxyProtocolFrom", "127.0.0.1"},
        };
        String[] keys = {"proxyProtocol", "proxyProtocolFrom", "proxyProtocolFrom", "proxyProtocolFrom",
                "proxyProtocolTimeoutMillis", "proxyProtocolFrom"};
        for (int i = 0; i < bad.length; i++) {
            Map<String, String> o = new HashMap<>();
            for (int j = 0; j < bad[i].length; j += 2) {
                o.put(bad[i][j], bad[i][j + 1]);
            }
            String name = "bad" + i;
            plane.transport.apply(new FrontendSpec(name, "tcp", "127.0.0.1", 0, "echo", Map.of(), o, "bad" + i + ".cfg"));
            FrontendStatus s = plane.status(name);
            assertFalse(s.listening(), name + " " + o);
            assertTrue(s.error().contains("key '" + keys[i] + "'"), s.error());
            assertFalse(plane.log("config rejected: bad" + i + ".cfg: key '" + keys[i] + "'").isEmpty(), name);
        }
    }
}
