package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's defects 1 and 8 through the exported runtime with real clients: a one-shot sender
 * ({@code nc -N}: bytes, then a half-close at once, before the back-end connection is up) loses
 * nothing, for 0, 1, 1000 bytes and 5 MiB; a zero-length UDP datagram (sent by Python's socket
 * module) reaches the echo back-end and its empty answer comes back.
 */
class EdgeDefectsSystemIT {

    @Test
    void oneShotSendersAndEmptyDatagramsPassThroughTheRuntime() throws Exception {
        ExternalTools.require("nc", "python3");
        try (EchoBackends.Tcp tcpEcho = new EchoBackends.Tcp(); EchoBackends.Udp udpEcho = new EchoBackends.Udp()) {
            int tcp = RuntimeProcess.freePort();
            int udp = RuntimeProcess.freePort();
            Map<String, String> conf = Map.of(
                    "io.switchboard.cluster-echo.cfg", "endpoints = 127.0.0.1:" + tcpEcho.port() + "\n",
                    "io.switchboard.cluster-uecho.cfg", "endpoints = 127.0.0.1:" + udpEcho.port() + "\n",
                    "io.switchboard.frontend-t.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + tcp + "\ncluster = echo\n",
                    "io.switchboard.frontend-u.cfg", "protocol = udp\naddress = 127.0.0.1\nport = " + udp + "\ncluster = uecho\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf, "-Dswitchboard.demo=false")) {
                rt.awaitPort(tcp, 60_000);
                rt.awaitOutput("frontend u listening");
                Path dir = Files.createTempDirectory("sb-edge");
                for (int size : new int[] {0, 1, 1000, 5 << 20}) {
                    byte[] data = new byte[size];
                    new Random(size).nextBytes(data);
                    Path in = dir.resolve("in-" + size);
                    Files.write(in, data);
                    Process nc = new ProcessBuilder(ExternalTools.find("nc").getPath(), "-N", "127.0.0.1", String.valueOf(tcp))
                            .redirectInput(in.toFile()).redirectErrorStream(false).start();
                    byte[] back = nc.getInputStream().readAllBytes();
                    assertEquals(true, nc.waitFor(30, TimeUnit.SECONDS), "nc ended");
                    assertEquals(size, back.length, "bytes back through nc -N for " + size + " sent");
                    assertArrayEquals(data, back, size + " bytes");
                }
                String script = "import socket\n"
                        + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                        + "s.settimeout(5)\n"
                        + "s.sendto(b'', ('127.0.0.1', " + udp + "))\n"
                        + "d1, a1 = s.recvfrom(65536)\n"
                        + "s.sendto(b'x', ('127.0.0.1', " + udp + "))\n"
                        + "d2, a2 = s.recvfrom(65536)\n"
                        + "s.sendto(b'', ('127.0.0.1', " + udp + "))\n"
                        + "d3, a3 = s.recvfrom(65536)\n"
                        + "print(len(d1), d2.decode(), len(d3), a1[1] == " + udp + ")\n";
                Process py = new ProcessBuilder(ExternalTools.find("python3").getPath(), "-c", script).redirectErrorStream(true).start();
                String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertEquals(0, py.waitFor(), out);
                assertEquals("0 x 0 True", out, "empty datagrams relayed both ways, replies from the frontend's address");
            }
        }
    }
}
