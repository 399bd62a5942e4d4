package io.switchboard.handler.http.impl;

import io.switchboard.testkit.dataplane.TestClusters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling and framing defenses over real sockets. Each client-side vector must get its
 * status with the connection closed, and nothing may reach a back-end: no request, no connection.
 */
class HttpSmugglingTest {
    private HttpBackend one;
    private HttpBackend two;
    private TestClusters clusters;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws IOException {
        one = new HttpBackend("one");
        two = new HttpBackend("two");
        clusters = new TestClusters().put("pair", endpoint("one", one.port()), endpoint("two", two.port()));
        proxy = new ProxyFixture("pair", clusters);
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        one.close();
        two.close();
    }

    static Endpoint endpoint(String id, int port) {
        return new Endpoint(id, "127.0.0.1", port, 1);
    }

    /** Sends the bytes, expects the status with Connection: close, then the end of the connection. */
    private Response assertRejected(ProxyFixture p, String raw, int status) throws IOException {
        Response r;
        try (RawHttpClient c = new RawHttpClient(p.port())) {
            c.send(raw);
            r = c.read();
            assertNotNull(r, "a response before the close");
            assertEquals(status, r.status, r.toString());
            assertEquals("close", r.header("connection"), r.head);
            assertTrue(c.closedByServer(), "the connection is closed");
        }
        assertNothingReachedABackend();
        return r;
    }

    private Response assertRejected(String raw, int status) throws IOException {
        return assertRejected(proxy, raw, status);
    }

