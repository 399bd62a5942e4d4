package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.drainDone;
import static io.switchboard.transport.impl.TransportTestSupport.eventually;
import static io.switchboard.transport.impl.TransportTestSupport.register;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A protocol replaced as a bundle update replaces it: the old service goes, a new one registers
 * under the same name. Connections on the old code finish there; new ones get the new code.
 */
class ProtocolReplacementTest {

    @Test
    void oldConnectionsFinishOnTheOldCodeAndNewOnesGetTheNew() throws Exception {
        LineProtocol v1 = new LineProtocol("v1");
        LineProtocol v2 = new LineProtocol("v2");
        try (Rig rig = new Rig(2).protocol("line", v1)) {
            int port = rig.frontend(spec("web", "line", 0));
            try (Client busy = new Client(port); Client idle = new Client(port); Client tunnel = new Client(port)) {
                assertEquals("v1#1 hello", busy.ask("hello"));
                assertEquals("v1#1 hello", idle.ask("hello"));
                assertEquals("v1#1 tunnel", tunnel.ask("tunnel"));
                busy.send("wait 400");

                rig.transport.removeProtocol("line", v1);
                register(rig.transport, "line", v2);

                assertEquals("test.protocol v2", status(rig.transport, "web").servedBy());
                try (Client fresh = new Client(port)) {
                    assertEquals("v2#1 hello", fresh.ask("hello"));
                }
                // the request in progress finishes on the old code, then the connection closes
                assertEquals("v1#1 waited 400", busy.read());
                assertTrue(busy.closedWithin(500), "a drained connection closes after its answer");
                assertEquals(List.of("DRAIN"), v1.events(busy));
                // an idle one is told, and not closed under its client before the deadline
                assertEquals(List.of("DRAIN"), v1.events(idle));
                assertFalse(idle.closedWithin(100), "an idle connection stays open until the deadline");
                assertTrue(idle.closedWithin(3000), "closed at the deadline");
                // the open-ended one is not even told, and runs on after the deadline on its old code
                DrainRecord d = drainDone(rig.transport, "frontend web: protocol line now from test.protocol v2", 3000);
                assertEquals(List.of(), v1.events(tunnel));
                assertEquals("v1#1 hello", tunnel.ask("hello"));
                assertEquals(3, d.connections(), d.toString());
                assertEquals(2, d.finished(), d.toString());
                assertEquals(0, d.forced(), d.toString());
                assertEquals(1, d.leftRunning(), d.toString());
                assertEquals(1, status(rig.transport, "web").activeConnections());
                String line = "INFO  transport: drained: frontend web: protocol line now from test.protocol v2: 3 connections, 2 finished,"
                        + " 0 closed at the deadline, 1 left running";
                eventually(1000, () -> rig.logged(line).size() == 1, () -> "'" + line + "' in " + rig.log);
            }
        }
    }
}
