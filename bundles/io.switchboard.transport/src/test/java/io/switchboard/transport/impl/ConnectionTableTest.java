package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.eventually;
import static io.switchboard.transport.impl.TransportTestSupport.register;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.ConnectionTableStats;
import io.switchboard.api.switching.TrackedFlow;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.EchoDatagrams;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The connection table on real sockets: its bound and overflow counter, and flows leaving it as they end. */
class ConnectionTableTest {

    @Test
    void aFlowBeyondTheBoundIsServedCountedAndNotListed() throws Exception {
        try (Rig rig = new Rig(2)) {
            rig.protocol("line", new LineProtocol("v1"));
            int port = rig.frontend(spec("web", "line", 0));
            rig.transport.modified(config(2));
            // one after the other (each answered before the next connects): the first two fill the table
            Client a = connected(port);
            try (a; Client b = connected(port); Client c = connected(port)) {
                assertStats(rig, 2, 2, 1, 1);
                assertEquals(List.of(a.localPort(), b.localPort()), clientPorts(rig), "the first two are listed");
                assertEquals("v1#1 hello", c.ask("hello"), "the third connection is served though the table is full");

                a.close();
                eventually(2000, () -> rig.transport.connectionTable().tracked() == 1, () -> "a left: " + rig.transport.connectionTable());
                try (Client d = connected(port)) {
                    assertStats(rig, 2, 2, 1, 1);
                    assertEquals(List.of(b.localPort(), d.localPort()), clientPorts(rig), "room again once a flow ended");
                }
            }
            eventually(2000, () -> rig.transport.connectionTable().tracked() == 0 && rig.transport.connectionTable().untrackedOpen() == 0,
                    () -> "every flow closed: " + rig.transport.connectionTable());
            assertEquals(1, rig.transport.connectionTable().untracked(), "the overflow counter counts since start");
        }
    }

    @Test
    void thousandsOfShortConnectionsLeaveNothingBehind() throws Exception {
        try (Rig rig = new Rig(2)) {
            rig.protocol("line", new LineProtocol("v1"));
            int port = rig.frontend(spec("web", "line", 0));
            int n = 2000;
            for (int i = 0; i < n; i++) {
                try (Socket s = new Socket(LOOPBACK, port)) {
                    s.setSoLinger(true, 0); // no TIME_WAIT pile-up
                    s.setSoTimeout(5000);
                    s.getOutputStream().write("hello\n".getBytes(US_ASCII));
                    assertEquals("v1#1 hello", new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII)).readLine());
                }
            }
            eventually(5000, () -> rig.transport.flows().isEmpty() && rig.transport.connectionTable().tracked() == 0,
                    () -> rig.transport.flows().size() + " flows left in the table: " + rig.transport.connectionTable());
            assertStats(rig, 0, ConnectionTable.DEFAULT_SIZE, 0, 0);
            assertEquals(n, TransportTestSupport.status(rig.transport, "web").totalConnections());
        }
    }

    @Test
    void aDatagramFlowIsInTheTableUntilItExpires() throws Exception {
        try (Rig rig = new Rig(1)) {
            register(rig.transport, "echo", new EchoDatagrams());
            assertNull(rig.transport.frontendSettings(Map.of("gracePeriodSeconds", 1, "udpIdleSeconds", 1)));
            int port = rig.frontend(spec("datagrams", "echo", 0));
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                client.setSoTimeout(2000);
                byte[] out = "ping".getBytes(US_ASCII);
                client.send(new DatagramPacket(out, out.length, LOOPBACK, port));
                client.receive(new DatagramPacket(new byte[16], 16));
                List<TrackedFlow> flows = rig.transport.flows();
                assertEquals(1, flows.size(), flows.toString());
                assertEquals("datagrams", flows.get(0).frontend());
                assertEquals(client.getLocalPort(), flows.get(0).clientAddress().getPort());
                eventually(5000, () -> rig.transport.flows().isEmpty(), () -> "the idle flow to leave the table: " + rig.transport.flows());
                assertStats(rig, 0, ConnectionTable.DEFAULT_SIZE, 0, 0);
            }
        }
    }

    @Test
    void aBadBoundIsRejectedAndTheRunningOneStays() throws Exception {
        try (Rig rig = new Rig(2)) {
            rig.transport.modified(config(5));
            rig.transport.modified(config(-1));
            assertEquals(5, rig.transport.connectionTable().bound());
            assertEquals(1, rig.logged("key 'connectionTableSize': -1 is out of range 0..100000000", "the running configuration stays").size(),
                    rig.log.toString());
        }
    }

    /** The transport's configuration with the table's bound (and the two loops every rig here runs). */
    private static Map<String, Object> config(int tableSize) {
        return new HashMap<>(Map.of("eventLoops", 2, "connectionTableSize", tableSize, "transport", TransportTestSupport.TRANSPORT));
    }

    /** A client whose connection was answered once: its flow is open. */
    private static Client connected(int port) throws IOException {
        Client c = new Client(port);
        assertEquals("v1#1 hello", c.ask("hello"));
        return c;
    }

    private static void assertStats(Rig rig, long tracked, long bound, long untrackedOpen, long untracked) {
        ConnectionTableStats s = rig.transport.connectionTable();
        assertEquals(List.of(tracked, bound, untrackedOpen, untracked), List.of(s.tracked(), s.bound(), s.untrackedOpen(), s.untracked()),
                "tracked, bound, untracked open, untracked since start: " + s);
        assertTrue(rig.transport.flows().size() == tracked, () -> "listed " + rig.transport.flows());
    }

    private static List<Integer> clientPorts(Rig rig) {
        return rig.transport.flows().stream().map(f -> f.clientAddress().getPort()).collect(Collectors.toList());
    }
}
