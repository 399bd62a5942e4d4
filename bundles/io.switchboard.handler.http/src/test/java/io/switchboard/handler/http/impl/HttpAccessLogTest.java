package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.log.AccessLog;
import io.switchboard.api.log.LoggedExchange;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the HTTP handler gives the access log, over real sockets: one entry per exchange, errors included. */
class HttpAccessLogTest {
    /** One entry as the log copied it (what a ring slot holds). */
    record Entry(String client, String frontend, String cluster, String endpoint, String method, String target, String protocol,
                 String referer, String userAgent, int status, long requestBodyBytes, long bytesSent, long bodyBytesSent,
                 long startNanos, long connectNanos, long responseNanos, int retries, String termination) {
        static Entry of(LoggedExchange x) {
            return new Entry(x.client().getAddress().getHostAddress(), x.frontend(), x.cluster(), x.endpoint(), x.method(), x.target(),
                    x.protocol(), x.referer(), x.userAgent(), x.status(), x.requestBodyBytes(), x.bytesSent(), x.bodyBytesSent(),
                    x.startNanos(), x.connectNanos(), x.responseNanos(), x.retries(), x.termination());
        }
    }

    /** An access log that keeps what it is given, in memory. */
    static final class Recorder implements AccessLog {
        final List<Entry> entries = new CopyOnWriteArrayList<>();
        volatile boolean broken;

        @Override public boolean enabled() { return true; }
        @Override public void log(LoggedExchange exchange) {
            if (broken) {
                throw new IllegalStateException("the disk is on fire");
            }
            entries.add(Entry.of(exchange));
        }
        @Override public long written() { return entries.size(); }
        @Override public long dropped() { return 0; }
        @Override public long failed() { return 0; }
        @Override public long backlog() { return 0; }
        @Override public String lastError() { return null; }
        @Override public String describe() { return "in memory"; }
    }

    private HttpBackend one;
    private ProxyFixture proxy;
    private final Recorder log = new Recorder();

    @BeforeEach
    void start() throws IOException {
        one = new HttpBackend("one");
        TestClusters clusters = new TestClusters()
                .put("pair", HttpForwardingTest.endpoint("one", one.port()))
                .put("dead", HttpForwardingTest.endpoint("dead", HttpForwardingTest.deadPort()));
        proxy = new ProxyFixture("pair", clusters, Map.of("requestHeadTimeoutSeconds", "1"));
        proxy.protocol.accessLogs().use(log);
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        one.close();
    }

