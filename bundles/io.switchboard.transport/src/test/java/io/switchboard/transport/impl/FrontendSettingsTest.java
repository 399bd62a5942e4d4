package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.GRACE_SECONDS;
import static io.switchboard.transport.impl.TransportTestSupport.listeningSockets;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.config.ConfigReader;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings every frontend shares ({@code io.switchboard.frontends.cfg}): applied to every
 * frontend at once, or, when any value is bad for any frontend, not at all.
 */
class FrontendSettingsTest {
    private static final String FILE = "conf/io.switchboard.frontends.cfg";

    /** Two frontends of the line protocol: {@code a} takes the shared tag, {@code b} sets its own. */
    private static int[] twoFrontends(Rig rig) {
        return new int[] {rig.frontend(spec("a", "line", 0)), rig.frontend(spec("b", "line", 0, Map.of("tag", "own")))};
    }

    @Test
    void aGoodChangeReachesEveryFrontendAtOnce() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        try (Rig rig = new Rig(2).protocol("line", line)) {
            int[] port = twoFrontends(rig);
            try (Client oldA = new Client(port[0]); Client oldB = new Client(port[1])) {
                assertEquals("v1#1 hello", oldA.ask("hello"));
                assertEquals("v1#2/own hello", oldB.ask("hello"));

                FrontendDefaults.of(rig.transport).apply(Map.of("acceptors", 1, "gracePeriodSeconds", 2, "tag", "blue",
                        ConfigReader.FILENAME, FILE));

                assertEquals(List.of(), rig.logged("config rejected"));
                assertEquals(2000, rig.transport.currentSettings().gracePeriodMillis);
                for (int i = 0; i < 2; i++) {
                    assertEquals(1, status(rig.transport, i == 0 ? "a" : "b").acceptors());
                    assertEquals(1, listeningSockets(port[i]));
                }
                try (Client newA = new Client(port[0]); Client newB = new Client(port[1])) {
                    assertTrue(newA.ask("hello").matches("v1#\\d+/blue hello"));
                    assertTrue(newB.ask("hello").matches("v1#\\d+/own hello"), "a frontend's own option wins over the default");
                }
                // connections on the former settings drain
                assertEquals(List.of("DRAIN"), line.events(oldA));
                assertEquals(List.of("DRAIN"), line.events(oldB));
            }
        }
    }

    @Test
    void aValueOneFrontendRefusesRejectsTheWholeChange() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        try (Rig rig = new Rig(2).protocol("line", line)) {
            int[] port = twoFrontends(rig);
            try (Client oldA = new Client(port[0]); Client oldB = new Client(port[1])) {
                assertEquals("v1#1 hello", oldA.ask("hello"));

                assertEquals("key 'tag': 'Not-A-Tag' is not a tag (a-z, 0-9, '-') (for frontend a)",
                        rig.transport.frontendSettings(Map.of("acceptors", 1, "gracePeriodSeconds", 5, "tag", "Not-A-Tag")));
                FrontendDefaults.of(rig.transport).apply(Map.of("acceptors", 1, "gracePeriodSeconds", 5, "tag", "Not-A-Tag",
                        ConfigReader.FILENAME, FILE));

                assertEquals(1, rig.logged("ERROR transport: config rejected: " + FILE + ": key 'tag': 'Not-A-Tag' is not a tag (a-z, 0-9, '-')"
                        + " (for frontend a); every frontend keeps the settings it had").size(), rig.log.toString());
                assertNothingChanged(rig, line, port, oldA, oldB);
            }
        }
    }

    @Test
    void aBadTransportValueRejectsTheWholeChange() throws Exception {
        LineProtocol line = new LineProtocol("v1");
        try (Rig rig = new Rig(2).protocol("line", line)) {
            int[] port = twoFrontends(rig);
            try (Client oldA = new Client(port[0]); Client oldB = new Client(port[1])) {
                FrontendDefaults.of(rig.transport).apply(Map.of("acceptors", 1, "gracePeriodSeconds", "soon", "tag", "blue",
                        ConfigReader.FILENAME, FILE));

                assertEquals(1, rig.logged("ERROR transport: config rejected: " + FILE + ": key 'gracePeriodSeconds': 'soon' is not a whole number;"
                        + " every frontend keeps the settings it had").size(), rig.log.toString());
                assertNothingChanged(rig, line, port, oldA, oldB);
            }
        }
    }

    private static void assertNothingChanged(Rig rig, LineProtocol line, int[] port, Client oldA, Client oldB) throws Exception {
        FrontendSettings s = rig.transport.currentSettings();
        assertEquals(GRACE_SECONDS * 1000L, s.gracePeriodMillis);
        assertEquals(0, s.acceptors);
        assertEquals(Map.of(), s.protocolDefaults);
        for (int i = 0; i < 2; i++) {
            assertEquals(2, status(rig.transport, i == 0 ? "a" : "b").acceptors());
            assertEquals(2, listeningSockets(port[i]));
        }
        try (Client newA = new Client(port[0]); Client newB = new Client(port[1])) {
            assertEquals("v1#1 hello", newA.ask("hello"), "new connections get the binding they got before");
            assertEquals("v1#2/own hello", newB.ask("hello"));
        }
        assertEquals("v1#1 hello", oldA.ask("hello"));
        assertEquals("v1#2/own hello", oldB.ask("hello"));
        assertEquals(List.of(), line.events(oldA));
        assertEquals(List.of(), line.events(oldB));
        assertEquals(List.of(), rig.transport.drains());
    }
}
