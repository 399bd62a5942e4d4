package io.switchboard.agent.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** stub_status read from a real HTTP server answering as nginx does. */
class StubStatusTest {
    static final long SECOND = 1_000_000_000L;
    private final AtomicLong requests = new AtomicLong(31070465);
    private HttpServer server;
    private URL url;

    @BeforeEach
    void startNginxLookalike() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/stub_status", ex -> {
            byte[] body = ("Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 "
                    + requests.get() + " \nReading: 6 Writing: 179 Waiting: 106 \n").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/stub_status");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void requestsPerSecondFromTheCounterDelta() {
        StubStatus status = new StubStatus(url, 1000);
        assertNull(status.sample(0), "first answer is the baseline");
        requests.addAndGet(500);
        Traffic t = status.sample(2 * SECOND);
        assertEquals(250.0, t.requestsPerSecond(), 1e-9);
        assertNull(t.averageExecutionMillis(), "stub_status tells no execution time");

        requests.set(10); // nginx restarted
        assertNull(status.sample(3 * SECOND));
        requests.set(40);
        assertEquals(30.0, status.sample(4 * SECOND).requestsPerSecond(), 1e-9);
    }

    @Test
    void aPageThatIsNotStubStatusOrNoServerGivesNoFigure() throws Exception {
        assertNull(new StubStatus(new URL(url, "/elsewhere"), 1000).sample(0));
        server.stop(0);
        StubStatus gone = new StubStatus(url, 500);
        assertNull(gone.sample(0));
        assertNull(gone.sample(SECOND));
        assertThrows(IllegalArgumentException.class, () -> StubStatus.parseRequests("<html>welcome</html>"));
    }
}
