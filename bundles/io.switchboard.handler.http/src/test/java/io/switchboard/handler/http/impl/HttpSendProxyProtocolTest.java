package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.Endpoint;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster with sendProxyProtocol behind an HTTP frontend: every back-end connection starts with a
 * header naming its client, and no connection serves two clients (they are not pooled).
 */
class HttpSendProxyProtocolTest {
    private ServerSocket backend;
    private final AtomicInteger connections = new AtomicInteger();
    private ProxyFixture proxy;

    /** Answers every request of a connection with the PROXY line the connection began with. */
    @BeforeEach
    void start() throws IOException {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!backend.isClosed()) {
                try {
                    Socket s = backend.accept();
                    connections.incrementAndGet();
                    Thread h = new Thread(() -> serve(s));
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        TestClusters clusters = new TestClusters().put("pp", new Endpoint("pp", "127.0.0.1", backend.getLocalPort(), 1));
        ((TestClusters.RoundRobin) clusters.cluster("pp")).sendProxyProtocol = 1;
        proxy = new ProxyFixture("pp", clusters, Map.of("proxyProtocol", "v1", "proxyProtocolFrom", "127.0.0.1"));
    }

    private static void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
             OutputStream out = s.getOutputStream()) {
            String proxyLine = in.readLine();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    byte[] body = (proxyLine + "\n").getBytes(StandardCharsets.ISO_8859_1);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        backend.close();
    }

    private static String headerOf(String ip, int port, int frontendPort) {
        return "PROXY TCP4 " + ip + " 127.0.0.1 " + port + " " + frontendPort + "\n";
    }

    @Test
    void eachClientsRequestsGoOnConnectionsNamingThatClientOnly() throws IOException {
        int port = proxy.port();
        try (RawHttpClient a = new RawHttpClient(port); RawHttpClient b = new RawHttpClient(port)) {
            a.send("PROXY TCP4 192.0.2.1 127.0.0.1 1111 80\r\n");
            b.send("PROXY TCP4 192.0.2.2 127.0.0.1 2222 80\r\n");
            for (int i = 0; i < 3; i++) {
                assertEquals(headerOf("192.0.2.1", 1111, port), a.get("/a" + i).body);
                assertEquals(headerOf("192.0.2.2", 2222, port), b.get("/b" + i).body);
            }
        }
        assertEquals(6, connections.get(), "no back-end connection serves a second request");
    }
}
