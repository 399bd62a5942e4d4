package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Large responses to a client slower than its back-end, on one keep-alive connection: the proxy holds
 * the back-end's reads while the client cannot take more, and each response may end while they are
 * held. The back-end connection goes back to the pool then; the next request on it must still get its
 * response. (On io_uring, where a write completes later, nearly every response ended that way: the
 * proxy reads a whole response in one batch, and its writes to the client are still in flight when
 * the response ends. The next exchange on that connection waited for its first-byte timeout.)
 */
class ResponseBackpressureTest {
    private static final int RESPONSES = 12;
    private static final int SIZE = 1 << 20;

    private BigBackend big;
    private ProxyFixture proxy;

    @BeforeEach
    void start() throws IOException {
        big = new BigBackend();
        TestClusters clusters = new TestClusters().put("big", new Endpoint("big", "127.0.0.1", big.port(), 1));
        proxy = new ProxyFixture("big", clusters);
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        big.close();
    }

    @Test
    void aBackendConnectionPooledWhileItsClientWasSlowServesTheNextRequest() throws IOException, InterruptedException {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // before connecting: a small window, so the proxy's writes back up
            s.setSoTimeout(10_000);       // a held back-end answers nothing: the read times out
            s.connect(new InetSocketAddress("127.0.0.1", proxy.port()));
            InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
            for (int i = 0; i < RESPONSES; i++) {
                s.getOutputStream().write(("GET /whole/" + SIZE + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String head = BigBackend.HeadReader.read(in);
                assertNotNull(head, "response " + i + ": the connection closed");
                assertTrue(head.startsWith("HTTP/1.1 200"), "response " + i + ": " + head);
                assertTrue(head.contains("Content-Length: " + SIZE), head);
                assertEquals(SIZE, body(in, SIZE, i % 2 == 1), "response " + i + " body bytes");
            }
        }
    }

    /** Reads a body of known length, checking every byte; slowly (a pause every 64 KiB) or at once. */
    private static long body(InputStream in, int size, boolean slowly) throws IOException, InterruptedException {
        for (int at = 0; at < size; at++) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed mid-body at " + at);
            }
            if ((byte) b != BigBackend.pattern(at)) {
                throw new IOException("wrong byte at " + at);
            }
            if (slowly && at % (64 * 1024) == 0) {
                Thread.sleep(1);
            }
        }
        return size;
    }
}
