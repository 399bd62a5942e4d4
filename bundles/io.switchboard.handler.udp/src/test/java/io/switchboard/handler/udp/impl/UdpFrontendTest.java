package io.switchboard.handler.udp.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.util.ResourceLeakDetector;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.api.Endpoint;
import io.switchboard.handler.udp.impl.UdpFixture.Client;
import io.switchboard.handler.udp.impl.UdpFixture.Echo;
import io.switchboard.handler.udp.impl.UdpFixture.Udp;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** UDP frontends over real sockets on 127.0.0.1: the real switch, default handler and an echo back-end. */
class UdpFrontendTest {
    private static final List<String> leaks = new CopyOnWriteArrayList<>();
    private static ResourceLeakDetector<ByteBuf> leakDetector;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void watchForLeaks() throws ReflectiveOperationException {
        Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
        f.setAccessible(true);
        leakDetector = (ResourceLeakDetector<ByteBuf>) f.get(null);
        // Only buffers that went through a datagram socket or this package's code: other test classes
        // of the same JVM may leak on purpose, and a report can come late.
        leakDetector.setLeakListener((type, records) -> {
            if (records.contains("DatagramChannel") || records.contains("handler.udp.impl") || records.contains("DatagramFrontend")) {
                leaks.add(type + ": " + records);
            }
        });
    }

