package io.switchboard.handler.http.impl;

import static io.switchboard.handler.http.impl.H2Wire.CONTINUATION;
import static io.switchboard.handler.http.impl.H2Wire.DATA;
import static io.switchboard.handler.http.impl.H2Wire.END_HEADERS;
import static io.switchboard.handler.http.impl.H2Wire.END_STREAM;
import static io.switchboard.handler.http.impl.H2Wire.GOAWAY;
import static io.switchboard.handler.http.impl.H2Wire.HEADERS;
import static io.switchboard.handler.http.impl.H2Wire.PING;
import static io.switchboard.handler.http.impl.H2Wire.RST_STREAM;
import static io.switchboard.handler.http.impl.H2Wire.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.switchboard.api.Endpoint;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 with prior knowledge (h2c) on an HTTP frontend, over real sockets to real back-ends:
 * curl and a raw frame client written here, the flow-control back-pressure, and the defences
 * against clients that break the protocol or flood it.
 */
class Http2FrontendTest {
    private HttpBackend one;
    private BigBackend big;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws IOException {
        one = new HttpBackend("one");
        big = new BigBackend();
    }

    private ProxyFixture proxy(Map<String, String> options) {
        return proxy("web", options);
    }

    private ProxyFixture proxy(String cluster, Map<String, String> options) {
        Map<String, String> all = new HashMap<>(options);
        all.putIfAbsent("h2c", "true");
        TestClusters clusters = new TestClusters()
                .put("web", new Endpoint("one", "127.0.0.1", one.port(), 1))
                .put("big", new Endpoint("big", "127.0.0.1", big.port(), 1));
        proxy = new ProxyFixture(cluster, clusters, all);
        return proxy;
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        one.close();
        big.close();
    }

    // ---------------------------------------------------------------- real clients

