package io.switchboard.example.protocol.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.flow.Flow;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.testkit.dataplane.DataPlane;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The echo protocol on the real data plane (transport, switch, default handler) over sockets on 127.0.0.1. */
class EchoProtocolTest {

    /** A line client: what it sends ends with a line end; what it reads is one line, or null at the end. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        }

        String ask(String line) throws IOException {
            send(line + "\n");
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static DataPlane plane() {
        DataPlane plane = new DataPlane();
        plane.protocol("echo", new EchoProtocol());
        plane.handler("echo", new EchoHandler("v1"));
        return plane;
    }

    private static FrontendSpec frontend(String name, Map<String, String> options) {
        return new FrontendSpec(name, "echo", "127.0.0.1", 0, "none", Map.of(), options, null);
    }

    @Test
    void answersEachLineWithTheLabelInOrderEvenWhenSentTogether() throws Exception {
        try (DataPlane plane = plane(); Client c = new Client(plane.frontend("echo", "echo", "none"))) {
            assertEquals("v1 hello", c.ask("hello"));
            c.send("one\r\ntwo\n\nthree\n"); // CRLF or LF; an empty line is a line
            assertEquals("v1 one", c.in.readLine());
            assertEquals("v1 two", c.in.readLine());
            assertEquals("v1 ", c.in.readLine());
            assertEquals("v1 three", c.in.readLine());
        }
    }

    @Test
    void aLineOverTheLimitIsAnsweredWithAnErrorAfterTheLinesBeforeItThenTheConnectionCloses() throws Exception {
        try (DataPlane plane = plane()) {
            int port = plane.frontend(frontend("short", Map.of("maxLineBytes", "8")));
            try (Client c = new Client(port)) {
                assertEquals("v1 12345678", c.ask("12345678"));
                c.send("ok\n123456789\nnever\n");
                assertEquals("v1 ok", c.in.readLine());
                assertEquals("ERR line longer than 8 bytes", c.in.readLine());
                assertNull(c.in.readLine());
            }
        }
    }

    @Test
    void aClientThatShutsItsOutputGetsEveryAnswerThenTheEnd() throws Exception {
        try (DataPlane plane = plane(); Client c = new Client(plane.frontend("echo", "echo", "none"))) {
            c.send("a\nb\n");
            c.socket.shutdownOutput();
            assertEquals("v1 a", c.in.readLine());
            assertEquals("v1 b", c.in.readLine());
            assertNull(c.in.readLine());
        }
    }

    @Test
    void withoutAnEchoHandlerALineIsAnsweredWithAnError() throws Exception {
        try (DataPlane plane = new DataPlane()) {
            plane.protocol("echo", new EchoProtocol());
            try (Client c = new Client(plane.frontend("echo", "echo", "none"))) {
                assertEquals("ERR no echo handler", c.ask("hello"));
                assertEquals("ERR no echo handler", c.ask("again"));
            }
        }
    }

    @Test
    void aBadOptionIsRejectedNamingTheKey() throws Exception {
        EchoProtocol p = new EchoProtocol();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.bind(frontend("bad", Map.of("maxLineBytes", "abc"))));
        assertEquals("key 'maxLineBytes': 'abc' is not a whole number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.bind(frontend("bad", Map.of("maxLineBytes", "0"))));
        assertEquals("key 'maxLineBytes': 0 is out of range 1..1048576", e.getMessage());

        try (DataPlane plane = plane()) {
            int good = plane.frontend("good", "echo", "none");
            plane.transport.apply(frontend("bad", Map.of("maxLineBytes", "abc")));
            assertFalse(plane.status("bad").listening());
            assertEquals("key 'maxLineBytes': 'abc' is not a whole number", plane.status("bad").error());
            try (Client c = new Client(good)) {
                assertEquals("v1 still", c.ask("still"));
            }
        }
    }

    /** A handler that answers when the test says so: its lines stay in progress until then. */
    static final class HeldHandler implements FlowHandler {
        final BlockingQueue<Message> held = new ArrayBlockingQueue<>(16);

        @Override
        public void handle(Flow flow, Message message) {
            held.add(message);
        }

