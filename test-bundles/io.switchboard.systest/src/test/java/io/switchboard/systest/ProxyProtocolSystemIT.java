package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The PROXY protocol through the exported runtime, with real proxies on both sides: HAProxy in front
 * sends PROXY v2 for a client bound to 127.0.0.2, Switchboard (HTTP and TCP frontends that take it
 * from 127.0.0.1 only) sends PROXY v1 to nginx, whose {@code listen ... proxy_protocol} logs
 * {@code $proxy_protocol_addr}: nginx must log 127.0.0.2, and X-Forwarded-For must say the same. A
 * client that reaches Switchboard directly from 127.0.0.2 is refused and nginx sees nothing of it.
 */
class ProxyProtocolSystemIT {
    private static final String CLIENT = "127.0.0.2";

    @Test
    void nginxBehindSwitchboardBehindHaproxyLogsTheRealClient() throws Exception {
        ExternalTools.require("nginx", "haproxy");
        Path dir = Files.createTempDirectory("sb-proxyproto");
        int nginxPort = RuntimeProcess.freePort();
        int web = RuntimeProcess.freePort();
        int tcp = RuntimeProcess.freePort();
        int haWeb = RuntimeProcess.freePort();
        int haTcp = RuntimeProcess.freePort();
        Path log = dir.resolve("access.log");
        String nginxConf = "worker_processes 1; daemon off; pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 256; }\n"
                + "http { log_format pp '$proxy_protocol_addr $proxy_protocol_port xff=$http_x_forwarded_for $request_uri';\n"
                + "  access_log " + log + " pp;\n"
                + tempPaths(dir)
                + "  server { listen 127.0.0.1:" + nginxPort + " proxy_protocol;\n"
                + "    location / { return 200 \"client $proxy_protocol_addr\\n\"; } }\n}\n";
        Files.writeString(dir.resolve("nginx.conf"), nginxConf);
        String haConf = "global\n  maxconn 100\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
                + "frontend web\n  bind 127.0.0.1:" + haWeb + "\n  default_backend sbweb\n"
                + "frontend tcp\n  bind 127.0.0.1:" + haTcp + "\n  default_backend sbtcp\n"
                + "backend sbweb\n  server sb 127.0.0.1:" + web + " send-proxy-v2\n"
                + "backend sbtcp\n  server sb 127.0.0.1:" + tcp + " send-proxy-v2\n";
        Files.writeString(dir.resolve("haproxy.cfg"), haConf);
        Map<String, String> conf = Map.of(
                "io.switchboard.cluster-nginx.cfg", "endpoints = 127.0.0.1:" + nginxPort + "\nsendProxyProtocol = v1\n",
                "io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = nginx\n"
                        + "proxyProtocol = v2\nproxyProtocolFrom = 127.0.0.1/32\n",
                "io.switchboard.frontend-tcp.cfg", "protocol = tcp\naddress = 127.0.0.1\nport = " + tcp + "\ncluster = nginx\n"
                        + "proxyProtocol = any\nproxyProtocolFrom = 127.0.0.1\n");
        Process nginx = new ProcessBuilder(ExternalTools.find("nginx").getPath(), "-p", dir.toString(), "-c",
                dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        Process haproxy = new ProcessBuilder(ExternalTools.find("haproxy").getPath(), "-db", "-f", dir.resolve("haproxy.cfg").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.out").toFile()).start();
        try (RuntimeProcess rt = new RuntimeProcess(conf, "-Dswitchboard.demo=false")) {
            awaitPort(nginxPort);
            awaitPort(haWeb);
            rt.awaitPort(web, 60_000);
            rt.awaitPort(tcp, 60_000);

            // HTTP: client 127.0.0.2 -> HAProxy (PROXY v2) -> Switchboard http (PROXY v1) -> nginx
            for (int i = 0; i < 3; i++) {
                String response = get(haWeb, "/web" + i, CLIENT);
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
                assertTrue(response.endsWith("client " + CLIENT + "\n"), response);
            }
            // TCP: the same through a TCP relay, which sends the header before the client's bytes
            String response = get(haTcp, "/tcp", CLIENT);
            assertTrue(response.endsWith("client " + CLIENT + "\n"), response);

            // Directly from an untrusted address: refused, nothing reaches nginx
            String direct = getOrFailure(web, "/direct", CLIENT);
            assertFalse(direct.startsWith("HTTP/"), direct);
            rt.awaitOutput("is not in proxyProtocolFrom");

            List<String> lines = awaitLines(log, 4);
            assertEquals(4, lines.size(), lines.toString());
            for (int i = 0; i < 3; i++) {
                String l = lines.get(i);
                assertTrue(l.startsWith(CLIENT + " "), "nginx logged the real client: " + l);
                assertTrue(l.contains(" xff=" + CLIENT + " "), "X-Forwarded-For names it too: " + l);
                assertTrue(l.endsWith("/web" + i), l);
            }
            assertTrue(lines.get(3).startsWith(CLIENT + " ") && lines.get(3).contains(" xff=- /tcp"), lines.get(3));
            System.out.println("[systest] PROXY protocol: nginx logged " + lines);
        } finally {
            haproxy.destroy();
            nginx.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
            nginx.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String tempPaths(Path dir) {
        StringBuilder b = new StringBuilder();
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            b.append("  ").append(temp).append("_temp_path ").append(dir.resolve(temp)).append(";\n");
        }
        return b.toString();
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("nothing listens on " + port);
                }
                Thread.sleep(50);
            }
        }
    }

    /** A GET from a socket bound to the client address; the whole response (the server closes). */
    private static String get(int port, String path, String from) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String getOrFailure(int port, String path, String from) {
        try {
            return get(port, path, from);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> awaitLines(Path log, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= n) {
                Thread.sleep(300); // and nothing more comes
                return Files.readAllLines(log);
            }
            Thread.sleep(50);
        }
        return lines;
    }
}