    @AfterAll
    static void noBufferLeaked() throws InterruptedException {
        // A leak is reported when the leaked buffer has been collected and another buffer is tracked.
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 100; j++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
                PooledByteBufAllocator.DEFAULT.heapBuffer(64).release();
            }
        }
        leakDetector.setLeakListener(null);
        assertEquals(List.of(), leaks, "leaked buffers");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T open(T c) {
        open.add(c);
        return c;
    }

    private UdpFixture fixture(TestClusters clusters) {
        return open(new UdpFixture(clusters));
    }

    private Echo echo() throws Exception {
        return open(new Echo());
    }

    private Client client(int timeoutMillis) throws Exception {
        return open(new Client(timeoutMillis));
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

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Endpoint endpoint(String id, int port) {
        return new Endpoint(id, "127.0.0.1", port, 1);
    }

    private static TrackedFlow onlyFlow(UdpFixture f) {
        List<TrackedFlow> flows = f.plane.transport.flows();
        assertEquals(1, flows.size(), flows.toString());
        return flows.get(0);
    }

    @Test
    void echoesEverySizeByteExactAndTheRepliesComeFromTheFrontendAddress() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        Udp udp = f.frontend("echo");
        Client c = client(5000);
        int[] sizes = {1, 100, 1472, 8192, 32768, 60000, 17};
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            byte[] data = random(sizes[i], i);
            byte[] back = c.roundTrip(udp.address(), data);
            assertNotNull(back, "reply to " + sizes[i] + " bytes");
            assertArrayEquals(data, back, sizes[i] + " bytes");
            assertEquals(udp.address(), c.lastFrom, "the reply comes from the address the client sent to");
            total += sizes[i];
        }
        TrackedFlow flow = onlyFlow(f);
        assertEquals("udp", flow.protocol());
        assertEquals(c.address(), flow.clientAddress());
        assertEquals(1, flow.messages(), "only the first datagram went through the switch");
        assertEquals(total, flow.bytesIn());
        long expectedOut = total;
        await("bytes out counted", () -> flow.bytesOut() == expectedOut);
        assertEquals(sizes.length, udp.datagramsIn());
        assertEquals(sizes.length, udp.datagramsOut());
        assertEquals(1, udp.status().requests(), "one flow");
        assertEquals(1, udp.status().activeConnections(), "one upstream socket");
        assertEquals(sizes.length, echo.datagrams.get());
        assertEquals(0, udp.dropped());
    }

    /**
     * An empty datagram is valid UDP (a keep-alive, a probe): it opens the flow when it comes first,
     * goes to the back-end, and the back-end's empty answer comes back, on epoll and io_uring both ways.
     */
    @Test
    void zeroLengthDatagramsAreRelayedBothWays() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        Udp udp = f.frontend("echo");
        assertEquals(DataPlane.NATIVE, f.plane.transport.name());
        Client c = client(5000);
        byte[] first = c.roundTrip(udp.address(), new byte[0]);
        assertNotNull(first, "an empty first datagram is answered");
        assertEquals(0, first.length);
        assertEquals(udp.address(), c.lastFrom);
        byte[] data = random(100, 1);
        assertArrayEquals(data, c.roundTrip(udp.address(), data));
        byte[] again = c.roundTrip(udp.address(), new byte[0]);
        assertNotNull(again, "an empty datagram on an established flow is answered");
        assertEquals(0, again.length);
        assertEquals(3, echo.datagrams.get(), "the back-end saw all three");
        assertEquals(3, udp.datagramsIn());
        assertEquals(3, udp.datagramsOut());
        assertEquals(0, udp.dropped());
    }

    @Test
    void theNioFallbackRelaysByteExactToo() throws Exception {
        Echo echo = echo();
        UdpFixture f = open(new UdpFixture(new TestClusters().put("echo", endpoint("echo", echo.port())), false));
        Udp udp = f.frontend("echo");
        assertEquals("nio", f.plane.transport.name());
        Client c = client(5000);
        for (int size : new int[] {1, 1472, 60000}) {
            byte[] data = random(size, size);
            assertArrayEquals(data, c.roundTrip(udp.address(), data), size + " bytes");
            assertEquals(udp.address(), c.lastFrom);
        }
        assertEquals(1, onlyFlow(f).messages());
    }

    @Test
    void severalClientsAtOnceEachGetTheirOwnRepliesThroughTheUdpHandler() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        f.addHandler("udp", (flow, message) -> message.forward(flow.cluster()));
        Udp udp = f.frontend("echo");
        int clients = 8;
        int rounds = 50;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            Client c = client(5000);
            Thread t = new Thread(() -> {
                try {
                    Random r = new Random(id);
                    for (int n = 0; n < rounds; n++) {
                        byte[] tag = ("client " + id + " datagram " + n + " ").getBytes(StandardCharsets.US_ASCII);
                        byte[] data = new byte[tag.length + r.nextInt(3000)];
                        r.nextBytes(data);
                        System.arraycopy(tag, 0, data, 0, tag.length);
                        byte[] back = c.roundTrip(udp.address(), data);
                        assertNotNull(back, "client " + id + " datagram " + n);
                        assertArrayEquals(data, back, "client " + id + " datagram " + n);
                        assertEquals(udp.address(), c.lastFrom);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(t);
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
        List<TrackedFlow> flows = f.plane.transport.flows();
        assertEquals(clients, flows.size());
        for (TrackedFlow flow : flows) {
            assertEquals("udp", flow.owner(), flow.toString());
            assertEquals(1, flow.messages(), "later datagrams skip the switch: " + flow);
        }
        assertEquals(clients, f.plane.switchboard.stats().messagesByHandler().get("udp"));
        assertEquals(clients, udp.status().requests());
        assertEquals((long) clients * rounds, echo.datagrams.get());
    }

    @Test
    void aHandlerThatRepliesGetsEveryDatagramAndItsAnswersComeFromTheFrontend() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        f.addHandler("udp", (flow, message) -> {
            ByteBuffer p = message.payload();
            byte[] in = new byte[p.remaining()];
            p.get(in);
            message.reply(200, null, ByteBuffer.wrap(("answer to " + new String(in, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        });
        Udp udp = f.frontend("echo");
        Client c = client(5000);
        for (int i = 0; i < 5; i++) {
            byte[] back = c.roundTrip(udp.address(), ("q" + i).getBytes(StandardCharsets.UTF_8));
            assertEquals("answer to q" + i, new String(back, StandardCharsets.UTF_8));
            assertEquals(udp.address(), c.lastFrom);
        }
        TrackedFlow flow = onlyFlow(f);
        assertEquals(5, flow.messages(), "every datagram is a message");
        assertEquals(10, flow.bytesIn());
        assertEquals(5 * "answer to q0".length(), flow.bytesOut());
        assertEquals(0, echo.datagrams.get(), "nothing went to the back-end");
        assertEquals(1, udp.status().activeConnections(), "one flow");
    }

    @Test
    void aHandlerOnItsOwnThreadsForwardsThroughTheLoop() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        Map<String, Object> props = new HashMap<>();
        props.put(FlowHandler.TYPE, "udp");
        props.put(FlowHandler.THREADS, 2);
        props.put("service.id", 99L);
        f.plane.switchboard.register((flow, message) -> {
            // The first waits until the whole burst went through the switch; the others hop to the loop
            // after the flow's upstream socket exists, outside any read batch of the frontend.
            Thread.sleep(StandardCharsets.UTF_8.decode(message.payload()).toString().equals("burst 0") ? 100 : 5);
            message.forward(flow.cluster());
        }, props, "test");
        Udp udp = f.frontend("echo");
        Client c = client(5000);
        // A burst: later datagrams arrive before the first one's upstream socket exists.
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] data = ("burst " + i).getBytes(StandardCharsets.UTF_8);
            sent.add(data);
            c.send(udp.address(), data);
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] back = c.receive();
            assertNotNull(back, "reply " + i + " (got " + got + "; in " + udp.datagramsIn() + ", out "
                    + udp.datagramsOut() + ", dropped " + udp.dropped() + ", echoed " + echo.datagrams.get()
                    + ", flows " + f.plane.transport.flows() + ", stats " + f.plane.switchboard.stats().messagesByHandler() + ")");
            got.add(new String(back, StandardCharsets.UTF_8));
        }
        for (byte[] s : sent) {
            assertTrue(got.contains(new String(s, StandardCharsets.UTF_8)), got.toString());
        }
        assertEquals("udp", onlyFlow(f).owner());
        assertEquals(20, onlyFlow(f).messages(), "the whole burst went through the switch");
        assertEquals(1, udp.status().activeConnections(), "one upstream socket for the flow");
    }

    /**
     * A new client whose endpoint another dispatcher decides (the cluster's {@code pending} stage):
     * its datagrams wait, in order, until the decision, while the loop serves other clients.
     */
    @Test
    void aNewClientLockedElsewhereHoldsItsDatagramsUntilTheDecision() throws Exception {
        Echo echo = echo();
        TestClusters clusters = new TestClusters().put("echo", endpoint("echo", echo.port()));
        TestClusters.RoundRobin cluster = (TestClusters.RoundRobin) clusters.cluster("echo");
        java.util.concurrent.CompletableFuture<Object> decision = new java.util.concurrent.CompletableFuture<>();
        cluster.pending = decision;
        UdpFixture f = fixture(clusters);
        Udp udp = f.frontend("echo");
        Client locked = client(300);
        for (int i = 0; i < 3; i++) {
            locked.send(udp.address(), new byte[] {(byte) i});
        }
        assertNull(locked.receive(), "no answer while the decision is awaited");
        assertEquals(0, echo.datagrams.get(), "no endpoint chosen yet");
        cluster.pending = null;
        Client other = client(5000);
        assertArrayEquals(new byte[] {9}, other.roundTrip(udp.address(), new byte[] {9}), "the loop serves others meanwhile");
        decision.complete(null);
        locked.socket.setSoTimeout(5000);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new byte[] {(byte) i}, locked.receive(), "held datagram " + i + ", in order");
        }
        assertArrayEquals(new byte[] {3}, locked.roundTrip(udp.address(), new byte[] {3}), "then relayed as usual");
        assertEquals(0, udp.dropped());
    }

    /** What a flow holds while it waits is bounded in datagrams and in bytes; the rest is dropped and counted. */
    @Test
    void datagramsHeldForADecisionAreBoundedAndTheExcessIsDroppedAndCounted() throws Exception {
        Echo echo = echo();
        TestClusters clusters = new TestClusters().put("echo", endpoint("echo", echo.port()));
        TestClusters.RoundRobin cluster = (TestClusters.RoundRobin) clusters.cluster("echo");
        java.util.concurrent.CompletableFuture<Object> decision = new java.util.concurrent.CompletableFuture<>();
        cluster.pending = decision;
        UdpFixture f = fixture(clusters);
        Udp udp = f.frontend("echo");
        Client many = client(5000);
        int sent = UdpRelay.MAX_PARKED + 6;
        for (int i = 0; i < sent; i++) {
            many.send(udp.address(), new byte[] {(byte) i});
        }
        await("every datagram read", () -> udp.datagramsIn() == sent);
        Client big = client(5000);
        byte[] large = random(60_000, 5);
        int fit = UdpRelay.MAX_PARKED_BYTES / large.length;
        for (int i = 0; i < fit + 2; i++) {
            big.send(udp.address(), large);
        }
        await("every datagram read", () -> udp.datagramsIn() == sent + fit + 2);
        assertEquals(6 + 2, udp.dropped(), "past the bounds, dropped and counted");
        decision.complete(null);
        for (int i = 0; i < UdpRelay.MAX_PARKED; i++) {
            assertArrayEquals(new byte[] {(byte) i}, many.receive(), "held datagram " + i);
        }
        // The large ones are counted at the echo (its receive buffer is large; a burst of their echoes
        // may overrun the upstream socket's default one, which is the kernel's business).
        await("the echo saw what was held", () -> echo.datagrams.get() == UdpRelay.MAX_PARKED + fit);
        assertArrayEquals(large, big.receive(), "a held large datagram");
    }

    /**
     * A flow is one of its client's connections for the dispatcher cluster (sessionEnd = close): counted
     * once when its upstream is made, released when it idles out; a flow that idles out while it still
     * waits for a decision was never counted, and its held datagrams are dropped, not leaked.
     */
    @Test
    void aFlowCountsAsOneConnectionOfItsClientUntilItEnds() throws Exception {
        Echo echo = echo();
        TestClusters clusters = new TestClusters().put("echo", endpoint("echo", echo.port()));
        TestClusters.RoundRobin cluster = (TestClusters.RoundRobin) clusters.cluster("echo");
        cluster.countsConnections = true;
        UdpFixture f = fixture(clusters);
        Udp udp = f.frontend("idle", "echo", 1, 65536);
        Client c = client(5000);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new byte[] {(byte) i}, c.roundTrip(udp.address(), new byte[] {(byte) i}));
        }
        assertEquals(1, cluster.openConnections.get(), "one flow, one connection");
        assertEquals(1, cluster.connectionsCounted.get());
        await("the idle flow to be released", () -> cluster.openConnections.get() == 0);

        java.util.concurrent.CompletableFuture<Object> decision = new java.util.concurrent.CompletableFuture<>();
        cluster.pending = decision;
        Client waiting = client(5000);
        waiting.send(udp.address(), new byte[] {42});
        await("the waiting flow to open", () -> f.plane.transport.flows().size() == 1);
        await("the waiting flow to idle out", () -> f.plane.transport.flows().isEmpty());
        decision.complete(null);
        Thread.sleep(200);
        assertEquals(0, cluster.openConnections.get());
        assertEquals(1, cluster.connectionsCounted.get(), "a flow that never had an upstream was never counted");
        assertTrue(udp.dropped() >= 1, "its held datagram was dropped");
    }

    @Test
    void idleFlowsExpireAndTheirUpstreamSocketsClose() throws Exception {
        Echo echo = echo();
        TestClusters clusters = new TestClusters().put("echo", endpoint("echo", echo.port()));
        UdpFixture f = fixture(clusters);
        Udp udp = f.frontend("idle", "echo", 1, 65536);
        Client c = client(5000);
        assertArrayEquals(new byte[] {1, 2, 3}, c.roundTrip(udp.address(), new byte[] {1, 2, 3}));
        TestClusters.Counters counters = ((TestClusters.RoundRobin) clusters.cluster("echo"))
                .counters(clusters.cluster("echo").endpoints().get(0));
        assertEquals(1, f.plane.transport.flows().size());
        assertEquals(1, counters.active());

        long start = System.nanoTime();
        await("the idle flow to close", () -> f.plane.transport.flows().isEmpty());
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took >= 500, "closed after " + took + " ms: too early for an idle time of 1 s");
        await("its upstream socket to close", () -> counters.active() == 0 && udp.status().activeConnections() == 0);
        assertEquals(1, udp.expired());
        assertEquals(0, counters.failures());

        // The same client again: a new flow.
        assertArrayEquals(new byte[] {4}, c.roundTrip(udp.address(), new byte[] {4}));
        assertEquals(2, udp.status().requests());
        assertEquals(1, f.plane.transport.flows().size());
    }

    @Test
    void aFlowThatKeepsTalkingDoesNotExpire() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        Udp udp = f.frontend("busy", "echo", 1, 65536);
        Client c = client(5000);
        long end = System.nanoTime() + 2_500_000_000L;
        while (System.nanoTime() < end) {
            assertNotNull(c.roundTrip(udp.address(), new byte[] {9}));
            Thread.sleep(100);
        }
        assertEquals(0, udp.expired());
        assertEquals(1, udp.status().requests());
    }

    @Test
    void aDeadEndpointDropsItsFlowsDatagramsAndOtherFlowsGoOn() throws Exception {
        Echo echo = echo();
        int dead = UdpFixture.deadUdpPort();
        TestClusters clusters = new TestClusters()
                .put("dead", endpoint("dead", dead))
                .put("echo", endpoint("echo", echo.port()));
        UdpFixture f = fixture(clusters);
        Udp toDead = f.frontend("dead");
        Udp toEcho = f.frontend("echo");
        Client a = client(300);
        Client b = client(5000);
        for (int i = 0; i < 4; i++) {
            assertNull(a.roundTrip(toDead.address(), ("lost " + i).getBytes(StandardCharsets.UTF_8)));
            byte[] data = random(1000 + i, i);
            assertArrayEquals(data, b.roundTrip(toEcho.address(), data), "the other flow is served");
        }
        TestClusters.Counters counters = ((TestClusters.RoundRobin) clusters.cluster("dead"))
                .counters(clusters.cluster("dead").endpoints().get(0));
        await("the refusal counted", () -> counters.failures() >= 1);
        assertTrue(toDead.dropped() >= 1, "datagrams dropped: " + toDead.dropped());
        assertEquals(0, toEcho.dropped());
        assertTrue(toDead.status().listening(), "the frontend still listens");
        assertEquals(2, f.plane.transport.flows().size());
    }

    @Test
    void aFlowRefusedByOneEndpointMovesToAnother() throws Exception {
        Echo echo = echo();
        TestClusters clusters = new TestClusters().put("mixed",
                endpoint("dead", UdpFixture.deadUdpPort()),
                endpoint("echo", echo.port()));
        UdpFixture f = fixture(clusters);
        Udp udp = f.frontend("mixed");
        Client c = client(300);
        byte[] data = "are you there".getBytes(StandardCharsets.UTF_8);
        byte[] back = null;
        int tries = 0;
        while (back == null && tries++ < 10) {
            back = c.roundTrip(udp.address(), data); // the first goes to the dead endpoint (round-robin)
        }
        assertArrayEquals(data, back);
        assertTrue(tries > 1, "the first datagram went to the dead endpoint and was lost");
        TestClusters.Counters deadCounters = ((TestClusters.RoundRobin) clusters.cluster("mixed"))
                .counters(clusters.cluster("mixed").endpoints().get(0));
        assertEquals(1, deadCounters.failures());
        assertEquals(1, f.plane.transport.flows().size(), "still the same flow");
    }

    @Test
    void theFlowTableIsBoundedAndANewClientBeyondItIsDroppedWithOneLogLine() throws Exception {
        Echo echo = echo();
        UdpFixture f = fixture(new TestClusters().put("echo", endpoint("echo", echo.port())));
        Udp udp = f.frontend("small", "echo", 30, 2);
        Client c1 = client(5000);
        Client c2 = client(5000);
        Client c3 = client(300);
        assertNotNull(c1.roundTrip(udp.address(), new byte[] {1}));
        assertNotNull(c2.roundTrip(udp.address(), new byte[] {2}));
        for (int i = 0; i < 3; i++) {
            assertNull(c3.roundTrip(udp.address(), new byte[] {3}));
        }
        assertEquals(3, udp.overflow());
        List<String> full = f.plane.log("flow table full");
        assertEquals(1, full.size(), full.toString());
        assertTrue(full.get(0).contains("flow table full (2 flows)"), full.get(0));
        assertNotNull(c1.roundTrip(udp.address(), new byte[] {1}), "the flows in the table are served");
        assertEquals(2, f.plane.transport.flows().size());
    }

    @Test
    void closingTheFrontendClosesEveryFlowAndUpstreamSocketBeforeTheCloseCompletes() throws Exception {
        Echo echo = echo();
        TestClusters clusters = new TestClusters().put("echo", endpoint("echo", echo.port()));
        UdpFixture f = fixture(clusters);
        Udp udp = f.frontend("echo");
        for (int i = 0; i < 3; i++) {
            assertNotNull(client(5000).roundTrip(udp.address(), new byte[] {(byte) i}));
        }
        TestClusters.Counters counters = ((TestClusters.RoundRobin) clusters.cluster("echo"))
                .counters(clusters.cluster("echo").endpoints().get(0));
        assertEquals(3, counters.active());
        assertEquals(3, f.plane.transport.flows().size());

        f.plane.transport.remove(udp.name); // closes the socket: every flow closes before the close completes
        assertEquals(List.of(), f.plane.transport.flows());
        assertEquals(0, counters.active());
        assertEquals(0, counters.failures());
        assertNull(udp.status());
    }

    @Test
    void aPortAnotherProcessHoldsFailsTheFrontendWithAClearReason() throws Exception {
        UdpFixture f = fixture(new TestClusters());
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            f.plane.transport.apply(new FrontendSpec("second", "udp", "127.0.0.1", taken.getLocalPort(), "none"));
            assertFalse(f.plane.status("second").listening());
            assertTrue(f.plane.status("second").error().contains("in use"), f.plane.status("second").error());
        }
    }

    @Test
    void virtualServicesOnAWildcardSocketReachTheirClustersAndOtherDestinationsAreRefused() throws Exception {
        assumeTrue("epoll".equals(DataPlane.NATIVE), "only epoll tells a datagram's destination on a wildcard socket (IP_RECVORIGDSTADDR)");
        Echo web = echo();
        Echo api = echo();
        UdpFixture f = fixture(new TestClusters()
                .put("web", endpoint("web", web.port()))
                .put("api", endpoint("api", api.port())));
        Udp udp = f.frontend(new FrontendSpec("vs", "udp", "0.0.0.0", 0, "web"));
        int port = udp.port();
        f.frontend(new FrontendSpec("vs", "udp", "0.0.0.0", 0, "web", Map.of(
                new InetSocketAddress("127.0.0.2", port), "web",
                new InetSocketAddress("127.0.0.3", port), "api"), Map.of(), null));
        Client toWeb = client(5000);
        Client toApi = client(5000);
        Client elsewhere = client(300);
        assertArrayEquals(new byte[] {1}, toWeb.roundTrip(new InetSocketAddress("127.0.0.2", port), new byte[] {1}));
        assertArrayEquals(new byte[] {2}, toApi.roundTrip(new InetSocketAddress("127.0.0.3", port), new byte[] {2}));
        assertNull(elsewhere.roundTrip(new InetSocketAddress("127.0.0.4", port), new byte[] {3}));
        assertEquals(1, web.datagrams.get());
        assertEquals(1, api.datagrams.get());
        assertEquals(1, udp.status().refused());
        Map<String, String> clusterByDestination = new HashMap<>();
        for (TrackedFlow flow : f.plane.transport.flows()) {
            clusterByDestination.put(flow.localAddress().getAddress().getHostAddress(), flow.cluster());
        }
        assertEquals(Map.of("127.0.0.2", "web", "127.0.0.3", "api"), clusterByDestination);
    }

    /**
     * Netty's io_uring datagram channel has no IP_RECVORIGDSTADDR: a datagram to a wildcard socket
     * carries the socket's address, no virtual service matches, and the datagram is dropped as one
     * for another destination. The frontend says so when it binds.
     */
    @Test
    void onIoUringVirtualServicesOnAWildcardSocketAreDroppedAndTheFrontendSaysWhy() throws Exception {
        assumeTrue("io_uring".equals(DataPlane.NATIVE), "the io_uring run");
        Echo web = echo();
        UdpFixture f = fixture(new TestClusters().put("web", endpoint("web", web.port())));
        Udp udp = f.frontend(new FrontendSpec("vs", "udp", "0.0.0.0", 0, "web"));
        int port = udp.port();
        assertEquals(List.of(), f.plane.log("IP_RECVORIGDSTADDR"), "no virtual services, nothing to say");
        f.frontend(new FrontendSpec("vs", "udp", "0.0.0.0", 0, "web", Map.of(
                new InetSocketAddress("127.0.0.2", port), "web"), Map.of(), null));
        List<String> said = f.plane.log("IP_RECVORIGDSTADDR");
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("frontend vs: on io_uring a datagram to a wildcard socket does not carry its destination address"), said.get(0));
        assertNull(client(300).roundTrip(new InetSocketAddress("127.0.0.2", port), new byte[] {1}));
        await("the datagram refused", () -> udp.status().refused() == 1);
        assertEquals(0, web.datagrams.get());
        // bound to the service's own address instead, the same frontend serves it
        Udp bound = f.frontend(new FrontendSpec("vs2", "udp", "127.0.0.2", 0, "web", Map.of(), Map.of(), null));
        assertArrayEquals(new byte[] {2}, client(5000).roundTrip(new InetSocketAddress("127.0.0.2", bound.port()), new byte[] {2}));
    }

    @Test
    void aClusterThatDoesNotExistDropsTheDatagrams() throws Exception {
        UdpFixture f = fixture(new TestClusters());
        Udp udp = f.frontend("nowhere");
        Client c = client(300);
        assertNull(c.roundTrip(udp.address(), new byte[] {1}));
        await("the drop counted", () -> udp.dropped() == 1);
        assertEquals(1, f.plane.transport.flows().size());
    }
}
