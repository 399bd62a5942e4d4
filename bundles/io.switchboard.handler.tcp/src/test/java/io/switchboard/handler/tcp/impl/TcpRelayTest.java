package io.switchboard.transport.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.runtime.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The TCP relay over real sockets: bytes exact, half-close passed through. */
class TcpRelayTest {

    /** Echoes everything, and after the client's FIN sends "bye" and closes. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.transferTo(out);
                out.write("bye".getBytes());
                out.flush();
            } catch (IOException e) {
                // test ends
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void relaysBytesExactlyAndPassesTheHalfClose() throws Exception {
        try (ServerSocket echo = echoServer();
             ProxyFixture proxy = new ProxyFixture(Protocol.TCP, "echo",
                     new TestClusters().put("echo", HttpForwardingTest.endpoint("echo", echo.getLocalPort())));
             Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setSoTimeout(10_000);
            byte[] data = new byte[4 << 20];
            new Random(7).nextBytes(data);
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(data);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            byte[] back = client.getInputStream().readAllBytes();
            writer.join();
            assertEquals(data.length + 3, back.length);
            assertArrayEquals(data, java.util.Arrays.copyOf(back, data.length));
            assertEquals("bye", new String(back, data.length, 3));
        }
    }

    @Test
    void refusedBackendClosesTheClient() throws Exception {
        try (ProxyFixture proxy = new ProxyFixture(Protocol.TCP, "dead",
                     new TestClusters().put("dead", HttpForwardingTest.endpoint("dead", HttpForwardingTest.deadPort())));
             Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setSoTimeout(10_000);
            assertEquals(-1, client.getInputStream().read());
        }
    }
}
