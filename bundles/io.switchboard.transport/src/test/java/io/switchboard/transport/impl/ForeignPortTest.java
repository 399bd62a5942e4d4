package io.switchboard.transport.impl;

import static io.switchboard.transport.impl.TransportTestSupport.LOOPBACK;
import static io.switchboard.transport.impl.TransportTestSupport.listeningSockets;
import static io.switchboard.transport.impl.TransportTestSupport.register;
import static io.switchboard.transport.impl.TransportTestSupport.spec;
import static io.switchboard.transport.impl.TransportTestSupport.status;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.transport.impl.TransportTestSupport.Client;
import io.switchboard.transport.impl.TransportTestSupport.EchoDatagrams;
import io.switchboard.transport.impl.TransportTestSupport.LineProtocol;
import io.switchboard.transport.impl.TransportTestSupport.Rig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * A port another process listens on: the frontend fails and says so, instead of sharing the port
 * through SO_REUSEPORT (which would silently hand part of its connections to the other process).
 */
class ForeignPortTest {

    private static String inUse(int port) {
        return "port " + port + " on 127.0.0.1 is already in use by another process";
    }

    @Test
    void aPlainListenerOnThePortFailsTheFrontendAndNoOther() throws Exception {
        try (Rig rig = new Rig(2).protocol("line", new LineProtocol("v1"))) {
            int otherFrontend = rig.frontend(spec("other", "line", 0));
            int port;
            try (ServerSocket foreign = new ServerSocket(0, 50, LOOPBACK)) {
                port = foreign.getLocalPort();
                rig.transport.apply(spec("web", "line", port));

                FrontendStatus s = status(rig.transport, "web");
                assertFalse(s.listening());
                assertEquals(-1, s.boundPort());
                assertEquals(inUse(port), s.error());
                assertEquals(1, rig.logged("ERROR transport: frontend web cannot listen on 127.0.0.1:" + port + ": " + inUse(port)
                        + "; other frontends are not affected").size(), rig.log.toString());
                assertEquals(1, listeningSockets(port), "only the other process listens");
                try (Client c = new Client(otherFrontend)) {
                    assertEquals("v1#1 hello", c.ask("hello"));
                }
            }
            // once the port is free, applying the frontend again takes it
            assertEquals(port, rig.frontend(spec("web", "line", port)));
            assertNull(status(rig.transport, "web").error());
        }
    }

    /** The dangerous case: the other socket allows SO_REUSEPORT too, so a bind alone would share the port. */
    @Test
    void aListenerThatAllowsPortSharingIsNotSharedWith() throws Exception {
        try (Rig rig = new Rig(2).protocol("line", new LineProtocol("v1"));
             ServerSocket foreign = new ServerSocket()) {
            foreign.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            foreign.setReuseAddress(true);
            foreign.bind(new InetSocketAddress(LOOPBACK, 0), 50);
            int port = foreign.getLocalPort();

            rig.transport.apply(spec("web", "line", port));

            assertEquals(inUse(port), status(rig.transport, "web").error());
            assertEquals(1, listeningSockets(port), "the port is not shared");
        }
    }

    /** TCP and UDP ports are separate: a TCP listener (here the platform's own frontend) does not hold the UDP port. */
    @Test
    void aUdpFrontendCanShareItsPortNumberWithATcpListener() throws Exception {
        EchoDatagrams echo = new EchoDatagrams();
        try (Rig rig = new Rig(2).protocol("line", new LineProtocol("v1"))) {
            register(rig.transport, "echo", echo);
            int port = rig.frontend(spec("stream", "line", 0));

            assertEquals(port, rig.frontend(spec("datagrams", "echo", port)));

            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
                client.setSoTimeout(5000);
                byte[] ping = "ping".getBytes(US_ASCII);
                client.send(new DatagramPacket(ping, ping.length, LOOPBACK, port));
                DatagramPacket back = new DatagramPacket(new byte[16], 16);
                client.receive(back);
                assertEquals("ping", new String(back.getData(), 0, back.getLength(), US_ASCII));
            }
            try (Client c = new Client(port)) {
                assertEquals("v1#1 hello", c.ask("hello"));
            }
        }
    }

    @Test
    void aUdpFrontendFailsOnAUdpPortInUse() throws Exception {
        try (Rig rig = new Rig(2);
             DatagramSocket foreign = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            register(rig.transport, "echo", new EchoDatagrams());
            int port = foreign.getLocalPort();

            rig.transport.apply(spec("datagrams", "echo", port));

            FrontendStatus s = status(rig.transport, "datagrams");
            assertFalse(s.listening());
            assertEquals("port " + port + " already in use on 127.0.0.1", s.error());
        }
    }
}
