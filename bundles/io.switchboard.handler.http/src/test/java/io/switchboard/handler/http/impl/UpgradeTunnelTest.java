package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.HttpSmugglingTest.endpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.dataplane.TestClusters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP Upgrade over real sockets: the upgrade request goes out with its Upgrade and Connection
 * fields, a back-end's 101 turns both connections into a byte tunnel (pipelined bytes included,
 * half-close both ways, its own idle timeout), a 101 to something else stays a 502, and any other
 * answer to an upgrade request is an ordinary response after which the connection is HTTP again.
 */
class UpgradeTunnelTest {
    private static final String UPGRADE = "GET /chat HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    private static final String SWITCHED = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    private SwitchingBackend backend;
    private ProxyFixture proxy;

    private void start(Function<String, String> answer, Map<String, String> options) throws IOException {
        backend = new SwitchingBackend(answer);
        proxy = new ProxyFixture("ws", new TestClusters().put("ws", endpoint("ws", backend.port())), options);
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void a101TurnsTheConnectionIntoATunnelBothWaysWithPipelinedBytesAndHalfClose() throws Exception {
        start(head -> SWITCHED + "server-first|", Map.of());
        try (Socket s = connect(proxy.port())) {
            // The client's first tunnel bytes come in the same segment as its request.
            send(s, UPGRADE + "early|");
            String head = readUntil(s.getInputStream(), "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            assertTrue(head.contains("Upgrade: websocket\r\n"), head);
            assertTrue(head.toLowerCase().contains("connection: upgrade\r\n"), head);
            assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), head);
            String forwarded = backend.heads.get(0);
            assertTrue(forwarded.contains("\r\nUpgrade: websocket\r\n"), forwarded);
            assertTrue(forwarded.contains("\r\nConnection: upgrade\r\n"), forwarded);
            assertTrue(forwarded.contains("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), forwarded);
            assertEquals("server-first|", readExactly(s.getInputStream(), "server-first|".length()));
            assertEquals("early|", readExactly(s.getInputStream(), "early|".length()), "pipelined bytes are echoed");
            byte[] binary = new byte[256 * 1024];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) (i * 31 + 7);
            }
            s.getOutputStream().write(binary);
            s.getOutputStream().flush();
            byte[] back = s.getInputStream().readNBytes(binary.length);
            assertTrue(java.util.Arrays.equals(binary, back), "binary bytes echoed byte-exact");
            // Half-close: the client's end reaches the back-end, which still answers before it closes.
            s.shutdownOutput();
            assertEquals("bye", readExactly(s.getInputStream(), 3));
            assertEquals(-1, s.getInputStream().read(), "the back-end closed: so does the client connection");
        }
        assertEquals(1, backend.connections.get());
    }

