package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.api.Endpoint;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The TCP relay and the dispatcher cluster, over real sockets on the real data plane: a new client
 * whose endpoint another dispatcher decides (the cluster's {@code pending} stage) is held, bytes and
 * all, until the decision; each relayed connection counts once among its client's connections
 * ({@code sessionEnd = close}) until it closes.
 */
class TcpLockWaitTest {
    /** An echo back-end that counts the connections it accepted. */
    private static final class Echo implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();

        Echo() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        Thread c = new Thread(() -> {
                            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                                in.transferTo(out);
                            } catch (IOException e) {
                                // the test closed it
                            }
                        });
                        c.setDaemon(true);
                        c.start();
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static DataPlane plane(TestClusters clusters) {
        DataPlane plane = new DataPlane();
        plane.protocol("tcp", TcpProtocol.with(clusters));
        plane.handler("tcp", new TcpHandler());
        return plane;
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

    private static byte[] echoOf(Socket client, byte[] sent) throws IOException {
        client.getOutputStream().write(sent);
        client.getOutputStream().flush();
        return client.getInputStream().readNBytes(sent.length);
    }

    @Test
    void aNewClientLockedElsewhereIsHeldWithItsBytesUntilTheDecision() throws Exception {
        try (Echo echo = new Echo()) {
            TestClusters clusters = new TestClusters().put("echo", new Endpoint("echo", "127.0.0.1", echo.port(), 1));
            TestClusters.RoundRobin cluster = (TestClusters.RoundRobin) clusters.cluster("echo");
            CompletableFuture<Object> decision = new CompletableFuture<>();
            cluster.pending = decision;
            try (DataPlane plane = plane(clusters)) {
                int port = plane.frontend("test", "tcp", "echo");
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    client.setSoTimeout(10_000);
                    byte[] first = "the first bytes of a locked client".getBytes(StandardCharsets.US_ASCII);
                    client.getOutputStream().write(first);
                    client.getOutputStream().flush();
                    Thread.sleep(400);
                    assertEquals(0, echo.accepted.get(), "no endpoint is chosen while the lock's decision is awaited");
                    // the loop is not blocked meanwhile: another client, not locked, is served
                    cluster.pending = null;
                    try (Socket other = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        other.setSoTimeout(10_000);
                        byte[] b = "not locked".getBytes(StandardCharsets.US_ASCII);
                        assertArrayEquals(b, echoOf(other, b));
                    }
                    decision.complete(null);
                    assertArrayEquals(first, client.getInputStream().readNBytes(first.length), "the held bytes, once decided");
                    byte[] more = new byte[256 * 1024];
                    new java.util.Random(3).nextBytes(more);
                    Thread writer = new Thread(() -> {
                        try {
                            client.getOutputStream().write(more);
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    });
                    writer.start();
                    assertArrayEquals(more, client.getInputStream().readNBytes(more.length), "then relayed as usual");
                    writer.join();
                    assertEquals(2, echo.accepted.get());
                }
            }
        }
    }

    @Test
    void aClientThatClosesWhileHeldReleasesItsBytesAndReachesNoEndpoint() throws Exception {
        try (Echo echo = new Echo()) {
            TestClusters clusters = new TestClusters().put("echo", new Endpoint("echo", "127.0.0.1", echo.port(), 1));
            TestClusters.RoundRobin cluster = (TestClusters.RoundRobin) clusters.cluster("echo");
            CompletableFuture<Object> decision = new CompletableFuture<>();
            cluster.pending = decision;
            cluster.countsConnections = true;
            try (DataPlane plane = plane(clusters)) { // its close fails the test on a leaked buffer
                int port = plane.frontend("test", "tcp", "echo");
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    client.getOutputStream().write(new byte[70_000]);
                    client.getOutputStream().flush();
                    await("the connection to be counted", () -> cluster.connectionsCounted.get() == 1);
                }
                await("the closed connection to be released", () -> cluster.openConnections.get() == 0);
                decision.complete(null); // too late: the client is gone
                Thread.sleep(300);
                assertEquals(0, echo.accepted.get(), "a client gone before the decision reaches no endpoint");
                assertEquals(1, cluster.connectionsCounted.get());
            }
        }
    }

    @Test
    void eachRelayedConnectionCountsOnceAmongItsClientsConnectionsUntilItCloses() throws Exception {
        try (Echo echo = new Echo()) {
            TestClusters clusters = new TestClusters().put("echo", new Endpoint("echo", "127.0.0.1", echo.port(), 1));
            TestClusters.RoundRobin cluster = (TestClusters.RoundRobin) clusters.cluster("echo");
            cluster.countsConnections = true;
            try (DataPlane plane = plane(clusters)) {
                int port = plane.frontend("test", "tcp", "echo");
                Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket b = new Socket(InetAddress.getLoopbackAddress(), port);
                a.setSoTimeout(10_000);
                b.setSoTimeout(10_000);
                for (int i = 0; i < 5; i++) { // many chunks, one count per connection
                    byte[] chunk = ("chunk " + i).getBytes(StandardCharsets.US_ASCII);
                    assertArrayEquals(chunk, echoOf(a, chunk));
                    assertArrayEquals(chunk, echoOf(b, chunk));
                }
                assertEquals(2, cluster.openConnections.get());
                a.close();
                await("the first close to be counted", () -> cluster.openConnections.get() == 1);
                b.shutdownOutput(); // a half-close ends the relay too once the back-end has ended its side
                assertEquals(-1, b.getInputStream().read());
                b.close();
                await("the last close to be counted", () -> cluster.openConnections.get() == 0);
                assertEquals(2, cluster.connectionsCounted.get());
            }
        }
    }
}