    @Test
    void curlWithPriorKnowledgeGetsTheBackendsBodyAndHttp11StillWorksOnTheSameFrontend() throws Exception {
        proxy(Map.of());
        String url = "http://127.0.0.1:" + proxy.port() + "/p?q=1";
        Process p = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "-D", "-", "-o", "-", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("HTTP/2 200 \r\n"), out);
        assertTrue(out.contains("\r\nx-served-by: one\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\none /p?q=1\n"), out);
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.startsWith("get /p?q=1 http/1.1\r\n"), head);
        assertTrue(head.contains("\r\nhost: 127.0.0.1:" + proxy.port() + "\r\n"), head);
        assertTrue(head.contains("\r\nx-forwarded-for: 127.0.0.1\r\n"), head);
        assertTrue(!head.contains("x-http2"), "Netty's conversion fields stay behind: " + head);

        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            assertEquals("one /h1\n", c.get("/h1").body);
        }
    }

    @Test
    void curlPostsABodyOverHttp2() throws Exception {
        proxy(Map.of());
        String url = "http://127.0.0.1:" + proxy.port() + "/post";
        Process p = new ProcessBuilder("curl", "-sS", "--http2-prior-knowledge", "--data-binary", "hello h2", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals("one /post\n", out);
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.startsWith("post /post http/1.1\r\n"), head);
        assertTrue(head.contains("\r\ncontent-length: 8\r\n"), head);
    }

    @Test
    void h2loadRunsManyStreamsPerConnectionWithoutAFailure() throws Exception {
        proxy(Map.of());
        Process p = new ProcessBuilder("h2load", "-n", "2000", "-c", "4", "-m", "10", "http://127.0.0.1:" + proxy.port() + "/load")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored"), out);
        assertTrue(out.contains("status codes: 2000 2xx"), out);
    }

    @Test
    void eachStreamIsOneAccessLogEntryAsHttp2() throws Exception {
        proxy(Map.of());
        HttpAccessLogTest.Recorder log = new HttpAccessLogTest.Recorder();
        proxy.protocol.accessLogs().use(log);
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.request(1, H2Wire.get("/log/1").add("user-agent", "h2-agent"));
            w.request(3, H2Wire.get("/log/3"));
            responses(w, 2, true);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (log.entries.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, log.entries.size(), log.entries.toString());
        HttpAccessLogTest.Entry e = log.entries.stream().filter(x -> x.target().equals("/log/1")).findFirst().orElseThrow();
        assertEquals("HTTP/2.0", e.protocol());
        assertEquals("GET", e.method());
        assertEquals(200, e.status());
        assertEquals("one", e.endpoint());
        assertEquals("web", e.cluster());
        assertEquals("h2-agent", e.userAgent());
        assertEquals("one /log/1\n".length(), e.bodyBytesSent());
        assertEquals("----", e.termination());
    }

    // ---------------------------------------------------------------- streams and flow control

    @Test
    void aBodyWithoutContentLengthGoesToTheBackendChunkedWithItsTrailer() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").authority("example").path("/upload");
            w.frame(HEADERS, END_HEADERS, 1, w.block(h));
            w.frame(DATA, 0, 1, "hello ".getBytes(StandardCharsets.US_ASCII));
            w.frame(DATA, 0, 1, "world".getBytes(StandardCharsets.US_ASCII));
            w.frame(HEADERS, END_HEADERS | END_STREAM, 1, w.block(new DefaultHttp2Headers().add("x-checksum", "42")));
            Map<Integer, Response> r = responses(w, 1, true);
            assertEquals("one /upload\n", r.get(1).body.toString(StandardCharsets.UTF_8));
        }
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.startsWith("post /upload http/1.1\r\n"), head);
        assertTrue(head.contains("\r\ntransfer-encoding: chunked\r\n"), head);
        assertTrue(!head.contains("content-length"), head);
    }

    @Test
    void manyStreamsOnOneConnectionEachGetTheirOwnResponse() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            for (int s = 1; s <= 39; s += 2) {
                w.request(s, H2Wire.get("/s/" + s));
            }
            Map<Integer, Response> r = responses(w, 20, true);
            for (int s = 1; s <= 39; s += 2) {
                assertEquals("200", r.get(s).headers.status().toString());
                assertEquals("one /s/" + s + "\n", r.get(s).body.toString(StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * The dispatcher cluster's sessionEnd = close counts client connections: an HTTP/2 connection is
     * one, however many streams come and go on it; it is released when the connection closes, not
     * when a stream ends (else a client with one long connection and short streams would see its
     * session end after each stream). An HTTP/1.1 connection next to it counts once too.
     */
    @Test
    void theStreamsOfOneConnectionCountOnceAsTheClientsConnectionUntilItCloses() throws Exception {
        TestClusters clusters = new TestClusters().put("web", new Endpoint("one", "127.0.0.1", one.port(), 1));
        TestClusters.RoundRobin web = (TestClusters.RoundRobin) clusters.cluster("web");
        web.countsConnections = true;
        proxy = new ProxyFixture("web", clusters, Map.of("h2c", "true"));
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            for (int s = 1; s <= 9; s += 2) {
                w.request(s, H2Wire.get("/s/" + s));
                Map<Integer, Response> r = responses(w, 1, true);
                assertEquals("one /s/" + s + "\n", r.get(s).body.toString(StandardCharsets.UTF_8));
                Thread.sleep(100); // the stream's close has run by now
                assertEquals(1, web.openConnections.get(), "after stream " + s + ": the connection still counts");
            }
            assertEquals(1, web.connectionsCounted.get(), "five streams, one connection");
            try (RawHttpClient http1 = new RawHttpClient(proxy.port())) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, http1.get("/h1/" + i).status);
                }
                assertEquals(2, web.openConnections.get(), "and an HTTP/1.1 connection beside it");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (web.openConnections.get() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, web.openConnections.get(), "the HTTP/1.1 connection closed");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (web.openConnections.get() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, web.openConnections.get(), "the HTTP/2 connection closed: released once");
        assertEquals(2, web.connectionsCounted.get());
    }

    /**
     * A 32 MiB response on stream 1 whose window the client keeps shut: the proxy stops reading the
     * back-end (which cannot finish writing), while other streams on the connection are served.
     * Then the window opens and every byte arrives, in order.
     */
    @Test
    void aLargeResponseFollowsItsWindowWhileOtherStreamsProceed() throws Exception {
        proxy("big", Map.of());
        long size = 32L << 20;
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.request(1, H2Wire.get("/big/" + size));
            // The stream and connection windows are 65535: the client reads what it may and grants nothing.
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            long windowUsed = 0;
            while (windowUsed < 65535) {
                H2Wire.Frame f = w.read();
                assertNotNull(f);
                if (f.type == DATA && f.stream == 1) {
                    body.write(f.payload);
                    windowUsed += f.payload.length;
                } else if (f.type == HEADERS) {
                    w.decode(f); // keeps the HPACK state in step
                } else if (f.type == SETTINGS && !f.has(H2Wire.ACK)) {
                    w.frame(SETTINGS, H2Wire.ACK, 0, new byte[0]);
                }
            }
            Thread.sleep(1000);
            long held = big.written.get();
            assertTrue(held < size / 2, "the back-end was read beyond what the client could take: " + held);
            // Another stream on the same connection is not held up (its response is small; grant the connection window).
            w.windowUpdate(0, 1 << 20);
            w.request(3, H2Wire.get("/big/100"));
            Map<Integer, Response> small = responses(w, 1, false, 3, body);
            assertEquals(100, small.get(3).body.size());
            // Now open the windows and take the rest.
            w.windowUpdate(0, Integer.MAX_VALUE - (1 << 20) - 65535);
            w.windowUpdate(1, Integer.MAX_VALUE - 65535);
            while (body.size() < size) {
                H2Wire.Frame f = w.read();
                assertNotNull(f, "connection ended after " + body.size());
                if (f.type == HEADERS) {
                    w.decode(f);
                } else if (f.type == DATA && f.stream == 1) {
                    body.write(f.payload);
                    if (f.has(END_STREAM)) {
                        break;
                    }
                }
                assertTrue(f.type != RST_STREAM && f.type != GOAWAY, f.toString());
            }
            byte[] got = body.toByteArray();
            assertEquals(size, got.length);
            for (int i = 0; i < got.length; i++) {
                if (got[i] != BigBackend.pattern(i)) {
                    throw new AssertionError("byte " + i + " differs");
                }
            }
        }
    }

    // ---------------------------------------------------------------- limits

    @Test
    void streamsBeyondTheConcurrencyLimitAreRefusedAndTheOthersServed() throws Exception {
        proxy(Map.of("h2MaxConcurrentStreams", "2"));
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            H2Wire.Frame settings = w.until(SETTINGS);
            assertTrue(containsSetting(settings.payload, 3, 2), "SETTINGS_MAX_CONCURRENT_STREAMS = 2 announced");
            w.request(1, H2Wire.get("/slow/1"));
            w.request(3, H2Wire.get("/slow/3"));
            w.request(5, H2Wire.get("/slow/5"));
            Map<Integer, Response> r = responses(w, 3, true);
            assertEquals(Http2Error.REFUSED_STREAM.code(), r.get(5).resetCode);
            assertEquals("one /slow/1\n", r.get(1).body.toString(StandardCharsets.UTF_8));
            assertEquals("one /slow/3\n", r.get(3).body.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aHeaderListOverTheLimitIsRefusedAndNothingReachesTheBackend() throws Exception {
        proxy(Map.of("h2MaxHeaderListBytes", "4096"));
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            Http2Headers h = H2Wire.get("/big-header").add("x-big", "a".repeat(4500));
            w.request(1, h);
            H2Wire.Frame end = firstOf(w, RST_STREAM, GOAWAY);
            assertNotNull(end, "the request is refused");
        }
        assertEquals(0, one.requests());
    }

    @Test
    void aFrameOverTheMaximumFrameSizeGetsGoAwayFrameSizeError() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.frame(HEADERS, END_HEADERS | END_STREAM, 1, new byte[16385]);
            H2Wire.Frame g = w.goAwayBeforeClose();
            assertNotNull(g);
            assertEquals(Http2Error.FRAME_SIZE_ERROR.code(), g.errorCode());
        }
        assertEquals(0, one.requests());
    }

    // ---------------------------------------------------------------- protocol violations

    @Test
    void dataOnStreamZeroGetsGoAwayProtocolError() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.frame(DATA, 0, 0, new byte[] {1, 2, 3});
            H2Wire.Frame g = w.goAwayBeforeClose();
            assertNotNull(g);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), g.errorCode());
        }
        assertEquals(0, one.requests());
    }

    @Test
    void malformedHeaderBlocksAreRefusedWithProtocolErrorAndNothingReachesTheBackend() throws Exception {
        proxy(Map.of());
        List<Http2Headers> malformed = List.of(
                H2Wire.get("/c").add("connection", "keep-alive"),              // connection-specific
                H2Wire.get("/t").add("transfer-encoding", "chunked"),          // connection-specific
                H2Wire.get("/te").add("te", "gzip"),                           // TE other than trailers
                new DefaultHttp2Headers().method("GET").scheme("http").authority("example")); // no :path
        for (Http2Headers h : malformed) {
            try (H2Wire w = new H2Wire(proxy.port()).start()) {
                w.request(1, h);
                H2Wire.Frame end = firstOf(w, RST_STREAM, GOAWAY);
                assertNotNull(end, "refused: " + h);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), end.errorCode(), h.toString());
            }
        }
        // What Netty's encoder would not write, as literal fields (not indexed, new name): an upper-case
        // name, an unknown pseudo-header, a pseudo-header after a regular field.
        for (String[] field : new String[][] {{"X-Upper", "1"}, {":custom", "1"}, {":method", "GET"}}) {
            try (H2Wire w = new H2Wire(proxy.port()).start()) {
                ByteArrayOutputStream block = new ByteArrayOutputStream();
                block.write(w.block(H2Wire.get("/raw").add("x-regular", "1")));
                block.write(0x00);
                block.write(field[0].length());
                block.write(field[0].getBytes(StandardCharsets.US_ASCII));
                block.write(field[1].length());
                block.write(field[1].getBytes(StandardCharsets.US_ASCII));
                w.frame(HEADERS, END_HEADERS | END_STREAM, 1, block.toByteArray());
                H2Wire.Frame end = firstOf(w, RST_STREAM, GOAWAY);
                assertNotNull(end, "refused: " + field[0]);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), end.errorCode(), field[0]);
            }
        }
        for (Http2Headers h : List.<Http2Headers>of()) {
            try (H2Wire w = new H2Wire(proxy.port()).start()) {
                w.request(1, h);
                H2Wire.Frame end = firstOf(w, RST_STREAM, GOAWAY);
                assertNotNull(end, "refused: " + h);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), end.errorCode(), h.toString());
            }
        }
        assertEquals(0, one.requests());
    }

    @Test
    void aBodyLongerThanItsContentLengthIsAStreamErrorAndNoRequestCompletes() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").authority("example").path("/cl").add("content-length", "3");
            w.frame(HEADERS, END_HEADERS, 1, w.block(h));
            w.frame(DATA, END_STREAM, 1, "12345".getBytes(StandardCharsets.US_ASCII));
            H2Wire.Frame end = firstOf(w, RST_STREAM, GOAWAY);
            assertNotNull(end);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), end.errorCode());
        }
        Thread.sleep(200);
        assertTrue(one.heads.isEmpty() || one.requests() <= 1, "no whole request with a wrong body was answered");
    }

    @Test
    void authorityAndHostThatDifferAreRefusedAndNeitherGets400() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.request(1, H2Wire.get("/h").add("host", "other"));
            Map<Integer, Response> r = responses(w, 1, true);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), r.get(1).resetCode, "the stream is reset");
        }
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.request(1, new DefaultHttp2Headers().method("GET").scheme("http").path("/no-authority"));
            Map<Integer, Response> r = responses(w, 1, true);
            assertNotNull(r.get(1).headers, () -> "reset " + r.get(1).resetCode);
            assertEquals("400", r.get(1).headers.status().toString());
        }
        assertEquals(0, one.requests());
    }

    // ---------------------------------------------------------------- floods

    /** CVE-2023-44487: streams opened and reset at once, past the budget, get GOAWAY ENHANCE_YOUR_CALM. */
    @Test
    void rapidResetGetsGoAwayEnhanceYourCalm() throws Exception {
        proxy(Map.of("h2MaxResets", "50", "h2ResetWindowSeconds", "30"));
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            try {
                for (int s = 1; s < 2 * 200; s += 2) {
                    w.write(concat(H2Wire.frameBytes(HEADERS, END_HEADERS | END_STREAM, s, w.block(H2Wire.get("/slow/" + s))),
                            H2Wire.frameBytes(RST_STREAM, 0, s, new byte[] {0, 0, 0, 8})));
                }
            } catch (SocketException e) {
                // closed under the flood: what is expected
            }
            H2Wire.Frame g = w.goAwayBeforeClose();
            assertNotNull(g);
            assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), g.errorCode());
        }
    }

    /** HEADERS without END_HEADERS, then CONTINUATION frames past the header list limit: the connection ends. */
    @Test
    void continuationFloodEndsTheConnectionAndNothingReachesTheBackend() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            byte[] literal = w.block(new DefaultHttp2Headers().add("x-flood", "b".repeat(1000)));
            try {
                w.frame(HEADERS, 0, 1, w.block(H2Wire.get("/flood")));
                for (int i = 0; i < 1000; i++) {
                    w.frame(CONTINUATION, 0, 1, literal);
                }
            } catch (SocketException e) {
                // closed under the flood
            }
            H2Wire.Frame g = w.goAwayBeforeClose();
            assertNotNull(g, "GOAWAY before the close");
            assertTrue(g.errorCode() == Http2Error.PROTOCOL_ERROR.code() || g.errorCode() == Http2Error.ENHANCE_YOUR_CALM.code(),
                    "code " + g.errorCode());
        }
        assertEquals(0, one.requests());
    }

    /** A 4 KB field indexed once, then referenced thousands of times by one byte: the decoded list is over the limit. */
    @Test
    void hpackBombIsRefusedAndNothingReachesTheBackend() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            block.write(w.block(H2Wire.get("/bomb")));
            // Literal with incremental indexing, new name: 0x40, name length, name, value length (7-bit prefix + continuation), value.
            byte[] name = "x-bomb".getBytes(StandardCharsets.US_ASCII);
            block.write(0x40);
            block.write(name.length);
            block.write(name);
            int vlen = 4000;
            block.write(0x7f);
            int rest = vlen - 127;
            while (rest >= 128) {
                block.write((rest & 0x7f) | 0x80);
                rest >>>= 7;
            }
            block.write(rest);
            block.write("c".repeat(vlen).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 4000; i++) {
                block.write(0x80 | 62); // indexed: the entry just added, 4 KB each time
            }
            w.frame(HEADERS, END_HEADERS | END_STREAM, 1, block.toByteArray());
            H2Wire.Frame end = firstOf(w, RST_STREAM, GOAWAY);
            assertNotNull(end, "refused");
        }
        assertEquals(0, one.requests());
    }

    @Test
    void settingsFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        floodEndsTheConnection(SETTINGS, new byte[0], 3000);
    }

    @Test
    void pingFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        floodEndsTheConnection(PING, new byte[8], 1500);
    }

    /**
     * Control frames each owe an acknowledgement; a client that never reads makes them pile up.
     * Past the queued-control-frame limit the server answers GOAWAY ENHANCE_YOUR_CALM and closes.
     */
    private void floodEndsTheConnection(int type, byte[] payload, int batches) throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port(), 4096).start()) {
            byte[] frame = H2Wire.frameBytes(type, 0, 0, payload);
            byte[] batch = new byte[frame.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(frame, 0, batch, i * frame.length, frame.length);
            }
            // The flood is written without reading anything; a write that fails means the server closed.
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < batches; i++) {
                        w.write(batch);
                    }
                } catch (IOException e) {
                    closed.set(true);
                }
            });
            writer.start();
            writer.join(TimeUnit.SECONDS.toMillis(90));
            writer.interrupt();
            H2Wire.Frame g = w.goAwayBeforeClose();
            assertTrue(closed.get() || g != null, "the connection was ended");
            if (g != null) {
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), g.errorCode());
            }
        }
        assertEquals(0, one.requests());
    }

    // ---------------------------------------------------------------- drain

    @Test
    void aDrainSendsGoAwayFinishesTheStreamInProgressThenCloses() throws Exception {
        proxy(Map.of());
        try (H2Wire w = new H2Wire(proxy.port()).start()) {
            w.request(1, H2Wire.get("/slow/drain"));
            Thread.sleep(300);
            proxy.cluster("big"); // the frontend's settings are replaced: its connections drain
            H2Wire.Frame g = w.until(GOAWAY);
            assertNotNull(g);
            assertEquals(Http2Error.NO_ERROR.code(), g.errorCode());
            Map<Integer, Response> r = responses(w, 1, true);
            assertEquals("one /slow/drain\n", r.get(1).body.toString(StandardCharsets.UTF_8));
            H2Wire.Frame last = w.goAwayBeforeClose(); // the connection closes
            assertTrue(last == null || last.errorCode() == Http2Error.NO_ERROR.code());
        }
    }

    // ---------------------------------------------------------------- helpers

    static final class Response {
        Http2Headers headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        long resetCode = -1;
    }

    private static Map<Integer, Response> responses(H2Wire w, int count, boolean grant) throws Exception {
        return responses(w, count, grant, -1, null);
    }

    /**
     * Reads until {@code count} streams have ended (END_STREAM or reset); with {@code grant} the
     * windows are reopened as DATA arrives. DATA of stream {@code aside} goes to {@code asideBody}.
     */
    private static Map<Integer, Response> responses(H2Wire w, int count, boolean grant, int aside, ByteArrayOutputStream asideBody)
            throws Exception {
        Map<Integer, Response> r = new HashMap<>();
        int ended = 0;
        List<String> seen = new java.util.ArrayList<>();
        while (ended < count) {
            H2Wire.Frame f = w.read();
            int done = ended;
            assertNotNull(f, () -> "connection ended with " + done + " of " + count + " streams done; frames " + seen);
            seen.add(f.toString());
            if (f.type == SETTINGS && !f.has(H2Wire.ACK)) {
                w.frame(SETTINGS, H2Wire.ACK, 0, new byte[0]);
                continue;
            }
            if (f.stream == 0) {
                assertTrue(f.type != GOAWAY || f.errorCode() == 0, () -> "GOAWAY " + f.errorCode());
                continue;
            }
            if (f.type == DATA && f.stream == aside && f.stream != -1 && asideBody != null && !r.containsKey(f.stream)) {
                asideBody.write(f.payload);
                continue;
            }
            Response resp = r.computeIfAbsent(f.stream, s -> new Response());
            if (f.type == HEADERS) {
                Http2Headers h = w.decode(f);
                if (resp.headers == null || resp.headers.status().charAt(0) == '1') {
                    resp.headers = h;
                }
            } else if (f.type == DATA) {
                resp.body.write(f.payload);
                if (grant && f.payload.length > 0 && !f.has(END_STREAM)) {
                    try {
                        w.windowUpdate(0, f.payload.length);
                        w.windowUpdate(f.stream, f.payload.length);
                    } catch (java.net.SocketException closed) {
                        // A draining server closes once its last stream is done: a later read says whether too early.
                    }
                }
            } else if (f.type == RST_STREAM) {
                resp.resetCode = f.errorCode();
                ended++;
                continue;
            }
            if (f.has(END_STREAM)) {
                ended++;
            }
        }
        return r;
    }

    /** Reads until a frame of one of these types; null when the connection ended first. */
    private static H2Wire.Frame firstOf(H2Wire w, int a, int b) throws IOException {
        H2Wire.Frame f;
        while ((f = w.read()) != null) {
            if (f.type == SETTINGS && !f.has(H2Wire.ACK)) {
                w.frame(SETTINGS, H2Wire.ACK, 0, new byte[0]);
            }
            if (f.type == a || f.type == b) {
                return f;
            }
        }
        return null;
    }

    private static boolean containsSetting(byte[] payload, int id, long value) {
        for (int i = 0; i + 6 <= payload.length; i += 6) {
            int k = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
            long v = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16) | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
            if (k == id && v == value) {
                return true;
            }
        }
        return false;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
