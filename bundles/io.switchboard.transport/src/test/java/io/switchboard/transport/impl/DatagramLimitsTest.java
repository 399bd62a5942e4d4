package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.register;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.switchboard.transport.impl.TransportTestSupport.EchoDatagrams;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** udpMaxFlows and udpIdleSeconds in frontends.cfg reach a datagram socket that is already open. */
class DatagramLimitsTest {

    @Test
    void aSmallerFlowTableAppliesToAnOpenSocket() throws Exception {
        try (Rig rig = new Rig(1)) {
            register(rig.transport, "echo", new EchoDatagrams());
            int port = rig.frontend(spec("datagrams", "echo", 0));
            try (DatagramSocket a = client(); DatagramSocket b = client(); DatagramSocket c = client()) {
                assertEquals("a", ask(a, port, "a"));
                assertEquals("b", ask(b, port, "b")); // two flows under the default limit

                assertNull(rig.transport.frontendSettings(Map.of("gracePeriodSeconds", 1, "udpMaxFlows", 2)));
                assertEquals(null, ask(c, port, "c"), "a third flow over the new limit of 2 is dropped");
                assertEquals(1, rig.transport.datagramCounters("datagrams")[3], "counted as dropped for a full table");
                assertEquals("a", ask(a, port, "a"), "open flows go on");

                assertNull(rig.transport.frontendSettings(Map.of("gracePeriodSeconds", 1, "udpMaxFlows", 3)));
                assertEquals("c", ask(c, port, "c"), "room again");
            }
        }
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        s.setSoTimeout(1000);
        return s;
    }

    /** Sends the text and returns the echo, or null when none comes. */
    private static String ask(DatagramSocket s, int port, String text) throws IOException {
        byte[] out = text.getBytes(US_ASCII);
        s.send(new DatagramPacket(out, out.length, LOOPBACK, port));
        DatagramPacket back = new DatagramPacket(new byte[64], 64);
        try {
            s.receive(back);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(back.getData(), 0, back.getLength(), US_ASCII);
    }
}
