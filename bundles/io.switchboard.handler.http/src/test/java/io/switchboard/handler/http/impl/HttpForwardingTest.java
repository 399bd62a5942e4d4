package io.switchboard.handler.http.impl;

import io.switchboard.testkit.dataplane.TestClusters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.RawHttpClient.Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP forwarding path over real sockets: native (epoll or io_uring) frontend, real back-ends, raw clients. */
class HttpForwardingTest {
    private HttpBackend one;
    private HttpBackend two;
    private TestClusters clusters;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws IOException {
        one = new HttpBackend("one");
        two = new HttpBackend("two");
        clusters = new TestClusters()
                .put("pair", endpoint("one", one.port()), endpoint("two", two.port()))
                .put("dead", endpoint("dead", deadPort()))
                .put("half-dead", endpoint("dead", deadPort()), endpoint("two", two.port()));
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

    /** A port nothing listens on: bound once, then released. */
    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void requestsAlternateBetweenBackendsAndReuseTheirConnections() throws IOException {
        List<String> servedBy = new ArrayList<>();
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            for (int i = 0; i < 20; i++) {
                Response r = c.get("/n/" + i);
                assertEquals(200, r.status);
                servedBy.add(r.body.split(" ")[0]);
                assertTrue(r.body.endsWith("/n/" + i + "\n"), r.body);
            }
        }
        assertEquals(10, servedBy.stream().filter("one"::equals).count());
        assertEquals(10, servedBy.stream().filter("two"::equals).count());
        assertEquals(1, one.connections(), "back-end connection reused");
        assertEquals(1, two.connections(), "back-end connection reused");
    }