    private void assertNothingReachedABackend() {
        sleep(100); // anything forwarded would have opened a back-end connection by now
        assertEquals(0, one.requests() + two.requests(), "requests that reached a back-end: " + one.heads + two.heads);
        assertTrue(one.heads.isEmpty() && two.heads.isEmpty());
        assertEquals(0, one.connections() + two.connections(), "back-end connections taken");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final String POST = "POST /p HTTP/1.1\r\nHost: t\r\n";
    private static final String CHUNKED = "Transfer-Encoding: chunked\r\n";

    // --- Content-Length and Transfer-Encoding -----------------------------------------------------

    @Test
    void transferEncodingTogetherWithContentLength() throws IOException {
        assertRejected(POST + CHUNKED + "Content-Length: 5\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void contentLengthTogetherWithTransferEncoding() throws IOException {
        assertRejected(POST + "Content-Length: 5\r\n" + CHUNKED + "\r\n0\r\n\r\n", 400);
    }

    @Test
    void duplicateContentLengthsWithDifferentValues() throws IOException {
        assertRejected(POST + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nhello", 400);
    }

    @Test
    void commaListedContentLengthWithDifferentValues() throws IOException {
        assertRejected(POST + "Content-Length: 3, 5\r\n\r\nhello", 400);
    }

    @Test
    void duplicateContentLengthsWithDifferentValuesOnHttp10() throws IOException {
        assertRejected("POST /p HTTP/1.0\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello", 400);
    }

    @Test
    void nonNumericContentLength() throws IOException {
        assertRejected(POST + "Content-Length: +5\r\n\r\nhello", 400);
    }

    @Test
    void identicalDuplicateContentLengthsAreFoldedIntoOne() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send(POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals(200, c.read().status);
            c.send(POST + "Content-Length: 5, 5\r\n\r\nhello");
            assertEquals(200, c.read().status);
            c.send(RawHttpClient.getRequest("/after"));
            assertEquals(200, c.read().status, "the bodies were framed as 5 bytes");
        }
        List<String> heads = new java.util.ArrayList<>(one.heads);
        heads.addAll(two.heads);
        assertEquals(3, heads.size());
        for (String head : List.of(one.heads.get(0), two.heads.get(0))) {
            String h = head.toLowerCase(Locale.ROOT);
            assertEquals(1, count(h, "content-length:"), head);
            assertTrue(h.contains("content-length: 5\r\n"), head);
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void transferEncodingChunkedTwice() throws IOException {
        assertRejected(POST + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void transferEncodingChunkedInTwoHeaderLines() throws IOException {
        assertRejected(POST + CHUNKED + CHUNKED + "\r\n0\r\n\r\n", 400);
    }

    @Test
    void transferCodingAfterChunked() throws IOException {
        assertRejected(POST + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void finalTransferCodingOtherThanChunked() throws IOException {
        assertRejected(POST + "Transfer-Encoding: gzip\r\n\r\nhello", 400);
    }

    @Test
    void transferCodingOtherThanChunkedBeforeChunked() throws IOException {
        assertRejected(POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void obfuscatedChunkedCoding() throws IOException {
        assertRejected(POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void transferEncodingOnHttp10() throws IOException {
        assertRejected("POST /p HTTP/1.0\r\nHost: t\r\n" + CHUNKED + "\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkedCodingIsForwardedAsExactlyChunked() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send(POST + "Transfer-Encoding: Chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String head = one.heads.get(0);
        assertTrue(head.contains("\r\ntransfer-encoding: chunked\r\n") || head.contains("\r\nTransfer-Encoding: chunked\r\n"), head);
    }

    // --- chunk lines -------------------------------------------------------------------------------

    @Test
    void chunkSizeLineWithBareLf() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n5\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void invalidChunkExtension() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n5;a=\"unterminated\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkExtensionWithoutName() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n5;=x\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void nonHexChunkSize() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n5g\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void overlongChunkSize() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n" + "0".repeat(40) + "5\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkSizeOverflow() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n1ffffffff\r\nhello\r\n0\r\n\r\n", 400);
    }

    @Test
    void chunkDataNotFollowedByCrlf() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n5\r\nhelloXX0\r\n\r\n", 400);
    }

    @Test
    void validChunkExtensionsAreAccepted() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send(POST + CHUNKED + "\r\n5 ; name=value;q=\"quoted \\\" string\"\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertEquals(200, c.read().status);
            assertEquals(200, c.get("/after").status);
        }
    }

    // --- header and request lines ------------------------------------------------------------------

    @Test
    void obsFold() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n", 400);
    }

    @Test
    void obsFoldWithTab() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n\tb\r\n\r\n", 400);
    }

    @Test
    void obsFoldHidingTransferEncoding() throws IOException {
        assertRejected(POST + "Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400);
    }

    @Test
    void obsFoldInChunkedTrailer() throws IOException {
        assertRejected(POST + CHUNKED + "\r\n0\r\nX-Trailer: a\r\n b\r\n\r\n", 400);
    }

    @Test
    void whitespaceBetweenHeaderNameAndColon() throws IOException {
        assertRejected(POST + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello", 400);
    }

    @Test
    void tabBetweenHeaderNameAndColon() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost\t: t\r\n\r\n", 400);
    }

    @Test
    void requestLineEndingInBareLf() throws IOException {
        assertRejected("GET / HTTP/1.1\nHost: t\r\n\r\n", 400);
    }

    @Test
    void headerLineEndingInBareLf() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\nX-Other: y\r\n\r\n", 400);
    }

    @Test
    void headSectionEndingInBareLf() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\n\n", 400);
    }

    @Test
    void bareCrInHeaderValue() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n", 400);
    }

    @Test
    void controlCharacterInHeaderValue() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u0001b\r\n\r\n", 400);
    }

    @Test
    void whitespaceBeforeTheFirstHeaderLine() throws IOException {
        assertRejected("GET / HTTP/1.1\r\n Host: t\r\n\r\n", 400);
    }

    // --- Host and absolute-form --------------------------------------------------------------------

    @Test
    void absoluteFormNamingAnotherHostThanTheHostHeader() throws IOException {
        assertRejected("GET http://evil.example/admin HTTP/1.1\r\nHost: good.example\r\n\r\n", 400);
    }

    @Test
    void absoluteFormToTheSameHostIsRewrittenToOriginForm() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET http://Good.Example:80/a/b?q=1 HTTP/1.1\r\nHost: good.example\r\n\r\n");
            Response r = c.read();
            assertEquals(200, r.status);
            assertTrue(r.body.endsWith(" /a/b?q=1\n"), r.body);
            c.send("GET http://good.example HTTP/1.1\r\nHost: good.example\r\n\r\n");
            r = c.read();
            assertEquals(200, r.status);
            assertTrue(r.body.endsWith(" /\n"), r.body);
        }
        assertTrue(one.heads.get(0).startsWith("GET /a/b?q=1 HTTP/1.1\r\n"), one.heads.get(0));
    }

    @Test
    void absoluteFormWithUserinfo() throws IOException {
        assertRejected("GET http://user@good.example/ HTTP/1.1\r\nHost: good.example\r\n\r\n", 400);
    }

    @Test
    void twoHostHeaders() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", 400);
    }

    @Test
    void http11RequestWithoutHost() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nX-A: a\r\n\r\n", 400);
    }