        void answer(String text) throws InterruptedException {
            Message m = held.poll(10, TimeUnit.SECONDS);
            m.reply(200, "text/plain", ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void whenTheProtocolIsReplacedOldConnectionsAnswerWhatTheyHaveThenCloseAndNewOnesStayOpen() throws Exception {
        try (DataPlane plane = new DataPlane()) {
            EchoProtocol v1 = new EchoProtocol();
            plane.protocol("echo", v1);
            HeldHandler handler = new HeldHandler();
            plane.handler("echo", handler);
            int port = plane.frontend("echo", "echo", "none");
            try (Client busy = new Client(port); Client idle = new Client(port)) {
                busy.send("in progress\n");
                idle.send("first\n");
                handler.answer("answer 1"); // one of them; both connections are open and known to the transport
                handler.answer("answer 2");
                String a = busy.in.readLine();
                String b = idle.in.readLine();
                assertTrue(a.startsWith("answer") && b.startsWith("answer"), a + " / " + b);
                busy.send("in progress\n");
                Message inProgress = handler.held.poll(10, TimeUnit.SECONDS);

                // A new version of the protocol registers: the transport drains what the old one serves.
                plane.transport.removeProtocol("echo", v1);
                plane.protocol("echo", new EchoProtocol());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (plane.transport.drains().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(2, plane.transport.drains().get(0).connections());

                try (Client fresh = new Client(port)) {
                    fresh.send("new\n");
                    handler.answer("fresh 1");
                    assertEquals("fresh 1", fresh.in.readLine());

                    // The line in progress is answered, then its connection closes.
                    inProgress.reply(200, "text/plain", ByteBuffer.wrap("done\n".getBytes(StandardCharsets.UTF_8)));
                    assertEquals("done", busy.in.readLine());
                    assertNull(busy.in.readLine());

                    // The idle one was not closed under its client: its next line is answered, then it closes.
                    idle.send("last\n");
                    handler.answer("last answer");
                    assertEquals("last answer", idle.in.readLine());
                    assertNull(idle.in.readLine());

                    // The connection on the new version goes on.
                    fresh.send("again\n");
                    handler.answer("fresh 2");
                    assertEquals("fresh 2", fresh.in.readLine());
                }
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!plane.transport.drains().get(0).done() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(plane.transport.drains().get(0).done());
                assertEquals(2, plane.transport.drains().get(0).finished(), plane.transport.drains().get(0).toString());
                assertEquals(0, plane.transport.drains().get(0).forced(), plane.transport.drains().get(0).toString());
            }
        }
    }

    @Test
    void atTheDrainDeadlineAnIdleConnectionCountsAsFinishedAndOneWithALineInProgressAsCutShort() throws Exception {
        try (DataPlane plane = new DataPlane()) {
            assertNull(plane.transport.frontendSettings(Map.of("gracePeriodSeconds", "1")));
            EchoProtocol v1 = new EchoProtocol();
            plane.protocol("echo", v1);
            HeldHandler handler = new HeldHandler();
            plane.handler("echo", handler);
            int port = plane.frontend("echo", "echo", "none");
            try (Client idle = new Client(port); Client busy = new Client(port)) {
                idle.send("hi\n");
                handler.answer("hello");
                assertEquals("hello", idle.in.readLine());
                busy.send("never answered\n");
                assertTrue(waitHeld(handler));

                plane.transport.removeProtocol("echo", v1);
                plane.protocol("echo", new EchoProtocol());
                assertNull(idle.in.readLine()); // closed by the transport at the deadline
                assertNull(busy.in.readLine());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((plane.transport.drains().isEmpty() || !plane.transport.drains().get(0).done()) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                String drain = plane.transport.drains().get(0).toString();
                assertEquals(1, plane.transport.drains().get(0).finished(), drain);
                assertEquals(1, plane.transport.drains().get(0).forced(), drain);
                handler.held.poll().fail("test over"); // lets go of the line's buffer
            }
        }
    }

    private static boolean waitHeld(HeldHandler h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.held.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return !h.held.isEmpty();
    }

    @Test
    void whenTheFrontendGoesAwayAnIdleConnectionClosesAtOnce() throws Exception {
        try (DataPlane plane = plane(); Client c = new Client(plane.frontend("echo", "echo", "none"))) {
            assertEquals("v1 hi", c.ask("hi"));
            plane.transport.remove("echo");
            assertNull(c.in.readLine());
        }
    }
}
