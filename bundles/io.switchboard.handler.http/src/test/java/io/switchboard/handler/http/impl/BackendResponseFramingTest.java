package io.switchboard.handler.http.impl;

import io.switchboard.testkit.dataplane.TestClusters;
import static io.switchboard.handler.http.impl.HttpSmugglingTest.endpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import io.switchboard.handler.http.impl.HttpSmugglingTest.RawBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How back-end responses are framed on their way to the client, over real sockets: bodiless
 * responses, bodies that last until the back-end closes, chunked bodies passed through, interim
 * responses, heads arriving in pieces, hop-by-hop headers, and responses that cannot be framed
 * safely (502, and the back-end connection is never reused).
 */
class BackendResponseFramingTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
    private RawBackend raw;
    private TestClusters clusters;
    private ProxyFixture proxy;

    private void start(Function<String, String> respond) throws IOException {
        raw = new RawBackend(respond);
        clusters = new TestClusters().put("raw", endpoint("raw", raw.port()));
        proxy = new ProxyFixture("raw", clusters);
    }

    private void startWithVia(Function<String, String> respond, String via) throws IOException {
        raw = new RawBackend(respond);
        proxy = new ProxyFixture("raw", new TestClusters().put("raw", endpoint("raw", raw.port())), java.util.Map.of("via", via));
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

    /** Reads from the socket until the text has arrived (or fails after the socket's timeout). */
    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while (b.indexOf(end) < 0 && (c = in.read()) >= 0) {
            b.append((char) c);
        }
        assertTrue(b.indexOf(end) >= 0, "never got '" + end + "': " + b);
        return b.toString();
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, String raw) throws IOException {
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsContentLengthAndTheConnectionGoesOn() throws IOException {
        start(head -> head.startsWith("HEAD ") ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" : OK);
        try (Socket s = connect(proxy.port())) {
            send(s, "HEAD /h HTTP/1.1\r\nHost: t\r\n\r\nGET /g HTTP/1.1\r\nHost: t\r\n\r\n");
            String all = readUntil(s.getInputStream(), "ok\n");
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertTrue(all.contains("Content-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\n"), "the HEAD response ends with its head: " + all);
        }
        assertEquals(1, raw.connections(), "the back-end connection was reused");
    }

    @Test
    void noContentAndNotModifiedEndWithTheirHead() throws IOException {
        start(head -> head.startsWith("GET /204") ? "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"
                : head.startsWith("GET /304") ? "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n" : OK);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            assertEquals(204, c.get("/204").status);
            Response notModified = c.send(RawHttpClient.getRequest("/304")).readHeadOnly();
            assertEquals(304, notModified.status);
            Response r = c.get("/fine");
            assertEquals(200, r.status);
            assertEquals("ok\n", r.body);
        }
        assertEquals(1, raw.connections());
    }

    @Test
    void aBodyThatLastsUntilTheBackendClosesReachesTheClientWholeAndEndsItsConnection() throws IOException {
        start(head -> "HTTP/1.1 200 OK\r\nX-Framing: none\r\n\r\nall of it, until the end" + RawBackend.CLOSE);
        try (Socket s = connect(proxy.port())) {
            send(s, RawHttpClient.getRequest("/until-close"));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertTrue(all.contains("\r\nConnection: close\r\n"), "the client learns that the close ends the body: " + all);
            assertTrue(all.endsWith("\r\n\r\nall of it, until the end"), all);
        }
    }

    @Test
    void aChunkedResponseWithExtensionsAndTrailerPassesThroughAsItCame() throws IOException {
        String chunked = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        start(head -> head.startsWith("GET /chunked") ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked : OK);
        try (Socket s = connect(proxy.port())) {
            send(s, RawHttpClient.getRequest("/chunked"));
            String all = readUntil(s.getInputStream(), "X-Trailer: t\r\n\r\n");
            assertTrue(all.endsWith("\r\n\r\n" + chunked), all);
            send(s, RawHttpClient.getRequest("/next"));
            assertTrue(readUntil(s.getInputStream(), "ok\n").startsWith("HTTP/1.1 200 OK"));
        }
        assertEquals(1, raw.connections(), "the back-end connection was reused after the chunked body ended");
    }

    @Test
    void anInterimResponseAndTheFinalOneInOneSegmentBothReachTheClient() throws IOException {
        start(head -> "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + OK);
        try (Socket s = connect(proxy.port())) {
            send(s, RawHttpClient.getRequest("/hints"));
            String all = readUntil(s.getInputStream(), "ok\n");
            assertTrue(all.startsWith("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n"), all);
        }
    }

    @Test
    void aResponseArrivingByteByByteIsFramedAsWhole() throws IOException {
        start(head -> RawBackend.TRICKLE + "HTTP/1.1 200 OK\r\nX-Slow: yes\r\nContent-Length: 5\r\n\r\nslow!");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            for (int i = 0; i < 2; i++) {
                Response r = c.get("/trickle");
                assertEquals(200, r.status, r.toString());
                assertEquals("yes", r.header("x-slow"));
                assertEquals("slow!", r.body);
            }
        }
        assertEquals(1, raw.connections());
    }

    @Test
    void hopByHopResponseHeadersStayWithTheBackendConnection() throws IOException {
        start(head -> "HTTP/1.1 200 OK\r\nConnection: X-Secret, keep-alive\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Authenticate: Basic\r\nX-Kept: yes\r\nContent-Length: 3\r\n\r\nok\n");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/hop");
            assertEquals(200, r.status);
            assertEquals("yes", r.header("x-kept"));
            for (String gone : new String[] {"connection", "x-secret", "keep-alive", "proxy-authenticate"}) {
                assertEquals(null, r.header(gone), gone + " must not reach the client: " + r.head);
            }
        }
    }

    @Test
    void anHttp10BackendWithoutKeepAliveGetsANewConnectionPerRequest() throws IOException {
        start(head -> "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            for (int i = 0; i < 2; i++) {
                Response r = c.get("/old");
                assertTrue(r.head.startsWith("HTTP/1.1 200 OK"), "the client sees one HTTP/1.1 server: " + r.head);
                assertEquals("ok\n", r.body);
            }
        }
        assertEquals(2, raw.connections(), "a connection the back-end does not keep open is not reused");
    }

    @Test
    void aHeadOverTheLimitGives502() throws IOException {
        String big = "X-Big: " + "b".repeat(30_000) + "\r\n";
        start(head -> head.startsWith("GET /big") ? "HTTP/1.1 200 OK\r\n" + big + "Content-Length: 3\r\n\r\nok\n" : OK);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/big");
            assertEquals(502, r.status, r.toString());
            assertTrue(r.body.contains("over"), r.body);
            raw.awaitClosed(1);
            assertEquals(200, c.get("/fine").status, "the client connection goes on");
        }
        assertEquals(2, raw.connections());
    }

    @Test
    void anHttp10ClientGetsAChunkedBodyAsItsDataEndedByTheClose() throws Exception {
        start(head -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
        try (Socket s = connect(proxy.port())) {
            send(s, "GET /old-client HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
            assertFalse(all.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding"), all);
            assertTrue(all.contains("\r\nConnection: close\r\n"), all);
            assertTrue(all.endsWith("\r\n\r\nhello world"), all);
        }
        Thread.sleep(100);
        assertEquals(0, raw.closedConnections(), "the back-end connection stays open for reuse after the dechunked body");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n");
            String head = c.readHeadOnly().head;
            assertTrue(head.contains("Transfer-Encoding: chunked"), "an HTTP/1.1 client gets the chunks: " + head);
        }
    }

    @Test
    void viaIsAddedBothWaysWhenConfigured() throws IOException {
        startWithVia(head -> "HTTP/1.1 200 OK\r\nVia: 1.1 inner\r\nContent-Length: 3\r\n\r\nok\n", "edge");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.send("GET /via HTTP/1.1\r\nHost: t\r\nVia: 1.0 outer\r\n\r\n").read();
            assertEquals(200, r.status);
            assertTrue(r.head.contains("\r\nVia: 1.1 inner\r\n") && r.head.indexOf("Via: 1.1 edge") > r.head.indexOf("Via: 1.1 inner"),
                    "the back-end's Via, then ours: " + r.head);
        }
        raw.awaitReceived("Via: 1.1 edge\r\n");
        String received = raw.received();
        assertTrue(received.indexOf("Via: 1.0 outer") < received.indexOf("Via: 1.1 edge"), received);
    }

    @Test
    void noViaUnlessConfigured() throws IOException {
        start(head -> OK);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/no-via");
            assertEquals(null, r.header("via"), r.head);
        }
        assertFalse(raw.received().contains("Via:"), raw.received());
    }

    @Test
    void aBackendThatStallsMidResponseIsCutAtTheIdleTimeoutAndTheClientConnectionClosed() throws IOException {
        start(head -> "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nthe first part, then nothing");
        ((TestClusters.RoundRobin) clusters.cluster("raw")).idleTimeoutMillis = 300;
        long t0 = System.nanoTime();
        try (Socket s = connect(proxy.port())) {
            send(s, RawHttpClient.getRequest("/stall"));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.endsWith("the first part, then nothing"), all);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 4000, "closed after " + ms + " ms, not at the idle timeout");
        raw.awaitClosed(1);
    }

    @Test
    void bytesAfterAResponseMakeItsConnectionNeverReused() throws Exception {
        start(head -> head.startsWith("GET /extra") ? OK + "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsmuggle" : OK);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            // Pipelined: the second request is sent as soon as the first response ends, and must not
            // be given the stray bytes as its response.
            c.send(RawHttpClient.getRequest("/extra") + RawHttpClient.getRequest("/next"));
            assertEquals("ok\n", c.read().body, "the response itself is whole");
            assertEquals("ok\n", c.read().body, "the next request does not get the stray bytes as its response");
        }
        assertEquals(2, raw.connections(), "the out-of-step connection was closed, not reused");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 3\r\n\r\nok\n",
        "HTTP/1.1 200 OK\nContent-Length: 3\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 3\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nX-A: 1\r2\r\nContent-Length: 3\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nContent-Length: three\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\nok\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nok\n\r\n0\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
        "HTTP/2 200\r\nContent-Length: 3\r\n\r\nok\n",
        "HTTP/1.1 2OO OK\r\nContent-Length: 3\r\n\r\nok\n",
        "SSH-2.0-OpenSSH_9.2\r\n\r\n",
    })
    void aResponseThatCannotBeFramedSafelyGives502AndItsConnectionIsNotReused(String bad) throws Exception {
        start(head -> head.startsWith("GET /bad") ? bad : OK);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/bad");
            assertEquals(502, r.status, r.toString());
            assertTrue(r.body.contains("invalid response"), r.body);
            raw.awaitClosed(1);
            Response next = c.get("/fine");
            assertEquals(200, next.status, "the client connection goes on");
            assertEquals("ok\n", next.body);
        }
        assertEquals(2, raw.connections(), "the bad connection was closed, not reused");
    }

    @Test
    void aBadChunkLineMidResponseClosesTheClientWithoutATerminatingChunk() throws IOException {
        start(head -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nmore\r\n0\r\n\r\n");
        try (Socket s = connect(proxy.port())) {
            send(s, RawHttpClient.getRequest("/bad-chunk"));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            // The connection ends with what had gone out before the bad line (here, in the same read: nothing).
            assertTrue(all.isEmpty() || all.startsWith("HTTP/1.1 200"), all);
            assertFalse(all.contains("more") || all.endsWith("0\r\n\r\n"), "a response cut short must not look whole: " + all);
        }
    }
}
