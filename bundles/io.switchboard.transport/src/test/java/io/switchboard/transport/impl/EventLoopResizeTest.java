package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.drainDone;
import static io.switchboard.transport.impl.TransportTestSupport.eventually;
import static io.switchboard.transport.impl.TransportTestSupport.listeningSockets;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code eventLoops} changed live: new loops start accepting; retired loops drain their connections, then end. */
class EventLoopResizeTest {

    /** Opens connections until the predicate is satisfied (at most 64), each with the event loop that serves it. */
    private static Map<Client, String> connectionsByLoop(int port, List<Client> all, java.util.function.Predicate<Map<Client, String>> enough)
            throws IOException {
        Map<Client, String> byLoop = new LinkedHashMap<>();
        while (!enough.test(byLoop)) {
            if (byLoop.size() == 64) {
                throw new AssertionError("64 connections and still not spread as needed: " + byLoop.values());
            }
            Client c = new Client(port);
            all.add(c);
            String answer = c.ask("loop");
            byLoop.put(c, answer.substring(answer.indexOf(' ') + 1));
        }
        return byLoop;
    }

    private static long on(Map<Client, String> byLoop, String loop) {
        return byLoop.values().stream().filter(loop::equals).count();
    }

    private static void closeAll(List<Client> clients) throws IOException {
        for (Client c : clients) {
            c.close();
        }
    }

    @Test
    void growingKeepsEveryConnectionAndTheNewLoopsAccept() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        List<Client> clients = new ArrayList<>();
        try (Rig rig = new Rig(2).protocol("line", line)) {
            int port = rig.frontend(spec("web", "line", 0));
            Map<Client, String> before = connectionsByLoop(port, clients, m -> m.size() >= 8 && new HashSet<>(m.values()).size() == 2);
            Set<String> oldLoops = new HashSet<>(before.values());

            rig.transport.modified(Map.of("eventLoops", 4, "transport", TransportTestSupport.TRANSPORT));

            assertEquals(4, rig.transport.eventLoops());
            assertEquals(4, status(rig.transport, "web").acceptors());
            assertEquals(4, listeningSockets(port));
            for (Client c : before.keySet()) {
                assertEquals("v1#1 " + before.get(c), c.ask("loop"), "an existing connection stays on its loop");
                assertEquals(List.of(), line.events(c));
            }
            Map<Client, String> after = connectionsByLoop(port, clients, m -> new HashSet<>(m.values()).size() == 4);
            assertTrue(after.values().containsAll(oldLoops), "new connections on the old loops too: " + after.values());
            assertEquals(List.of(), rig.transport.drains());
            closeAll(clients);
        } finally {
            closeAll(clients);
        }
    }

    @Test
    void shrinkingDrainsTheRetiredLoopsConnectionsAndTheRestAccept() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        List<Client> clients = new ArrayList<>();
        try (Rig rig = new Rig(2).protocol("line", line)) {
            int port = rig.frontend(spec("web", "line", 0));
            String kept = rig.transport.loops().loop(0).submit(() -> Thread.currentThread().getName()).get();
            String retired = rig.transport.loops().loop(1).submit(() -> Thread.currentThread().getName()).get();
            Map<Client, String> byLoop = connectionsByLoop(port, clients, m -> on(m, kept) >= 1 && on(m, retired) >= 2);
            List<Client> onRetired = new ArrayList<>();
            List<Client> onKept = new ArrayList<>();
            byLoop.forEach((c, loop) -> (loop.equals(kept) ? onKept : onRetired).add(c));
            Client busy = onRetired.get(0);
            busy.send("wait 300");

            rig.transport.modified(Map.of("eventLoops", 1, "transport", TransportTestSupport.TRANSPORT));

            assertEquals(1, rig.transport.eventLoops());
            assertEquals(1, status(rig.transport, "web").acceptors());
            assertEquals(1, listeningSockets(port));
            // the retired loop's busy connection finishes its request, then closes
            assertEquals("v1#1 waited 300", busy.read());
            assertTrue(busy.closedWithin(500));
            // its idle ones are told, and closed at the deadline
            for (Client c : onRetired) {
                assertEquals(List.of("DRAIN"), line.events(c));
            }
            assertFalse(onRetired.get(1).closedWithin(100), "an idle connection is not closed before the deadline");
            DrainRecord d = drainDone(rig.transport, "frontend web: 1 event loops retired", 3000);
            for (Client c : onRetired) {
                assertTrue(c.closedWithin(100));
            }
            assertEquals(onRetired.size(), d.connections(), d.toString());
            assertEquals(onRetired.size(), d.finished(), d.toString());
            assertEquals(0, d.forced(), d.toString());
            // the kept loop's connections are not touched; new connections all go to it
            for (Client c : onKept) {
                assertEquals("v1#1 " + kept, c.ask("loop"));
                assertEquals(List.of(), line.events(c));
            }
            for (int i = 0; i < 8; i++) {
                try (Client c = new Client(port)) {
                    assertEquals("v1#1 " + kept, c.ask("loop"));
                }
            }
            // and the retired loop ends
            eventually(5000, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(retired)),
                    () -> "thread " + retired + " ends");
            closeAll(clients);
        } finally {
            closeAll(clients);
        }
    }
}
