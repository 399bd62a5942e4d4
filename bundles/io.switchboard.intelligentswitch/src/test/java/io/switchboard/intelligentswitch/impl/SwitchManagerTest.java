package io.switchboard.intelligentswitch.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.core.impl.CoreManager;
import io.switchboard.handler.defaults.impl.DefaultHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SwitchManagerTest {
    private CoreManager core;
    private SwitchManager sw;
    private final DefaultHandler defaultHandler = new DefaultHandler();
    private long nextServiceId = 1;

    /** A message that records what its handler did with it. */
    static final class Recorded implements Message {
        final String type;
        final List<String> outcome = new CopyOnWriteArrayList<>();

        Recorded(String type) {
            this.type = type;
        }

        @Override public String attribute(String name) { return name.equals("header:X-Type") ? type : null; }
        @Override public ByteBuffer payload() { return ByteBuffer.allocate(0); }
        @Override public void forward(String cluster) { outcome.add("forward " + cluster); }
        @Override public void reply(int status, String contentType, ByteBuffer body) { outcome.add("reply " + status); }
        @Override public void fail(String reason) { outcome.add("fail " + reason); }
    }

    /** A handler that answers and remembers which messages of which flows it saw. */
    static final class Counting implements FlowHandler {
        final List<Long> seen = new ArrayList<>();

        @Override
        public void handle(Flow flow, Message message) {
            seen.add(flow.messages());
            message.reply(200, null, null);
        }
    }

    @BeforeEach
    void start() {
        core = CoreManager.start(1024, 1024, "blocking");
        sw = SwitchManager.withCore(core);
        register(defaultHandler, FlowHandler.DEFAULT_TYPE, 0);
        defaultClassifiesByHeader();
    }

    @AfterEach
    void stop() {
        core.deactivate();
    }

    private Map<String, Object> register(FlowHandler h, String type, int threads) {
        Map<String, Object> props = new HashMap<>();
        props.put(FlowHandler.TYPE, type);
        props.put(FlowHandler.THREADS, threads);
        props.put("service.id", nextServiceId++);
        sw.register(h, props, "test");
        return props;
    }

    private void defaultClassifiesByHeader() {
        Map<String, Object> props = new HashMap<>();
        props.put("service.id", 1000L);
        defaultHandlerAddClassifier(props);
    }

    private void defaultHandlerAddClassifier(Map<String, Object> props) {
        try {
            var m = DefaultHandler.class.getDeclaredMethod("addClassifier", io.switchboard.api.handler.RequestClassifier.class, Map.class);
            m.setAccessible(true);
            m.invoke(defaultHandler, (io.switchboard.api.handler.RequestClassifier) (flow, message) -> message.attribute("header:X-Type"), props);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private TrackedFlow open() {
        return new TestFlow(sw, "http");
    }

    private Recorded route(TrackedFlow f, String type) {
        Recorded m = new Recorded(type);
        sw.route(f, m);
        return m;
    }

    @Test
    void newWorkGoesToTheDefaultHandlerWhichServesItFromTheCluster() {
        TrackedFlow f = open();
        assertEquals(List.of("forward web"), route(f, null).outcome);
        assertEquals(FlowHandler.DEFAULT_TYPE, f.owner());
    }

    @Test
    void aClassifiedMessageIsReassignedAndTheFlowStaysWithItsHandler() {
        Counting special = new Counting();
        register(special, "special", 0);
        TrackedFlow f = open();
        assertEquals(List.of("forward web"), route(f, null).outcome);
        assertEquals(List.of("reply 200"), route(f, "special").outcome);
        assertEquals("special", f.owner());
        assertEquals(List.of("reply 200"), route(f, null).outcome);
        assertEquals(List.of(2L, 3L), special.seen);
        assertEquals(1, sw.stats().reassignments());
        assertEquals(2, sw.stats().messagesByHandler().get("default"), "the default handler saw only the first two");
    }

    @Test
    void nextMessagesScopeEndsByItselfAndHandBackEndsTheOther() {
        Counting special = new Counting();
        register(special, "special", 0);
        TrackedFlow f = open();
        assertTrue(f.reassign(Reassignment.nextMessages("special", 2)));
        route(f, null);
        route(f, null);
        assertEquals(FlowHandler.DEFAULT_TYPE, f.owner());
        assertEquals(List.of("forward web"), route(f, null).outcome);

        assertTrue(f.reassign(Reassignment.untilHandedBack("special")));
        route(f, null);
        assertTrue(f.handBack());
        assertEquals(FlowHandler.DEFAULT_TYPE, f.owner(), "the next message goes to the default handler");

        assertTrue(f.reassign(Reassignment.restOfFlow("special")));
        assertFalse(f.handBack());
    }

    @Test
    void reassigningToATypeWithoutAHandlerIsRefusedAndTheDefaultServes() {
        TrackedFlow f = open();
        assertFalse(f.reassign(Reassignment.restOfFlow("nobody")));
        assertEquals(List.of("forward web"), route(f, "nobody").outcome);
    }

    @Test
    void aHandlerWhoseServiceGoesAwayKeepsItsFlowsUntilItsReplacementComes() {
        Counting special = new Counting();
        Map<String, Object> props = register(special, "special", 0);
        TrackedFlow f = open();
        route(f, "special");
        sw.unregister(special, props); // its bundle is being updated
        assertEquals(List.of("reply 200"), route(f, null).outcome, "the last one known good still serves");
        Counting newer = new Counting();
        register(newer, "special", 0);
        assertEquals(List.of("reply 200"), route(f, null).outcome);
        assertEquals("special", f.owner());
        assertEquals(1, newer.seen.size(), "the new version took the flow over");
        assertEquals(0, sw.stats().fallbacks());
    }

    @Test
    void whenNothingReplacesAHandlerWithinItsGraceItsFlowsFallBackToTheDefaultHandler() throws Exception {
        sw.modified(Map.of("handlerGraceSeconds", 0));
        Counting special = new Counting();
        Map<String, Object> props = register(special, "special", 0);
        TrackedFlow f = open();
        route(f, "special");
        assertEquals("special", f.owner());
        sw.unregister(special, props);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sw.serves("special") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(sw.serves("special"));
        assertEquals(List.of("forward web"), route(f, null).outcome);
        assertEquals(FlowHandler.DEFAULT_TYPE, f.owner());
        assertEquals(1, sw.stats().fallbacks());
    }

    @Test
    void aHandlerThatBlocksItsThreadIsCaughtAndItsNewMessagesTakeTheDefaultPath() throws Exception {
        sw.modified(Map.of("watchdogMillis", 50, "watchdogRecoverySeconds", 1));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        register((flow, message) -> {
            release.await(); // a plugin that waits on the event loop
            message.reply(200, null, null);
        }, "stuck", 0);
        TrackedFlow f = open();
        Thread loop = new Thread(() -> route(f, "stuck"), "test-loop");
        loop.start();
        Thread.sleep(200);
        sw.checkWatchdog();
        assertEquals(1, sw.blockedHandlers().size(), sw.blockedHandlers().toString());
        assertTrue(sw.blockedHandlers().get(0).contains("handler stuck"), sw.blockedHandlers().toString());
        assertFalse(sw.serves("stuck"));
        TrackedFlow other = open();
        assertEquals(List.of("forward web"), route(other, "stuck").outcome, "new work goes the default way");
        release.countDown();
        loop.join(2000);
        Thread.sleep(1100);
        sw.checkWatchdog();
        assertTrue(sw.blockedHandlers().isEmpty(), "recovered: " + sw.blockedHandlers());
        assertTrue(sw.serves("stuck"));
    }

    @Test
    void aHandlerThatThrowsFailsItsMessageOnly() {
        register((flow, message) -> {
            throw new IllegalStateException("bug");
        }, "boom", 0);
        TrackedFlow bad = open();
        TrackedFlow good = open();
        assertEquals(List.of("fail handler boom failed"), route(bad, "boom").outcome);
        assertEquals(List.of("forward web"), route(good, null).outcome);
        assertEquals(1, sw.stats().handlerFailures());
    }

    @Test
    void aHandlerWithThreadsRunsOnItsBusOneFlowOnOneThread() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        register((flow, message) -> {
            threads.add(Thread.currentThread().getName());
            message.reply(200, null, null);
        }, "ringed", 2);
        TrackedFlow f = open();
        List<Recorded> ms = new ArrayList<>();
        ms.add(route(f, "ringed"));
        for (int i = 0; i < 5; i++) {
            ms.add(route(f, null));
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (threads.size() < 6 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(6, threads.size());
        assertTrue(threads.get(0).startsWith("sb-bus-ringed-"), threads.get(0));
        assertEquals(1, threads.stream().distinct().count());
        for (Recorded m : ms) {
            assertEquals(List.of("reply 200"), m.outcome);
        }
    }

    @Test
    void theHandlerSpawnerGrowsABackloggedRingAndKeepsEachFlowInOrder() throws Exception {
        java.util.Map<Long, List<Long>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        // Each message carries its sequence number (in the attribute the test message answers).
        register((flow, message) -> {
            Thread.sleep(1);
            seen.computeIfAbsent(flow.id(), k -> new CopyOnWriteArrayList<>()).add(Long.parseLong(message.attribute("header:X-Type")));
            message.reply(200, null, null);
        }, "slow", 1);
        List<TrackedFlow> flows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TrackedFlow f = open();
            assertTrue(f.reassign(Reassignment.restOfFlow("slow")));
            flows.add(f);
        }
        List<Recorded> all = new ArrayList<>();
        for (int round = 0; round < 60; round++) {
            for (TrackedFlow f : flows) {
                all.add(route(f, Integer.toString(round)));
            }
        }
        assertTrue(core.table().handlers().get("slow").bus().backlog() > HandlerSpawner.GROW_BACKLOG, "backlog built up");
        sw.probeHandlers();
        sw.probeHandlers();
        assertEquals(2, core.table().handlers().get("slow").bus().threads(), "grown: " + sw.handlerDecisions());
        assertTrue(sw.resizeHandler("slow", 3)); // and once more by hand, mid-stream
        for (int round = 60; round < 80; round++) {
            for (TrackedFlow f : flows) {
                all.add(route(f, Integer.toString(round)));
            }
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (all.stream().anyMatch(m -> m.outcome.isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        for (Recorded m : all) {
            assertEquals(List.of("reply 200"), m.outcome, "every message answered, none failed");
        }
        for (TrackedFlow f : flows) {
            List<Long> order = seen.get(f.id());
            assertEquals(80, order.size());
            for (int i = 1; i < order.size(); i++) {
                assertTrue(order.get(i) > order.get(i - 1), "flow " + f.id() + " in order: " + order);
            }
        }
        for (int i = 0; i < HandlerSpawner.SHRINK_AFTER + HandlerSpawner.COOL_DOWN + 1; i++) {
            sw.probeHandlers();
        }
        assertEquals(1, core.table().handlers().get("slow").bus().threads(), "back to what it declared: " + sw.handlerDecisions());
    }

    @Test
    void aNewVersionOfTheSwitchRoutesTheFlowsTheOldOneReassigned() {
        Counting special = new Counting();
        Map<String, Object> props = register(special, "special", 0);
        TrackedFlow f = open();
        route(f, "special");
        // The next version: it keeps nothing of the flow, which carries its own reassignment.
        SwitchManager next = SwitchManager.withCore(core);
        next.register(defaultHandler, Map.of(FlowHandler.TYPE, FlowHandler.DEFAULT_TYPE, "service.id", 1L), "test");
        next.register(special, props, "test");
        Recorded m = new Recorded(null);
        next.route(f, m);
        assertEquals(List.of("reply 200"), m.outcome);
        assertEquals(2, special.seen.size());
    }
}
