package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** The server's own limits, with answers far bigger than the agent's so that a write can block. */
class AgentServerTest {

    @Test
    void aClientThatDoesNotReadIsDroppedAfterTheWriteTimeout() throws Exception {
        String huge = "x".repeat(32 * 1024 * 1024);
        try (AgentServer server = AgentServer.start(new InetSocketAddress("127.0.0.1", 0), request -> huge, 20, 300, 16,
                new RecordingLogger());
             Socket s = new Socket("127.0.0.1", server.port())) {
            s.setReceiveBufferSize(4096);
            Thread.sleep(1500); // never reading while the agent tries to write
            s.setSoTimeout(5000);
            long t0 = System.nanoTime();
            long received = 0;
            try (InputStream in = s.getInputStream()) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0; ) {
                    received += n;
                }
            } catch (SocketException reset) {
                // the agent gave up on the connection and reset it: what we want
            }
            assertTrue(System.nanoTime() - t0 < 4_000_000_000L, "the rest of the answer was dropped, not sent slowly");
            assertTrue(received < huge.length(), "dropped before the whole answer, got " + received);
            // and the server still answers others
            try (Socket other = new Socket("127.0.0.1", server.port())) {
                other.setSoTimeout(5000);
                assertEquals('x', other.getInputStream().read());
            }
        }
    }

    @Test
    void theRequestLineReachesTheAnswerFunction() throws Exception {
        try (AgentServer server = AgentServer.start(new InetSocketAddress("127.0.0.1", 0),
                request -> "[" + request + "]\n", 2000, 1000, 16, new RecordingLogger())) {
            long t0 = System.nanoTime();
            assertEquals("[ping\n]\n", AgentClient.ask(server.port(), "ping\n"));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 1500, "a newline ends the read window early");
        }
    }
}