    @Test
    void aProxiedRequestIsOneEntryWithItsFacts() throws Exception {
        RawHttpClient.Response r;
        RawHttpClient.Response second;
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /page?x=1 HTTP/1.1\r\nHost: h\r\nReferer: http://r/\r\nUser-Agent: test-agent\r\n\r\n");
            r = c.read();
            second = c.get("/second");
        }
        assertEquals(200, r.status);
        Entry e = awaitEntries(2).get(0);
        assertEquals("127.0.0.1", e.client());
        assertEquals("test", e.frontend());
        assertEquals("pair", e.cluster());
        assertEquals("one", e.endpoint());
        assertEquals("GET", e.method());
        assertEquals("/page?x=1", e.target());
        assertEquals("HTTP/1.1", e.protocol());
        assertEquals("http://r/", e.referer());
        assertEquals("test-agent", e.userAgent());
        assertEquals(200, e.status());
        assertEquals("----", e.termination());
        assertEquals(r.body.length(), e.bodyBytesSent());
        assertTrue(e.bytesSent() > e.bodyBytesSent(), e.toString());
        assertTrue(e.connectNanos() > 0, "a new back-end connection: " + e);
        assertTrue(e.responseNanos() >= 0, e.toString());
        assertEquals(0, e.retries());
        assertEquals(0, log.entries.get(1).connectNanos(), "the second request reused the pooled connection");
        assertEquals(second.body.length(), log.entries.get(1).bodyBytesSent(), "its own bytes only: " + log.entries.get(1));
    }

    @Test
    void eachRequestOfAKeepAliveConnectionIsItsOwnEntryThoughTheConnectionReusesItsExchangeObject() throws Exception {
        // A connection keeps the object of an exchange that ended cleanly for its next request: every
        // request, one after another or pipelined, with a body or without, must still log (and get) its own facts.
        List<RawHttpClient.Response> responses = new java.util.ArrayList<>();
        List<String> targets = List.of("/a", "/b?q=1", "/c", "/p0", "/p1", "/p2", "/d");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            responses.add(c.get("/a"));
            responses.add(c.get("/b?q=1"));
            c.send("POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            responses.add(c.read());
            c.send(RawHttpClient.getRequest("/p0") + RawHttpClient.getRequest("/p1") + RawHttpClient.getRequest("/p2"));
            for (int i = 0; i < 3; i++) {
                responses.add(c.read());
            }
            responses.add(c.get("/d"));
        }
        List<Entry> entries = awaitEntries(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            Entry e = entries.get(i);
            RawHttpClient.Response r = responses.get(i);
            assertEquals(200, r.status, targets.get(i));
            assertTrue(r.body.endsWith(targets.get(i) + "\n"), "request " + i + " got " + r.body);
            assertEquals(targets.get(i), e.target(), e.toString());
            assertEquals(i == 2 ? "POST" : "GET", e.method(), e.toString());
            assertEquals(i == 2 ? 5 : 0, e.requestBodyBytes(), e.toString());
            assertEquals(200, e.status(), e.toString());
            assertEquals("pair", e.cluster(), e.toString());
            assertEquals("one", e.endpoint(), e.toString());
            assertEquals(0, e.retries(), e.toString());
            assertEquals("----", e.termination(), e.toString());
            assertEquals(r.body.length(), e.bodyBytesSent(), "its own bytes only: " + e);
            assertTrue(i == 0 ? e.connectNanos() > 0 : e.connectNanos() == 0, "pooled after the first: " + e);
            assertTrue(e.responseNanos() >= 0, e.toString());
        }
        assertEquals(targets.size(), one.requests());
    }

    @Test
    void anErrorTheProxyAnswersIsLoggedWithItsTerminationState() throws Exception {
        proxy.cluster("dead");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            assertEquals(502, c.get("/x").status);
        }
        Entry e = awaitEntries(1).get(0);
        assertEquals(502, e.status());
        assertEquals("dead", e.cluster());
        assertEquals("SC--", e.termination());
        assertTrue(e.bodyBytesSent() > 0 && e.bytesSent() > e.bodyBytesSent(), e.toString());
    }

    @Test
    void aRejectedRequestIsLoggedWithItsHeadAndOneThatCouldNotBeReadWithout() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /two-hosts HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
            assertEquals(400, c.read().status);
        }
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /slow HTTP/1.1\r\nHost: a\r\n"); // never finished: 408 after the head timeout
            assertEquals(408, c.read().status);
        }
        List<Entry> entries = awaitEntries(2);
        assertEquals(400, entries.get(0).status());
        assertEquals("/two-hosts", entries.get(0).target());
        assertEquals("PR--", entries.get(0).termination());
        assertNull(entries.get(0).cluster());
        assertEquals(408, entries.get(1).status());
        assertNull(entries.get(1).method());
        assertEquals("cR--", entries.get(1).termination());
    }

    @Test
    void aLogThatThrowsNeverReachesTheRequest() throws Exception {
        log.broken = true;
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, c.get("/" + i).status);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (proxy.protocol.accessLogs().failures() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the entry is given after the response went out
        }
        assertEquals(3, proxy.protocol.accessLogs().failures());
    }

    @Test
    void anAccessLogTurnedOffGetsNothing() throws Exception {
        proxy.protocol.accessLogs().bind(log, Map.of(AccessLog.ENABLED, false));
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            assertEquals(200, c.get("/").status);
        }
        Thread.sleep(100);
        assertEquals(List.of(), log.entries);
    }

    private List<Entry> awaitEntries(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (log.entries.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, log.entries.size(), log.entries.toString());
        return log.entries;
    }
}
