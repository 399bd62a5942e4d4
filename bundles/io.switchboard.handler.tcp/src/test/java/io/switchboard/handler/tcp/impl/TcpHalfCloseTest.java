package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 100 MiB each way through the relay, with a half-close by the client, or by the back-end first, at
 * every phase of the stream: byte-exact both ways (SHA-256), the flow's byte counters exact, and both
 * connections closed in the end. With splice(2) on and off. Real sockets, a real back-end.
 */
class TcpHalfCloseTest {
    private static final int MIB = 1 << 20;
    private static final long FULL = Long.getLong("halfclose.mib", 100) * MIB;
    /** What the first closer sends when it half-closes at once (it must fit the socket buffers unread). */
    private static final long EARLY = 256 * 1024;
    /** The handler holds each flow's first message this long: a client half-closing at once does so before the back-end connection is up. */
    private static final long DECISION_MILLIS = 300;

    private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "decides-later");
        t.setDaemon(true);
        return t;
    });

    @AfterAll
    static void stop() {
        LATER.shutdownNow();
    }

    /** One side of the exchange: what it sends, and what it got. */
    private static final class Side {
        final String name;
        final long size;
        final int seed;
        final MessageDigest sent = sha();
        final MessageDigest got = sha();
        final AtomicLong received = new AtomicLong();
        final CountDownLatch sawEnd = new CountDownLatch(1);
        final CountDownLatch halfWay = new CountDownLatch(1);
        final CountDownLatch receivedAll = new CountDownLatch(1);
        volatile long shutAtNanos;
        volatile long expected;

        Side(String name, long size, int seed) {
            this.name = name;
            this.size = size;
            this.seed = seed;
        }
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Blocks of random bytes, each stamped with its number so that a reordering changes the digest. */
    private static void send(OutputStream out, Side s, long from, long to) throws IOException {
        byte[] block = new byte[MIB];
        new Random(s.seed).nextBytes(block);
        long at = from;
        while (at < to) {
            int n = (int) Math.min(block.length, to - at);
            long stamp = at / block.length;
            block[0] = (byte) stamp;
            block[1] = (byte) (stamp >> 8);
            out.write(block, 0, n);
            s.sent.update(block, 0, n);
            at += n;
        }
        out.flush();
    }

    private static Thread reader(Socket socket, Side s) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256 * 1024];
            try {
                InputStream in = socket.getInputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    s.got.update(buf, 0, n);
                    long r = s.received.addAndGet(n);
                    if (r >= s.expected / 2) {
                        s.halfWay.countDown();
                    }
                    if (r >= s.expected) {
                        s.receivedAll.countDown();
                    }
                }
                s.sawEnd.countDown();
            } catch (IOException e) {
                // the assertions below say what is missing
            }
        }, s.name + "-reads");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Runs one side's writes. {@code first}: this side half-closes first, at {@code phase}; the other
     * side half-closes only after it saw the first side's end.
     */
    private static void write(Socket socket, Side self, Side other, boolean first, String phase) throws Exception {
        OutputStream out = socket.getOutputStream();
        if (first) {
            switch (phase) {
                case "early" -> send(out, self, 0, self.size); // small: fits the buffers, the end follows at once
                case "mid" -> send(out, self, 0, self.size); // the other side waits for this end mid-way through its stream
                case "late" -> {
                    send(out, self, 0, self.size);
                    assertTrue(self.receivedAll.await(120, TimeUnit.SECONDS), self.name + " did not receive all of " + other.name + "'s bytes");
                }
                default -> throw new IllegalArgumentException(phase);
            }
        } else if ("mid".equals(phase)) {
            send(out, self, 0, self.size / 2);
            assertTrue(self.sawEnd.await(120, TimeUnit.SECONDS), self.name + " did not see " + other.name + "'s end");
            send(out, self, self.size / 2, self.size);
        } else {
            send(out, self, 0, self.size);
            assertTrue(self.sawEnd.await(120, TimeUnit.SECONDS), self.name + " did not see " + other.name + "'s end");
        }
        socket.shutdownOutput();
        self.shutAtNanos = System.nanoTime();
    }

    @ParameterizedTest(name = "{0} half-closes first, {1}, splice={2}")
    @CsvSource({
            "client,early,true", "client,mid,true", "client,late,true",
            "backend,early,true", "backend,mid,true", "backend,late,true",
            "client,early,false", "client,mid,false", "client,late,false",
            "backend,early,false", "backend,mid,false", "backend,late,false"})
    void hundredMibEachWayWithAHalfClose(String firstCloser, String phase, boolean splice) throws Exception {
        boolean clientFirst = "client".equals(firstCloser);
        Side client = new Side("client", clientFirst && "early".equals(phase) ? EARLY : FULL, 1);
        Side backend = new Side("backend", !clientFirst && "early".equals(phase) ? EARLY : FULL, 2);
        client.expected = backend.size;
        backend.expected = client.size;
        long[] acceptedAtNanos = new long[1];

        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> backendDone = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    acceptedAtNanos[0] = System.nanoTime();
                    s.setSoTimeout(120_000);
                    Thread r = reader(s, backend);
                    write(s, backend, client, !clientFirst, phase);
                    r.join(120_000);
                    // the relay closes this connection once both directions ended
                    assertEquals(-1, s.getInputStream().read());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            TestClusters clusters = new TestClusters().put("b", new Endpoint("b", "127.0.0.1", server.getLocalPort(), 1));
            try (DataPlane plane = new DataPlane()) {
                plane.protocol("tcp", TcpProtocol.with(clusters));
                plane.handler("tcp", (flow, message) -> LATER.schedule(() -> message.forward("b"), DECISION_MILLIS, TimeUnit.MILLISECONDS));
                int port = plane.frontend(new FrontendSpec("f", "tcp", "127.0.0.1", 0, "b", Map.of(),
                        Map.of("splice", Boolean.toString(splice)), null));
                TrackedFlow flow;
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(120_000);
                    Thread r = reader(s, client);
                    flow = theFlow(plane);
                    write(s, client, backend, clientFirst, phase);
                    r.join(120_000);
                    backendDone.get(120, TimeUnit.SECONDS);
                    assertEquals(-1, s.getInputStream().read(), "the relay closes the client's connection once both directions ended");
                }
                assertEquals(client.size, backend.received.get(), "bytes client to back-end");
                assertEquals(backend.size, client.received.get(), "bytes back-end to client");
                assertArrayEquals(client.sent.digest(), backend.got.digest(), "client to back-end: SHA-256");
                assertArrayEquals(backend.sent.digest(), client.got.digest(), "back-end to client: SHA-256");
                if (clientFirst && "early".equals(phase)) {
                    assertTrue(client.shutAtNanos < acceptedAtNanos[0], "the client half-closed before the back-end connection was up");
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (plane.status("f").activeConnections() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(0, plane.status("f").activeConnections(), "the client's connection is closed");
                assertTrue(flow.closed(), "the flow ended");
                assertEquals(client.size, flow.bytesIn(), "the flow counts every byte from the client");
                assertEquals(backend.size, flow.bytesOut(), "the flow counts every byte to the client");
                // splice(2) needs both sockets on epoll: on io_uring the relay copies
                if (splice && SpliceRelay.AVAILABLE && "epoll".equals(io.switchboard.testkit.dataplane.DataPlane.NATIVE)) {
                    assertEquals("splice", flow.upgrade(), "the relay was spliced");
                } else {
                    assertNull(flow.upgrade(), "the relay copied");
                }
            }
        }
    }

    private static TrackedFlow theFlow(DataPlane plane) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            List<TrackedFlow> flows = plane.transport.flows();
            if (!flows.isEmpty()) {
                return flows.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no flow");
    }
}
