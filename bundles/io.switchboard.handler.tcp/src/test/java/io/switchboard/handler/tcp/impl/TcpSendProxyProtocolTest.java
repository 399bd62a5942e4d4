package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A cluster with sendProxyProtocol: each relay to its endpoints starts with a header naming the client. */
class TcpSendProxyProtocolTest {

    /** Records everything each connection sends until its end, then closes. */
    private static ServerSocket recorder(BlockingQueue<byte[]> streams) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    streams.add(in.readAllBytes());
                } catch (IOException e) {
                    // test ends
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    private static byte[] sendThrough(int backendPort, int version, byte[] clientBytes, Map<String, String> frontendOptions,
                                      BlockingQueue<byte[]> streams, int[] frontendPort) throws Exception {
        TestClusters clusters = new TestClusters().put("rec", new Endpoint("rec", "127.0.0.1", backendPort, 1));
        ((TestClusters.RoundRobin) clusters.cluster("rec")).sendProxyProtocol = version;
        try (DataPlane plane = new DataPlane()) {
            plane.protocol("tcp", TcpProtocol.with(clusters));
            plane.handler("tcp", new TcpHandler());
            int port = plane.frontend(new FrontendSpec("t", "tcp", "127.0.0.1", 0, "rec", Map.of(), frontendOptions, null));
            frontendPort[0] = port;
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                c.getOutputStream().write(clientBytes);
                c.shutdownOutput();
                c.setSoTimeout(10_000);
                c.getInputStream().readAllBytes();
            }
            byte[] got = streams.poll(10, TimeUnit.SECONDS);
            return got;
        }
    }

    @Test
    void v1NamesTheDirectClient() throws Exception {
        BlockingQueue<byte[]> streams = new ArrayBlockingQueue<>(10);
        try (ServerSocket rec = recorder(streams)) {
            int[] port = new int[1];
            byte[] got = sendThrough(rec.getLocalPort(), 1, "hello".getBytes(), Map.of(), streams, port);
            String s = new String(got, StandardCharsets.US_ASCII);
            assertEquals("PROXY TCP4 127.0.0.1 127.0.0.1 ", s.substring(0, 31), s);
            String line = s.substring(0, s.indexOf("\r\n"));
            assertEquals(String.valueOf(port[0]), line.split(" ")[5], line);
            assertEquals("hello", s.substring(line.length() + 2), "the client's bytes follow the header");
        }
    }

    @Test
    void v2NamesTheClientAProxyInFrontNamed() throws Exception {
        BlockingQueue<byte[]> streams = new ArrayBlockingQueue<>(10);
        try (ServerSocket rec = recorder(streams)) {
            int[] port = new int[1];
            byte[] in = ("PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\npayload").getBytes(StandardCharsets.US_ASCII);
            byte[] got = sendThrough(rec.getLocalPort(), 2, in, Map.of("proxyProtocol", "v1", "proxyProtocolFrom", "127.0.0.1"), streams, port);
            ByteBuffer expected = ByteBuffer.allocate(28);
            expected.put(TcpProxyProtocolTest.V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) 12)
                    .put(new byte[] {(byte) 192, 0, 2, 7}).put(new byte[] {127, 0, 0, 1})
                    .putShort((short) 5555).putShort((short) port[0]);
            assertArrayEquals(expected.array(), Arrays.copyOf(got, 28));
            assertEquals("payload", new String(got, 28, got.length - 28, StandardCharsets.US_ASCII));
        }
    }
}
