package io.switchboard.handler.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.Endpoint;
import io.switchboard.api.runtime.FrontendSpec;
import io.switchboard.api.runtime.FrontendStatus;
import io.switchboard.testkit.dataplane.DataPlane;
import io.switchboard.testkit.dataplane.TestClusters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The frontend option {@code splice}: a bad value is rejected naming the key, and what ran keeps running. */
class TcpSpliceSettingTest {

    @Test
    void aBadValueIsRejectedNamingTheKeyAndTheRunningFrontendStays() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DataPlane plane = new DataPlane()) {
            Thread t = new Thread(() -> {
                while (!echo.isClosed()) {
                    try (Socket s = echo.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // test ends
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            plane.protocol("tcp", TcpProtocol.with(new TestClusters().put("echo", new Endpoint("echo", "127.0.0.1", echo.getLocalPort(), 1))));
            plane.handler("tcp", new TcpHandler());

            plane.transport.apply(new FrontendSpec("bad", "tcp", "127.0.0.1", 0, "echo", Map.of(), Map.of("splice", "maybe"), "bad.cfg"));
            FrontendStatus s = plane.status("bad");
            assertFalse(s.listening(), "a frontend with splice = maybe does not start");
            assertTrue(s.error().contains("key 'splice'"), s.error());
            assertFalse(plane.log("config rejected: bad.cfg: key 'splice'").isEmpty(), "one log line names file and key");

            int port = plane.frontend(new FrontendSpec("f", "tcp", "127.0.0.1", 0, "echo", Map.of(), Map.of("splice", "false"), "f.cfg"));
            plane.transport.apply(new FrontendSpec("f", "tcp", "127.0.0.1", 0, "echo", Map.of(), Map.of("splice", "sometimes"), "f.cfg"));
            assertFalse(plane.log("config rejected: f.cfg: key 'splice'").isEmpty(), "the change is rejected, logged");
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                c.setSoTimeout(10_000);
                c.getOutputStream().write("still here".getBytes());
                c.shutdownOutput();
                assertEquals("still here", new String(c.getInputStream().readAllBytes()), "the frontend that ran keeps relaying");
            }
        }
    }
}