    @Test
    void forwardedRequestCarriesForwardingHeadersAndNoHopByHopHeaders() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /h HTTP/1.1\r\nHost: example\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.contains("x-forwarded-for: 127.0.0.1"), head);
        assertTrue(head.contains("x-forwarded-proto: http"), head);
        assertTrue(head.contains("host: example"), head);
        assertTrue(!head.contains("x-secret") && !head.contains("keep-alive"), head);
    }

    @Test
    void forwardingHeadersFromTheClientAreExtendedAndTheOtherHopByHopFieldsStayBehind() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /fwd HTTP/1.1\r\nHost: example\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                    + "Forwarded: for=10.0.0.1\r\nTE: trailers\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\n"
                    + "Proxy-Authenticate: Basic\r\nX-Kept: yes\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.contains("\r\nx-forwarded-for: 10.0.0.1, 127.0.0.1\r\n"), head);
        assertEquals(head.indexOf("x-forwarded-proto"), head.lastIndexOf("x-forwarded-proto"), "one X-Forwarded-Proto: " + head);
        assertTrue(head.contains("\r\nx-forwarded-proto: http\r\n"), "the client's own value does not pass: " + head);
        assertTrue(head.contains("\r\nforwarded: for=10.0.0.1, for=127.0.0.1;proto=http\r\n"), head);
        assertTrue(head.contains("\r\nx-kept: yes\r\n"), head);
        for (String gone : new String[] {"\r\nte:", "upgrade:", "proxy-connection:", "proxy-authenticate:"}) {
            assertTrue(!head.contains(gone), gone + " must not reach the back-end: " + head);
        }
    }

    /** Issue 11, defect 2: a Connection token never removes Host, Content-Length or Transfer-Encoding. */
    @Test
    void aConnectionTokenNamingHostDoesNotRemoveIt() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("POST /h HTTP/1.1\r\nHost: example\r\nConnection: Host, Content-Length, X-Gone\r\nX-Gone: 1\r\n"
                    + "Content-Length: 2\r\n\r\nok");
            assertEquals(200, c.read().status);
        }
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.contains("\r\nhost: example\r\n"), head);
        assertTrue(head.contains("\r\ncontent-length: 2\r\n"), head);
        assertTrue(!head.contains("x-gone"), head);
    }

    /** Issue 11, defect 3: an HTTP/1.0 request without Host goes out as HTTP/1.1 with the endpoint's address as Host. */
    @Test
    void anHttp10RequestWithoutHostGetsTheEndpointsAddressAsHost() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /old HTTP/1.0\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String head = one.heads.get(0).toLowerCase();
        assertTrue(head.startsWith("get /old http/1.1\r\n"), head);
        assertTrue(head.contains("\r\nhost: 127.0.0.1:" + one.port() + "\r\n"), head);
        assertEquals(head.indexOf("\r\nhost:"), head.lastIndexOf("\r\nhost:"), "one Host: " + head);
    }

    /** Issue 11, defect 5: Content-Length: 010 reaches the back-end as 10. */
    @Test
    void aContentLengthWithLeadingZerosIsForwardedAsItsCanonicalNumber() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("POST /cl HTTP/1.1\r\nHost: example\r\nContent-Length: 010\r\n\r\n0123456789");
            assertEquals(200, c.read().status);
            c.send("POST /cl HTTP/1.1\r\nHost: example\r\nContent-Length: 0\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String all = String.join("", one.heads).toLowerCase() + String.join("", two.heads).toLowerCase();
        assertTrue(all.contains("\r\ncontent-length: 10\r\n"), all);
        assertTrue(!all.contains("content-length: 010"), all);
        assertTrue(all.contains("\r\ncontent-length: 0\r\n"), "a lone zero stays: " + all);
    }

    /** Issue 11, defect 4: header names with an underscore stay behind by default, and pass when the frontend says so. */
    @Test
    void headerNamesWithAnUnderscoreAreDroppedUnlessTheFrontendPassesThem() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /u HTTP/1.1\r\nHost: example\r\nContent_Length: 5\r\nTransfer_Encoding: chunked\r\nX_Real: a\r\nX-Real: b\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String head = one.heads.get(0).toLowerCase();
        assertTrue(!head.contains("content_length") && !head.contains("transfer_encoding") && !head.contains("x_real"), head);
        assertTrue(head.contains("\r\nx-real: b\r\n"), head);
        try (ProxyFixture passing = new ProxyFixture("pair", clusters, java.util.Map.of("underscoreHeaders", "pass"));
             RawHttpClient c = new RawHttpClient(passing.port())) {
            c.send("GET /u HTTP/1.1\r\nHost: example\r\nX_Real: a\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String all = (String.join("", one.heads) + String.join("", two.heads)).toLowerCase();
        assertTrue(all.contains("\r\nx_real: a\r\n"), "passed when configured: " + all);
    }

    /** Issue 11, defect 6: CONNECT is answered 405 and goes nowhere. */
    @Test
    void connectIsAnswered405AndNeverForwarded() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
            Response r = c.read();
            assertEquals(405, r.status);
            assertTrue(r.body.contains("CONNECT is not served"), r.body);
        }
        assertEquals(0, one.requests() + two.requests(), "nothing reached a back-end");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                burst.append(RawHttpClient.getRequest("/p/" + i));
            }
            c.send(burst.toString());
            for (int i = 0; i < 6; i++) {
                Response r = c.read();
                assertNotNull(r, "response " + i);
                assertTrue(r.body.endsWith("/p/" + i + "\n"), "response " + i + " was " + r.body);
            }
        }
        assertEquals(6, one.requests() + two.requests());
    }

    @Test
    void requestBodyIsForwarded() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals(200, c.read().status);
            c.send("POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertEquals(200, c.read().status);
        }
    }

    @Test
    void refusedBackendGives502AndTheFrontendKeepsServing() throws IOException {
        proxy.cluster("dead");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/x");
            assertEquals(502, r.status);
            assertTrue(r.body.startsWith("502 Bad Gateway"), r.body);
            assertTrue(r.body.length() < 200);
            assertEquals(502, c.get("/again").status, "same connection still served");
        }
        proxy.cluster("pair");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            assertEquals(200, c.get("/ok").status);
        }
    }

    @Test
    void aRefusingEndpointIsSkippedForTheNextOne() throws IOException {
        proxy.cluster("half-dead");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            for (int i = 0; i < 4; i++) {
                Response r = c.get("/r" + i);
                assertEquals(200, r.status);
                assertTrue(r.body.startsWith("two "), r.body);
            }
        }
        TestClusters.Counters dead = (TestClusters.Counters) clusters.cluster("half-dead").counters(endpoint("dead", 1));
        assertTrue(dead.failures() >= 1);
    }

    @Test
    void pipelinedResponsesKeepRequestOrderEvenWhenTheFirstBackendIsSlower() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            // Round-robin sends /slow to one back-end and /fast to the other.
            c.send(RawHttpClient.getRequest("/slow") + RawHttpClient.getRequest("/fast"));
            Response first = c.read();
            Response second = c.read();
            assertTrue(first.body.endsWith("/slow\n"), first.body);
            assertTrue(second.body.endsWith("/fast\n"), second.body);
            assertTrue(!first.header("X-Served-By").equals(second.header("X-Served-By")), "two back-ends served them");
        }
    }

    @Test
    void anIdempotentRequestWhoseBackendDiesBeforeAnsweringIsRetriedElsewhere() throws IOException {
        one.dropRequests(true);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            for (int i = 0; i < 10; i++) {
                Response r = c.get("/r" + i);
                assertEquals(200, r.status, "request " + i);
                assertTrue(r.body.startsWith("two "), r.body);
            }
        }
        assertTrue(one.requests() >= 1, "the dying back-end was tried");
    }

    @Test
    void aPostWhoseBackendDiesBeforeAnsweringIsNotReplayed() throws IOException {
        one.dropRequests(true);
        two.dropRequests(true);
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("POST /once HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals(502, c.read().status);
        }
        assertEquals(1, one.requests() + two.requests(), "sent once, never replayed");
    }

    @Test
    void aBackendSilentPastTheFirstByteTimeoutGives504() throws IOException {
        ((TestClusters.RoundRobin) clusters.cluster("pair")).firstByteTimeoutMillis = 300;
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/slow");
            assertEquals(504, r.status);
            assertTrue(r.body.contains("no response within 300 ms"), r.body);
            assertEquals(200, c.get("/next").status, "the client connection goes on");
        }
    }

    @Test
    void expectContinueReachesTheClientAndTheBodyFollows() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            Response cont = c.read();
            assertEquals(100, cont.status, "the back-end's 100 Continue is passed on before the body is sent");
            c.send("hello");
            Response r = c.read();
            assertEquals(200, r.status);
            assertTrue(r.body.endsWith("/upload\n"), r.body);
            assertEquals(200, c.get("/after").status, "the connection goes on");
        }
    }

    @Test
    void pastItsConnectionLimitAnEndpointIsNotGivenMore() throws Exception {
        clusters.put("one", endpoint("one", one.port()));
        ((TestClusters.RoundRobin) clusters.cluster("one")).maxConnections = 1;
        proxy.cluster("one");
        List<RawHttpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawHttpClient c = new RawHttpClient(proxy.port());
                c.send(RawHttpClient.getRequest("/slow"));
                clients.add(c);
            }
            int served = 0;
            int refused = 0;
            for (RawHttpClient c : clients) {
                Response r = c.read();
                if (r.status == 200) {
                    served++;
                } else {
                    assertEquals(503, r.status);
                    assertTrue(r.body.contains("connection limit"), r.body);
                    refused++;
                }
            }
            // Each of the two event loops may hold one connection to the endpoint.
            assertTrue(served >= 1 && served <= 2, "served " + served);
            assertEquals(4, served + refused);
            assertEquals(served, one.connections(), "never more connections than the limit per loop");
        } finally {
            for (RawHttpClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void forwardedHeaderIsAdded() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /f HTTP/1.1\r\nHost: t\r\nForwarded: for=192.0.2.1\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        String head = (one.heads.isEmpty() ? two.heads : one.heads).get(0);
        assertTrue(head.contains("Forwarded: for=192.0.2.1, for=127.0.0.1;proto=http"), head);
    }

    @Test
    void unknownClusterGives503() throws IOException {
        proxy.cluster("nope");
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            Response r = c.get("/x");
            assertEquals(503, r.status);
            assertTrue(r.body.contains("no cluster named nope"), r.body);
        }
    }

    @Test
    void backendDyingMidResponseClosesTheClientConnection() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send(RawHttpClient.getRequest("/die-mid-response"));
            IOException e = assertThrows(IOException.class, c::read);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            assertEquals(200, c.get("/after").status);
        }
    }

    @Test
    void malformedRequestGets400AndTheConnectionIsClosed() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
            Response r = c.read();
            assertEquals(400, r.status);
            assertTrue(c.closedByServer());
        }
        assertEquals(0, one.requests() + two.requests(), "nothing reached a back-end");
    }

    @Test
    void oversizedUriGets414() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(414, c.read().status);
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            Response r = c.read();
            assertEquals(200, r.status);
            assertEquals("close", r.header("connection"));
            assertTrue(c.closedByServer());
            assertNull(c.read());
        }
    }
}
