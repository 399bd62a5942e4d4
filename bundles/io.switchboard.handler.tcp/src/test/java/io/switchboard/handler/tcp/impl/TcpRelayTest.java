package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.Endpoint;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The TCP relay over real sockets, on the real data plane: bytes exact, half-close passed through. */
class TcpRelayTest {

    /** Echoes everything, and after the client's FIN sends "bye" and closes. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                    out.write("bye".getBytes());
                    out.flush();
                } catch (IOException e) {
                    // test ends
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    private static Endpoint endpoint(String id, int port) {
        return new Endpoint(id, "127.0.0.1", port, 1);
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A TCP frontend in front of the cluster, as the platform wires it. */
    private static DataPlane plane(TestClusters clusters) {
        DataPlane plane = new DataPlane();
        plane.protocol("tcp", TcpProtocol.with(clusters));
        plane.handler("tcp", new TcpHandler());
        return plane;
    }

    @Test
    void relaysBytesExactlyAndPassesTheHalfClose() throws Exception {
        try (ServerSocket echo = echoServer();
             DataPlane plane = plane(new TestClusters().put("echo", endpoint("echo", echo.getLocalPort())))) {
            int port = plane.frontend("test", "tcp", "echo");
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
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
                assertArrayEquals(data, Arrays.copyOf(back, data.length));
                assertEquals("bye", new String(back, data.length, 3));
            }
        }
    }

    /**
     * A one-shot sender ({@code printf ... | nc -N}) writes and half-closes at once, before the
     * back-end connection is up: every byte must still arrive, then the back-end sees the end.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1000, 5 << 20})
    void aClientThatHalfClosesBeforeTheBackendIsUpLosesNothing(int size) throws Exception {
        try (ServerSocket echo = echoServer();
             DataPlane plane = plane(new TestClusters().put("echo", endpoint("echo", echo.getLocalPort())))) {
            int port = plane.frontend("test", "tcp", "echo");
            byte[] data = new byte[size];
            new Random(size).nextBytes(data);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
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
                assertEquals(size + 3, back.length, "bytes back for " + size + " sent");
                assertArrayEquals(data, Arrays.copyOf(back, size));
                assertEquals("bye", new String(back, size, 3));
            }
        }
    }

    @Test
    void refusedBackendClosesTheClient() throws Exception {
        try (DataPlane plane = plane(new TestClusters().put("dead", endpoint("dead", deadPort())))) {
            int port = plane.frontend("test", "tcp", "dead");
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
                assertEquals(-1, client.getInputStream().read());
            }
        }
    }
}