    @Test
    void aTunnelIsOneAccessLogEntryWithStatus101WrittenWhenItEnds() throws Exception {
        start(head -> SWITCHED, Map.of());
        HttpAccessLogTest.Recorder log = new HttpAccessLogTest.Recorder();
        proxy.protocol.accessLogs().use(log);
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE);
            String head = readUntil(s.getInputStream(), "\r\n\r\n");
            send(s, "0123456789");
            assertEquals("0123456789", readExactly(s.getInputStream(), 10));
            Thread.sleep(200);
            assertEquals(0, log.entries.size(), "nothing logged while the tunnel is open");
            s.shutdownOutput();
            assertEquals("bye", readExactly(s.getInputStream(), 3));
            assertEquals(-1, s.getInputStream().read());
            long end = System.currentTimeMillis() + 5000;
            while (log.entries.isEmpty() && System.currentTimeMillis() < end) {
                Thread.sleep(10);
            }
            assertEquals(1, log.entries.size(), log.entries.toString());
            HttpAccessLogTest.Entry e = log.entries.get(0);
            assertEquals(101, e.status());
            assertEquals("----", e.termination());
            assertEquals("/chat", e.target());
            assertEquals(head.length() + 10 + 3, e.bytesSent(), "the 101 head and every byte the tunnel carried to the client");
        }
    }

    @Test
    void aBackendThatDiesMidStreamClosesTheClient() throws Exception {
        start(head -> SWITCHED, Map.of());
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE);
            readUntil(s.getInputStream(), "\r\n\r\n");
            send(s, "one|");
            assertEquals("one|", readExactly(s.getInputStream(), 4));
            backend.killAll();
            assertEquals(-1, readOrEnd(s.getInputStream()), "the client connection closes");
        }
    }

    @Test
    void aClientThatGoesAwayClosesTheBackendConnection() throws Exception {
        start(head -> SWITCHED, Map.of());
        Socket s = connect(proxy.port());
        send(s, UPGRADE);
        readUntil(s.getInputStream(), "\r\n\r\n");
        send(s, "x");
        assertEquals("x", readExactly(s.getInputStream(), 1));
        s.setSoLinger(true, 0);
        s.close(); // a reset, not a half-close
        assertTrue(backend.ended.await(5, TimeUnit.SECONDS), "the back-end connection ended");
    }

    @Test
    void aSilentTunnelClosesAfterTunnelIdleSeconds() throws Exception {
        start(head -> SWITCHED, Map.of("tunnelIdleSeconds", "1", "clientIdleSeconds", "60"));
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE);
            readUntil(s.getInputStream(), "\r\n\r\n");
            long t0 = System.nanoTime();
            assertEquals(-1, readOrEnd(s.getInputStream()));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 800 && ms < 4000, "closed after " + ms + " ms");
            assertTrue(backend.ended.await(5, TimeUnit.SECONDS), "the back-end connection closed too");
        }
    }

    @Test
    void connectionListingUpgradeAmongOtherTokensAsBrowsersSendItIsAnUpgrade() throws Exception {
        start(head -> SWITCHED, Map.of());
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE.replace("Connection: Upgrade", "Connection: keep-alive, Upgrade"));
            assertTrue(readUntil(s.getInputStream(), "\r\n\r\n").startsWith("HTTP/1.1 101 "));
            send(s, "firefox");
            assertEquals("firefox", readExactly(s.getInputStream(), 7));
        }
    }

    @Test
    void anHttp10RequestNeverUpgrades() throws Exception {
        start(head -> SWITCHED, Map.of());
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE.replace("HTTP/1.1", "HTTP/1.0"));
            assertTrue(readUntil(s.getInputStream(), "\r\n\r\n").startsWith("HTTP/1.1 502 "));
            assertFalse(backend.heads.get(0).toLowerCase().contains("upgrade:"), backend.heads.get(0));
        }
    }

    @Test
    void a101ToAnotherProtocolThanAskedIsA502() throws Exception {
        start(head -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n", Map.of());
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE);
            String head = readUntil(s.getInputStream(), "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 502 "), head);
        }
    }

    @Test
    void a101WithoutUpgradeFieldIsA502() throws Exception {
        start(head -> "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", Map.of());
        try (Socket s = connect(proxy.port())) {
            send(s, UPGRADE);
            assertTrue(readUntil(s.getInputStream(), "\r\n\r\n").startsWith("HTTP/1.1 502 "));
        }
    }

    @Test
    void aRequestWithUpgradeButNoConnectionUpgradeIsNoUpgradeRequest() throws Exception {
        start(head -> SWITCHED, Map.of());
        try (Socket s = connect(proxy.port())) {
            send(s, "GET /chat HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\n\r\n");
            assertTrue(readUntil(s.getInputStream(), "\r\n\r\n").startsWith("HTTP/1.1 502 "));
            assertFalse(backend.heads.get(0).toLowerCase().contains("upgrade:"), "a hop-by-hop Upgrade stays behind");
        }
    }

    @Test
    void anUpgradeRequestAnsweredWithoutSwitchingIsAnOrdinaryResponseAndHttpGoesOn() throws Exception {
        start(head -> "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nno\n", Map.of());
        try (Socket s = connect(proxy.port())) {
            // A second request pipelined behind the upgrade request: HTTP again once no switch happened.
            send(s, UPGRADE + "GET /next HTTP/1.1\r\nHost: example\r\n\r\n");
            InputStream in = s.getInputStream();
            String first = readUntil(in, "\r\n\r\n");
            assertTrue(first.startsWith("HTTP/1.1 400 "), first);
            assertEquals("no\n", readExactly(in, 3));
            String second = readUntil(in, "\r\n\r\n");
            assertTrue(second.startsWith("HTTP/1.1 400 "), second);
            assertEquals("no\n", readExactly(in, 3));
            assertEquals(2, backend.heads.size());
            assertTrue(backend.heads.get(1).startsWith("GET /next "), backend.heads.get(1));
        }
    }

    // --- helpers

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, String raw) throws IOException {
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while (b.indexOf(end) < 0 && (c = in.read()) >= 0) {
            b.append((char) c);
        }
        assertTrue(b.indexOf(end) >= 0, "never got '" + end + "': " + b);
        return b.toString();
    }

    private static String readExactly(InputStream in, int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    /** -1 at the end of the stream (a reset counts as an end too). */
    private static int readOrEnd(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return -1;
        }
    }

    /**
     * A back-end that reads one request head, answers it as told; after a 101 it echoes what it reads,
     * and at the client's end of stream says "bye" and closes. Any other answer: it reads the next head.
     */
    static final class SwitchingBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Function<String, String> answer;
        final List<String> heads = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        SwitchingBackend(Function<String, String> answer) throws IOException {
            this.answer = answer;
            Thread t = new Thread(this::accept, "switching-backend");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void killAll() throws IOException {
            for (Socket s : sockets) {
                s.close();
            }
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "switching-backend-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    int c;
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                        head.write(c);
                    }
                    if (head.size() == 0) {
                        return;
                    }
                    String h = head.toString(StandardCharsets.ISO_8859_1);
                    heads.add(h);
                    int cl = h.toLowerCase().indexOf("\r\ncontent-length: ");
                    if (cl >= 0) { // the whole body before the answer, as most applications do
                        int from = cl + 18;
                        in.readNBytes(Integer.parseInt(h.substring(from, h.indexOf("\r\n", from)).trim()));
                    }
                    String a = answer.apply(h);
                    out.write(a.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (a.startsWith("HTTP/1.1 101") && h.toLowerCase().contains("upgrade: websocket")) {
                        byte[] buf = new byte[8192];
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                        out.write("bye".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        return;
                    }
                }
            } catch (IOException e) {
                // the peer went away
            } finally {
                ended.countDown();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            killAll();
        }
    }
}