    @Test
    void hixie76WebSocketKeys() throws IOException {
        // Netty would read 8 body bytes the back-end does not expect.
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
                + "Sec-WebSocket-Key1: 1\r\nSec-WebSocket-Key2: 2\r\n\r\nGET /x H", 400);
    }

    // --- configured limits -------------------------------------------------------------------------

    @Test
    void requestLineOverTheConfiguredLimitGets414() throws IOException {
        try (ProxyFixture small = new ProxyFixture("pair", clusters, java.util.Map.of("maxUriBytes", "1024", "maxHeaderBytes", "4096"))) {
            try (RawHttpClient c = new RawHttpClient(small.port())) {
                assertEquals(200, c.get("/" + "a".repeat(900)).status, "under the limit");
            }
            one.heads.clear();
            int before = one.requests() + two.requests();
            try (RawHttpClient c = new RawHttpClient(small.port())) {
                c.send("GET /" + "a".repeat(1100) + " HTTP/1.1\r\nHost: t\r\n\r\n");
                Response r = c.read();
                assertEquals(414, r.status, r.toString());
                assertTrue(c.closedByServer());
            }
            sleep(100);
            assertEquals(before, one.requests() + two.requests(), "nothing more reached a back-end");
        }
    }

    @Test
    void headerSectionOverTheConfiguredLimitGets431() throws IOException {
        try (ProxyFixture small = new ProxyFixture("pair", clusters, java.util.Map.of("maxUriBytes", "1024", "maxHeaderBytes", "4096"))) {
            try (RawHttpClient c = new RawHttpClient(small.port())) {
                c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n");
                assertEquals(200, c.read().status, "under the limit");
            }
            int before = one.requests() + two.requests();
            try (RawHttpClient c = new RawHttpClient(small.port())) {
                c.send("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(2500) + "\r\nX-Bigger: " + "b".repeat(2500) + "\r\n\r\n");
                Response r = c.read();
                assertEquals(431, r.status, r.toString());
                assertTrue(c.closedByServer());
            }
            sleep(100);
            assertEquals(before, one.requests() + two.requests(), "nothing more reached a back-end");
        }
    }

    @Test
    void defaultHeaderLimitGives431() throws IOException {
        assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(17_000) + "\r\n\r\n", 431);
    }

    // --- slow clients ------------------------------------------------------------------------------

    @Test
    void slowClientSendingHalfARequestHeadGets408AndTakesNoBackendConnection() throws IOException {
        try (ProxyFixture quick = new ProxyFixture("pair", clusters, java.util.Map.of("maxUriBytes", "8192", "maxHeaderBytes", "16384", "requestHeadTimeoutSeconds", "1"))) {
            try (RawHttpClient c = new RawHttpClient(quick.port())) {
                long t0 = System.nanoTime();
                c.send("GET /slowloris HTTP/1.1\r\nHost: t\r\nX-Half");
                Response r = c.read();
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertNotNull(r);
                assertEquals(408, r.status, r.toString());
                assertEquals("close", r.header("connection"));
                assertTrue(c.closedByServer());
                assertTrue(millis >= 250 && millis < 5000, "answered after " + millis + " ms");
            }
            assertNothingReachedABackend();
        }
    }

    @Test
    void trickledLineEndsBeforeTheRequestLineCountAsAHeadToo() throws IOException {
        try (ProxyFixture quick = new ProxyFixture("pair", clusters, java.util.Map.of("maxUriBytes", "8192", "maxHeaderBytes", "16384", "requestHeadTimeoutSeconds", "1"))) {
            try (RawHttpClient c = new RawHttpClient(quick.port())) {
                c.send("\r\n");
                sleep(200);
                c.send("\r\n");
                Response r = c.read();
                assertEquals(408, r.status);
                assertTrue(c.closedByServer());
            }
            assertNothingReachedABackend();
        }
    }

    @Test
    void theHeadTimerRunsOnlyWhileAHeadIsIncompleteAndNoResponseIsDue() throws IOException {
        try (ProxyFixture quick = new ProxyFixture("pair", clusters, java.util.Map.of("maxUriBytes", "8192", "maxHeaderBytes", "16384", "requestHeadTimeoutSeconds", "1"))) {
            try (RawHttpClient c = new RawHttpClient(quick.port())) {
                assertEquals(200, c.get("/first").status);
                sleep(600); // idle between requests: no head has begun
                assertEquals(200, c.get("/second").status);
                // A slow response (1.5 s) with half of the next request pipelined behind it: the client
                // is waiting for the response, not stalling.
                c.send(RawHttpClient.getRequest("/slow") + "GET /next HTTP/1.1\r\nHo");
                Response slow = c.read();
                assertEquals(200, slow.status);
                assertTrue(slow.body.endsWith(" /slow\n"), slow.body);
                c.send("st: t\r\n\r\n");
                Response next = c.read();
                assertEquals(200, next.status, next.toString());
                assertTrue(next.body.endsWith(" /next\n"), next.body);
                // A head sent in slow pieces that completes in time is fine.
                c.send("GET /pieces HTTP/1.1\r\n");
                sleep(100);
                c.send("Host: t\r\n");
                sleep(100);
                c.send("\r\n");
                assertEquals(200, c.read().status);
            }
        }
    }

    // --- pipelining and bodies ---------------------------------------------------------------------

    @Test
    void aSmuggledRequestAfterAGoodOneIsRejectedAfterTheGoodOnesResponse() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send(RawHttpClient.getRequest("/good") + POST + "Content-Length: 5\r\n" + CHUNKED + "\r\n0\r\n\r\n"
                    + RawHttpClient.getRequest("/smuggled"));
            Response first = c.read();
            assertEquals(200, first.status);
            assertTrue(first.body.endsWith(" /good\n"), first.body);
            Response second = c.read();
            assertEquals(400, second.status);
            assertTrue(c.closedByServer());
        }
        assertEquals(1, one.requests() + two.requests(), "only the good request reached a back-end");
    }

    @Test
    void aBadChunkAfterForwardingStartedClosesWithoutCompletingTheRequest() throws Exception {
        try (RawBackend raw = new RawBackend(head -> null)) {
            clusters.put("raw", endpoint("raw", raw.port()));
            proxy.cluster("raw");
            try (RawHttpClient c = new RawHttpClient(proxy.port())) {
                c.send(POST + CHUNKED + "\r\n5\r\nhello\r\n");
                raw.awaitReceived("hello");
                c.send("zz\r\nworld\r\n0\r\n\r\n");
                assertEquals(null, c.read(), "no response: the connection is closed");
            }
            raw.awaitClosed(1);
            String seen = raw.received();
            assertFalse(seen.contains("0\r\n\r\n"), "the back-end never saw the end of the request: " + seen);
            assertFalse(seen.contains("world"), seen);
        }
    }

    // --- heads split over many reads ----------------------------------------------------------------

    /** Sends the bytes one by one, each flushed, so that the proxy reads them in many small pieces. */
    private static void trickle(RawHttpClient c, String raw) throws IOException {
        for (int i = 0; i < raw.length(); i++) {
            c.send(raw.substring(i, i + 1));
            if (i % 4 == 0) {
                sleep(1);
            }
        }
    }

    @Test
    void requestsArrivingByteByByteAreFramedAsWhole() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            trickle(c, POST + CHUNKED + "\r\n5;ext=\"v\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
                    + POST + "Content-Length: 5, 5\r\n\r\nworld" + RawHttpClient.getRequest("/third"));
            assertEquals(200, c.read().status);
            assertEquals(200, c.read().status);
            Response third = c.read();
            assertEquals(200, third.status);
            assertTrue(third.body.endsWith(" /third\n"), third.body);
        }
        assertEquals(3, one.requests() + two.requests());
    }

    @Test
    void obsFoldArrivingByteByByte() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            // Up to the offending byte: the proxy answers and closes there (more would meet a reset).
            trickle(c, "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n ");
            assertEquals(400, c.read().status);
            assertTrue(c.closedByServer());
        }
        assertNothingReachedABackend();
    }

    @Test
    void transferEncodingWithContentLengthArrivingByteByByte() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            trickle(c, POST + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n");
            assertEquals(400, c.read().status);
            assertTrue(c.closedByServer());
        }
        assertNothingReachedABackend();
    }

    @Test
    void badFirstChunkLineArrivingAfterTheHeadStillForwardsNothing() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send(POST + CHUNKED + "\r\n");
            sleep(200); // the head is decoded on its own; it must wait for its first chunk line
            c.send("0000000000000000000005\r\nhello\r\n0\r\n\r\n");
            Response r = c.read();
            assertEquals(400, r.status);
            assertTrue(c.closedByServer());
        }
        assertNothingReachedABackend();
    }

    // --- back-end side -----------------------------------------------------------------------------

    @Test
    void backendDyingMidChunkedResponseClosesTheClientWithoutATerminatingChunk() throws Exception {
        try (RawBackend raw = new RawBackend(head -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                + RawBackend.CLOSE)) {
            clusters.put("raw", endpoint("raw", raw.port()));
            proxy.cluster("raw");
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(RawHttpClient.getRequest("/half").getBytes(StandardCharsets.US_ASCII));
                String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(all.startsWith("HTTP/1.1 200"), all);
                assertTrue(all.contains("hello"), all);
                assertFalse(all.endsWith("0\r\n\r\n"), "a truncated response must not look whole: " + all);
            }
        }
    }

    /**
     * A back-end speaking raw bytes: records everything it receives and, after each request head,
     * writes what the responder returns for it (nothing for null; {@link #CLOSE} at the end closes).
     */
    static final class RawBackend implements AutoCloseable {
        static final String CLOSE = "\u0000close";
        /** At the start of an answer: its bytes are sent one at a time, each in its own segment. */
        static final String TRICKLE = "\u0000trickle";
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Function<String, String> responder;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger closed = new AtomicInteger();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        RawBackend(Function<String, String> responder) throws IOException {
            this.responder = responder;
            Thread t = new Thread(this::accept, "raw-backend");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        String received() {
            synchronized (received) {
                return received.toString(StandardCharsets.ISO_8859_1);
            }
        }

        void awaitReceived(String part) {
            long end = System.currentTimeMillis() + 5000;
            while (!received().contains(part)) {
                assertTrue(System.currentTimeMillis() < end, "back-end never received '" + part + "': " + received());
                sleep(10);
            }
        }

        int closedConnections() {
            return closed.get();
        }

        void awaitClosed(int n) {
            long end = System.currentTimeMillis() + 5000;
            while (closed.get() < n) {
                assertTrue(System.currentTimeMillis() < end, "back-end connections closed: " + closed.get());
                sleep(10);
            }
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "raw-backend-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream()) {
                StringBuilder head = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0) {
                    synchronized (received) {
                        received.write(c);
                    }
                    head.append((char) c);
                    if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                        String answer = responder.apply(head.toString());
                        head.setLength(0);
                        if (answer != null) {
                            boolean close = answer.endsWith(CLOSE);
                            String bytes = close ? answer.substring(0, answer.length() - CLOSE.length()) : answer;
                            if (bytes.startsWith(TRICKLE)) {
                                s.setTcpNoDelay(true);
                                for (byte b : bytes.substring(TRICKLE.length()).getBytes(StandardCharsets.ISO_8859_1)) {
                                    s.getOutputStream().write(b);
                                    s.getOutputStream().flush();
                                    sleep(2);
                                }
                            } else {
                                s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                                s.getOutputStream().flush();
                            }
                            if (close) {
                                return;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // peer went away
            } finally {
                closed.incrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
