package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.GRACE_SECONDS;
import static io.switchboard.transport.impl.TransportTestSupport.drainDone;
import static io.switchboard.transport.impl.TransportTestSupport.eventually;
import static io.switchboard.transport.impl.TransportTestSupport.register;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.DrainRecord;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The drain deadline: what is still open is closed, and counted as cut short only when it had work open. */
class DrainDeadlineTest {

    @Test
    void aRequestStillOpenAtTheDeadlineIsCutAndCountedAndAnIdleOneIsNot() throws Exception {
        LineProtocol v1 = new LineProtocol("v1");
        try (Rig rig = new Rig(2).protocol("line", v1)) {
            int port = rig.frontend(spec("web", "line", 0));
            try (Client slow = new Client(port); Client idle = new Client(port)) {
                assertEquals("v1#1 hello", idle.ask("hello"));
                assertEquals("v1#1 hello", slow.ask("hello"));
                slow.send("wait 5000");

                long start = System.nanoTime();
                register(rig.transport, "line", new LineProtocol("v2")); // ranks after v1: a second service of the name
                rig.transport.removeProtocol("line", v1);                // v1 goes: v2 takes over

                assertTrue(slow.closedWithin(GRACE_SECONDS * 1000L + 3000), "closed at the deadline, without its answer");
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(tookMillis >= GRACE_SECONDS * 1000L - 50 && tookMillis < GRACE_SECONDS * 1000L + 3000, tookMillis + " ms");
                assertTrue(idle.closedWithin(1000));
                assertEquals(List.of("DRAIN"), v1.events(slow));
                assertEquals(List.of("DRAIN"), v1.events(idle));

                String reason = "frontend web: protocol line now from test.protocol v2";
                DrainRecord d = drainDone(rig.transport, reason, 3000);
                assertEquals(2, d.connections(), d.toString());
                assertEquals(1, d.forced(), d.toString());
                assertEquals(1, d.finished(), d.toString());
                assertEquals(0, d.leftRunning(), d.toString());
                assertTrue(d.tookMillis() >= GRACE_SECONDS * 1000L - 50, d.toString());
                String line = "WARN  transport: drained: " + reason + ": 2 connections, 1 finished, 1 closed at the deadline, ";
                eventually(1000, () -> rig.logged(line).size() == 1, () -> "'" + line + "' in " + rig.log); // logged just after the record is done
            }
        }
    }
}
