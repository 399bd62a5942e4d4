package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.HttpSmugglingTest.endpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.handler.http.impl.UpgradeTunnelTest.SwitchingBackend;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, defect 7: a request body that trickles held its connection (and a back-end connection)
 * forever. Raw sockets against the real proxy: a trickle under the minimum rate, and a body that goes
 * silent, get 408 and the connection closes; the back-end connection waiting for the rest closes too.
 * A slow body above the minimum, and a fast one, go through.
 */
class RequestBodyRateTest {
    private SwitchingBackend raw;
    private ProxyFixture proxy;

    private void start(Map<String, String> options) throws IOException {
        raw = new SwitchingBackend(head -> "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
        proxy = new ProxyFixture("raw", new TestClusters().put("raw", endpoint("raw", raw.port())), options);
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    private static String post(int length) {
        return "POST /upload HTTP/1.1\r\nHost: example\r\nContent-Length: " + length + "\r\n\r\n";
    }

    @Test
    void aBodyTricklingUnderTheMinimumRateGets408AndTheConnectionCloses() throws Exception {
        // The defaults: 240 bytes/s over a 5 s window.
        start(Map.of());
        try (Socket s = connect(20_000)) {
            send(s, post(100));
            long t0 = System.nanoTime();
            String answer = trickle(s, 1500, 100);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(answer.startsWith("HTTP/1.1 408 "), "got: " + answer);
            assertTrue(answer.contains("minBodyRateBytesPerSecond"), answer);
            assertTrue(ms >= 4000 && ms < 12_000, "408 after " + ms + " ms");
            assertEquals(-1, readOrEnd(s.getInputStream()), "the connection closes");
        }
        assertTrue(raw.ended.await(5, TimeUnit.SECONDS), "the back-end connection waiting for the body closed");
    }

    @Test
    void aBodyThatGoesSilentGets408AfterTheBodyTimeout() throws Exception {
        start(Map.of("requestBodyTimeoutSeconds", "2", "minBodyRateBytesPerSecond", "0"));
        HttpAccessLogTest.Recorder log = new HttpAccessLogTest.Recorder();
        proxy.protocol.accessLogs().use(log);
        try (Socket s = connect(10_000)) {
            send(s, post(100) + "0123456789");
            long t0 = System.nanoTime();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(answer.contains("requestBodyTimeoutSeconds"), answer);
            assertTrue(ms >= 1500 && ms < 6000, "408 after " + ms + " ms");
        }
        long end = System.currentTimeMillis() + 5000; // the entry is given to the log just after the close goes out
        while (log.entries.isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertEquals(1, log.entries.size(), log.entries.toString());
        assertEquals(408, log.entries.get(0).status());
        assertEquals("cR--", log.entries.get(0).termination(), "a client timeout while the request came");
        assertEquals(10, log.entries.get(0).requestBodyBytes());
        assertTrue(raw.ended.await(5, TimeUnit.SECONDS), "the back-end connection waiting for the body closed");
    }

    @Test
    void aSlowBodyAboveTheMinimumGoesThrough() throws Exception {
        start(Map.of("minBodyRateBytesPerSecond", "100", "bodyRateWindowSeconds", "1"));
        try (Socket s = connect(10_000)) {
            send(s, post(1000));
            // 1000 bytes over about 3 s: 50 bytes every 150 ms, about 330 bytes/s.
            String answer = trickleChunks(s, 50, 150, 20);
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        }
    }

    @Test
    void aFastBodyGoesThrough() throws Exception {
        start(Map.of());
        try (Socket s = connect(10_000)) {
            byte[] body = new byte[4 << 20];
            send(s, post(body.length));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            int c;
            while (b.indexOf("ok\n") < 0 && (c = in.read()) >= 0) {
                b.append((char) c);
            }
            assertTrue(b.toString().startsWith("HTTP/1.1 200 "), b.toString());
        }
    }

    /** Sends one byte every {@code everyMillis} until an answer comes (or {@code bytes} are sent); returns the answer. */
    private static String trickle(Socket s, long everyMillis, int bytes) throws Exception {
        return trickleChunks(s, 1, everyMillis, bytes);
    }

    private static String trickleChunks(Socket s, int size, long everyMillis, int chunks) throws Exception {
        InputStream in = s.getInputStream();
        byte[] chunk = new byte[size];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (int i = 0; i < chunks; i++) {
            if (in.available() > 0) {
                break;
            }
            try {
                s.getOutputStream().write(chunk);
                s.getOutputStream().flush();
            } catch (SocketException closed) {
                break; // answered and closed
            }
            Thread.sleep(everyMillis);
        }
        StringBuilder b = new StringBuilder();
        int c;
        try {
            while (b.indexOf("\r\n\r\n") < 0 && (c = in.read()) >= 0) {
                b.append((char) c);
            }
            if (b.indexOf("Content-Length: ") >= 0) {
                int at = b.indexOf("Content-Length: ") + 16;
                int n = Integer.parseInt(b.substring(at, b.indexOf("\r\n", at)));
                b.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
            }
        } catch (SocketException reset) {
            // what came before the reset is the answer
        }
        return b.toString();
    }

    private static int readOrEnd(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    private Socket connect(int timeoutMillis) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(timeoutMillis);
        return s;
    }

    private static void send(Socket s, String raw) throws IOException {
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }
}
