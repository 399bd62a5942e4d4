package io.switchboard.control.impl.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The probes against real sockets on 127.0.0.1. */
class ProbeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A one-connection-at-a-time server that does {@code answer} with each accepted socket. */
    static ServerSocket server(Consumer<Socket> answer) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    answer.accept(s);
                } catch (IOException e) {
                    // closed
                }
            }
        }, "test-server");
        t.setDaemon(true);
        t.start();
        return ss;
    }

    static void write(Socket s, String text) {
        try {
            OutputStream o = s.getOutputStream();
            o.write(text.getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
        } catch (IOException e) {
            // the prober went away
        }
    }

    private static InetSocketAddress addressOf(ServerSocket s) {
        return new InetSocketAddress(LOOPBACK, s.getLocalPort());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    @Test
    void tcpCheckConnectsOrSaysWhyNot() throws IOException {
        try (ServerSocket up = new ServerSocket(0, 50, LOOPBACK)) {
            assertTrue(Probe.tcp(addressOf(up), 500).ok);
        }
        Probe.Result r = Probe.tcp(new InetSocketAddress(LOOPBACK, closedPort()), 500);
        assertFalse(r.ok);
        assertTrue(r.detail.contains("refused"), r.detail);
    }

    @Test
    void httpCheckJudgesTheStatus() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 10);
        http.createContext("/healthz", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http.createContext("/broken", x -> {
            x.sendResponseHeaders(503, -1);
            x.close();
        });
        http.start();
        try {
            InetSocketAddress a = http.getAddress();
            HealthSpec.StatusRange ok = HealthSpec.StatusRange.parse("200-299");
            Probe.Result r = Probe.http(a, "x", "/healthz", ok, 1000);
            assertTrue(r.ok, r.detail);
            r = Probe.http(a, "x", "/broken", ok, 1000);
            assertFalse(r.ok);
            assertTrue(r.detail.contains("HTTP 503"), r.detail);
            assertTrue(Probe.http(a, "x", "/broken", HealthSpec.StatusRange.parse("200,503"), 1000).ok);
        } finally {
            http.stop(0);
        }
        try (ServerSocket notHttp = server(s -> write(s, "SSH-2.0-OpenSSH\r\n"))) {
            Probe.Result r = Probe.http(addressOf(notHttp), "x", "/", HealthSpec.StatusRange.DEFAULT, 1000);
            assertFalse(r.ok);
            assertTrue(r.detail.contains("not an HTTP status line"), r.detail);
        }
    }

    @Test
    void anAgentsLineIsRead() throws IOException {
        try (ServerSocket agent = server(s -> write(s, "up 75% maxconn:10\n"))) {
            AgentReport r = Probe.agent(addressOf(agent), 1000, false);
            assertEquals(75, r.percent());
        }
    }

    @Test
    void anAgentThatAnswersGarbageTooSlowlyOrClosesMidLineGivesNoReport() throws IOException {
        try (ServerSocket garbage = server(s -> write(s, "\u0000\u0001hello world\n"))) {
            IOException e = assertThrows(IOException.class, () -> Probe.agent(addressOf(garbage), 1000, false));
            assertTrue(e.getMessage().contains("garbage"), e.getMessage());
        }
        try (ServerSocket slow = server(s -> {
            try {
                for (int i = 0; i < 30; i++) { // trickles a byte every 50 ms: never a line within 300 ms
                    write(s, "7");
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> Probe.agent(addressOf(slow), 300, false));
            assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "cut at the deadline, not per byte");
        }
        try (ServerSocket cut = server(s -> write(s, "75"))) {
            IOException e = assertThrows(IOException.class, () -> Probe.agent(addressOf(cut), 1000, false));
            assertTrue(e.getMessage().contains("before a whole line"), e.getMessage());
        }
        assertThrows(IOException.class, () -> Probe.agent(new InetSocketAddress(LOOPBACK, closedPort()), 500, false));
    }
}
