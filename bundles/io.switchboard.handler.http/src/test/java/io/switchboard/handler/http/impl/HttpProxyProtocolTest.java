package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An HTTP frontend behind a proxy that sends PROXY protocol v1: the header's client is the forwarded one. */
class HttpProxyProtocolTest {
    private HttpBackend one;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws IOException {
        one = new HttpBackend("one");
        proxy = new ProxyFixture("pair", new TestClusters().put("pair", new Endpoint("one", "127.0.0.1", one.port(), 1)),
                Map.of("proxyProtocol", "v1", "proxyProtocolFrom", "127.0.0.1/32"));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        one.close();
    }

    @Test
    void forwardingHeadersCarryTheClientFromTheProxyHeaderOnEveryRequestOfTheConnection() throws IOException {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("PROXY TCP4 192.0.2.7 127.0.0.1 5555 80\r\nGET /a HTTP/1.1\r\nHost: example\r\n\r\n");
            assertEquals(200, c.read().status);
            c.send("GET /b HTTP/1.1\r\nHost: example\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n");
            assertEquals(200, c.read().status);
        }
        assertEquals(2, one.heads.size());
        String first = one.heads.get(0).toLowerCase();
        assertTrue(first.contains("\r\nx-forwarded-for: 192.0.2.7\r\n"), first);
        assertTrue(first.contains("\r\nforwarded: for=192.0.2.7;proto=http\r\n"), first);
        String second = one.heads.get(1).toLowerCase();
        assertTrue(second.contains("\r\nx-forwarded-for: 10.9.9.9, 192.0.2.7\r\n"), second);
    }

    @Test
    void aRequestWithoutTheHeaderIsRefusedAndNeverForwarded() throws Exception {
        try (RawHttpClient c = new RawHttpClient(proxy.port())) {
            c.send("GET /a HTTP/1.1\r\nHost: example\r\n\r\n");
            assertTrue(c.closedByServer(), "no answer: the connection is closed");
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (proxy.plane.status("test").refused() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the decoder closes the connection before the refusal is counted
        }
        assertEquals(1, proxy.plane.status("test").refused());
        assertEquals(0, one.requests());
    }
}
