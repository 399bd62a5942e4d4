package io.switchboard.handler.http.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.testkit.HttpBackend;
import io.switchboard.testkit.RawHttpClient;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several virtual services on one wildcard socket, keyed by destination address: each reaches its
 * own cluster, and a destination that is no service gets a TCP reset. Clients connect only to
 * loopback addresses (127.0.0.0/8).
 */
class VirtualServiceTest {

    @Test
    void eachDestinationReachesItsClusterAndOthersAreReset() throws Exception {
        try (HttpBackend web = new HttpBackend("web"); HttpBackend api = new HttpBackend("api"); DataPlane plane = new DataPlane()) {
            TestClusters clusters = new TestClusters()
                    .put("web", HttpForwardingTest.endpoint("web", web.port()))
                    .put("api", HttpForwardingTest.endpoint("api", api.port()));
            plane.protocol("http", HttpProtocol.with(clusters));
            int port = plane.frontend(new FrontendSpec("vs", "http", "0.0.0.0", 0, "web"));
            plane.frontend(new FrontendSpec("vs", "http", "0.0.0.0", 0, "web", Map.of(
                    new InetSocketAddress("127.0.0.2", port), "web",
                    new InetSocketAddress("127.0.0.3", port), "api"), Map.of(), null));

            assertEquals("web /a", get("127.0.0.2", port, "/a"));
            assertEquals("api /b", get("127.0.0.3", port, "/b"));

            try (Socket s = new Socket()) {
                // The reset can reach the client while it connects, writes or reads.
                SocketException e = assertThrows(SocketException.class, () -> {
                    s.connect(new InetSocketAddress("127.0.0.4", port), 5000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(RawHttpClient.getRequest("/c").getBytes());
                    s.getInputStream().read();
                });
                assertTrue(e.getMessage().contains("reset") || e.getMessage().contains("Broken pipe"), e.getMessage());
            }
            assertEquals(1, plane.status("vs").refused());
        }
    }

    private static String get(String host, int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getByName(host), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").getBytes());
            String all = new String(s.getInputStream().readAllBytes());
            return all.substring(all.indexOf("\r\n\r\n") + 4).trim();
        }
    }
}
