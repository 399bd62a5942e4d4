package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.drainDone;
import static io.switchboard.transport.impl.TransportTestSupport.freePort;
import static io.switchboard.transport.impl.TransportTestSupport.listeningSockets;
import static io.switchboard.transport.impl.TransportTestSupport.refused;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A frontend moved to another port: bound there before the old listener goes, or not moved at all. */
class FrontendPortMoveTest {

    @Test
    void aMoveToAPortInUseKeepsTheOldListenerAndAMoveToAFreePortClosesIt() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        try (Rig rig = new Rig(2).protocol("line", line)) {
            int oldPort = rig.frontend(spec("web", "line", 0));
            try (ServerSocket taken = new ServerSocket(0, 50, LOOPBACK); Client busy = new Client(oldPort); Client idle = new Client(oldPort)) {
                int takenPort = taken.getLocalPort();
                assertEquals("v1#1 hello", idle.ask("hello"));

                rig.transport.apply(spec("web", "line", takenPort));

                FrontendStatus s = status(rig.transport, "web");
                assertEquals(oldPort, s.boundPort());
                assertEquals("not moved to 127.0.0.1:" + takenPort + ": port " + takenPort + " on 127.0.0.1 is already in use by another process",
                        s.error());
                assertEquals(1, rig.logged("ERROR transport: frontend web cannot move to 127.0.0.1:" + takenPort + ": port " + takenPort
                        + " on 127.0.0.1 is already in use by another process; it keeps listening on 127.0.0.1:" + oldPort).size(), rig.log.toString());
                assertEquals(1, listeningSockets(takenPort), "only the other socket listens there");
                assertEquals("v1#1 hello", idle.ask("hello"));
                try (Client meanwhile = new Client(oldPort)) {
                    assertEquals("v1#1 hello", meanwhile.ask("hello"));
                }

                int newPort = freePort();
                busy.send("wait 300");
                rig.transport.apply(spec("web", "line", newPort));

                s = status(rig.transport, "web");
                assertEquals(newPort, s.boundPort());
                assertNull(s.error());
                try (Client moved = new Client(newPort)) {
                    assertEquals("v1#3 hello", moved.ask("hello"));
                }
                assertTrue(refused(oldPort), "the old port is closed");
                assertEquals(0, listeningSockets(oldPort));
                assertEquals(2, listeningSockets(newPort));
                // the old port's connections: the idle one closes now, the busy one after its answer
                assertTrue(idle.closedWithin(500));
                assertEquals("v1#1 waited 300", busy.read());
                assertTrue(busy.closedWithin(500));
                assertEquals(List.of("STOP"), line.events(idle));
                DrainRecord d = drainDone(rig.transport, "frontend web: it moved to 127.0.0.1:" + newPort, 3000);
                assertEquals(2, d.finished(), d.toString());
                assertEquals(0, d.forced(), d.toString());
            }
        }
    }

    /** Another protocol on the same address and port: the frontend's own listener must not count as another process. */
    @Test
    void aProtocolChangeKeepsThePort() throws Exception {
        LineProtocol first = new LineProtocol("first");
        LineProtocol second = new LineProtocol("second");
        try (Rig rig = new Rig(2).protocol("first", first).protocol("second", second)) {
            int port = rig.frontend(spec("web", "first", freePort()));
            try (Client before = new Client(port)) {
                assertEquals("first#1 hello", before.ask("hello"));

                rig.transport.apply(spec("web", "second", port));

                FrontendStatus s = status(rig.transport, "web");
                assertNull(s.error());
                assertEquals("second", s.spec().protocol());
                assertEquals(port, s.boundPort());
                try (Client after = new Client(port)) {
                    assertEquals("second#1 hello", after.ask("hello"));
                }
                assertTrue(before.closedWithin(1000), "the old protocol's idle connection closes");
                assertEquals(2, listeningSockets(port));
            }
        }
    }
}
