package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through the exported runtime with real parts: the Python {@code websockets} package as
 * client and as server (an echo server), both as separate processes. Text and binary messages and a
 * 4 MiB one come back byte-exact; many connections at once; the tunnel is listed in {@code sb:conns}
 * and {@code sb:flows} and counted as a 1xx request; a back-end killed mid-stream closes the client;
 * a silent tunnel closes after {@code tunnelIdleSeconds}; a 101 to a request that asked for no
 * upgrade stays a 502; and handler.http updated and refreshed while WebSockets are open and wrk
 * loads the same runtime fails no request, the open WebSockets working on until they close.
 */
class WebSocketSystemIT {
    private static final String CLIENT = "websocket/ws_client.py";
    private static final String SERVER = "websocket/ws_echo.py";

    @Test
    void webSocketsPassThroughByteExactAndEndAsTheirPeersDo() throws Exception {
        requirePythonWebsockets();
        Path scripts = scripts();
        int ws = RuntimeProcess.freePort();
        int wsIdle = RuntimeProcess.freePort();
        int doomedFront = RuntimeProcess.freePort();
        int odd = RuntimeProcess.freePort();
        try (Py echo = Py.server(scripts, RuntimeProcess.freePort());
             Py doomed = Py.server(scripts, RuntimeProcess.freePort());
             Always101 always101 = new Always101()) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-ws.cfg", "endpoints = echo=127.0.0.1:" + echo.port + "\n");
            conf.put("io.switchboard.frontend-ws.cfg", frontend(ws, "ws", ""));
            conf.put("io.switchboard.frontend-wsidle.cfg", frontend(wsIdle, "ws", "tunnelIdleSeconds = 2\n"));
            conf.put("io.switchboard.cluster-doomed.cfg", "endpoints = 127.0.0.1:" + doomed.port + "\n");
            conf.put("io.switchboard.frontend-doomed.cfg", frontend(doomedFront, "doomed", ""));
            conf.put("io.switchboard.cluster-odd.cfg", "endpoints = 127.0.0.1:" + always101.port() + "\n");
            conf.put("io.switchboard.frontend-odd.cfg", frontend(odd, "odd", ""));
            conf.put("io.switchboard.accesslog.cfg", "enabled = true\nformat = json\npath = logs/access.log\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                for (int p : new int[] {ws, wsIdle, doomedFront, odd}) {
                    rt.awaitPort(p, 60_000);
                }
                String url = "ws://127.0.0.1:" + ws + "/chat";
                awaitWebSocket(scripts, url);

                assertOk(Py.client(scripts, "echo", url).result(60));
                assertOk(Py.client(scripts, "many", url, "100", "20").result(120));

                // While connections are open: listed as tunnels to their endpoint, counted as 101s.
                Py holding = Py.client(scripts, "hold", url, "6", "3");
                Thread.sleep(2_500);
                String conns = String.join("\n", rt.command("sb:conns websocket", 20_000));
                assertTrue(conns.contains("http>websocket") && conns.contains("echo=127.0.0.1:" + echo.port),
                        "sb:conns lists the tunnels with their endpoint:\n" + conns);
                assertTrue(conns.contains("3 listed"), conns);
                String flows = String.join("\n", rt.command("sb:flows", 20_000));
                assertTrue(flows.contains("http>websocket"), flows);
                assertOk(holding.result(60));
                String metrics = String.join("\n", rt.command("sb:metrics switchboard_http_requests_total", 20_000));
                assertTrue(metrics.lines().anyMatch(l -> l.contains("frontend=\"ws\"") && l.contains("code_class=\"1xx\"")
                        && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 104), metrics);
                // One access log line per tunnel, written when it ended, status 101, with the bytes it carried.
                assertAccessLogged(rt.workDir.resolve("logs/access.log"));

                // The tunnel's own idle timeout.
                Py idle = Py.client(scripts, "wait-close", "ws://127.0.0.1:" + wsIdle + "/", "20");
                String idleResult = idle.result(40);
                assertOk(idleResult);
                double after = Double.parseDouble(idleResult.replaceAll(".*closed after ([0-9.]+) s.*", "$1"));
                assertTrue(after >= 1.5 && after < 6, idleResult);

                // A back-end that dies mid-stream: the client's connection closes.
                Py victim = Py.client(scripts, "wait-close", "ws://127.0.0.1:" + doomedFront + "/", "20");
                victim.awaitLine("READY", 30);
                doomed.close();
                assertOk(victim.result(40));

                // A 101 nobody asked for is still a 502.
                String answer = rawGet(odd);
                assertTrue(answer.startsWith("HTTP/1.1 502 "), answer);
                assertTrue(answer.contains("101 Switching Protocols"), answer);
            }
        }
    }

    @Test
    void handlerHttpUpdatedWhileWebSocketsAreOpenAndWrkRunsFailsNothing() throws Exception {
        requirePythonWebsockets();
        ExternalTools.require("wrk", "nginx");
        Path scripts = scripts();
        int web = RuntimeProcess.freePort();
        int ws = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(1);
             Py echo = Py.server(scripts, RuntimeProcess.freePort())) {
            Map<String, String> conf = new HashMap<>();
            conf.put("io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + nginx.ports().get(0) + "\n");
            conf.put("io.switchboard.frontend-web.cfg", frontend(web, "web", ""));
            conf.put("io.switchboard.cluster-ws.cfg", "endpoints = 127.0.0.1:" + echo.port + "\n");
            conf.put("io.switchboard.frontend-ws.cfg", frontend(ws, "ws", ""));
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(web, 60_000);
                rt.awaitPort(ws, 20_000);
                String url = "ws://127.0.0.1:" + ws + "/live";
                awaitWebSocket(scripts, url);
                String http = "http://127.0.0.1:" + web + "/";
                WrkRun.start(http, 16, 3).await(30); // warm-up

                WrkRun load = WrkRun.start(http, 32, 3600);
                // WebSockets opened before the updates, talking through all of them, closed after.
                Py open = Py.client(scripts, "hold", url, "25", "20");
                Thread.sleep(2_000);
                List<Py> during = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    rt.updateAndRefresh("io.switchboard.handler.http");
                    during.add(Py.client(scripts, "many", url, "20", "10")); // new ones on the new code
                    List<String> answer = rt.command("sb:update io.switchboard.handler.http", 120_000);
                    assertTrue(answer.stream().anyMatch(l -> l.startsWith("updated io.switchboard.handler.http")), answer.toString());
                    Thread.sleep(1_000);
                }
                String conns = String.join("\n", rt.command("sb:conns websocket", 20_000));
                java.util.regex.Matcher listed = java.util.regex.Pattern.compile("(\\d+) listed").matcher(conns);
                assertTrue(listed.find() && Integer.parseInt(listed.group(1)) >= 20,
                        "the WebSockets opened before the updates are still open:\n" + conns);
                for (Py p : during) {
                    assertOk(p.result(120));
                }
                assertOk(open.result(120));
                WrkRun.Summary summary = load.stop();
                System.out.println("[systest] wrk while handler.http was updated 6 times with 20 WebSockets open:\n" + summary.text());
                assertEquals(0, summary.non2xx(), summary.text());
                assertEquals(0, summary.socketErrors(), summary.text());
                assertTrue(summary.requests() > 1000, summary.text());
                assertTrue(rt.output.stream().noneMatch(l -> l.contains("LEAK")), "Netty reported a leak");
            }
        }
    }

    /** The 4 MiB echo's tunnel logged as one 101 with more than 4 MiB sent to the client; at least 104 tunnels logged. */
    private static void assertAccessLogged(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> tunnels = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                tunnels = Files.readAllLines(log).stream()
                        .filter(l -> l.contains("\"frontend\":\"ws\"") && l.contains("\"status\":101")).toList();
                if (tunnels.size() >= 104 && tunnels.stream().anyMatch(WebSocketSystemIT::carriedOver4MiB)) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("tunnels logged: " + tunnels.size() + ", none with over 4 MiB sent: "
                + tunnels.stream().limit(3).toList());
    }

    private static boolean carriedOver4MiB(String jsonLine) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"bytes_sent\":(\\d+)").matcher(jsonLine);
        return m.find() && Long.parseLong(m.group(1)) > (4L << 20);
    }

    private static String frontend(int port, String cluster, String more) {
        return "address = 127.0.0.1\nport = " + port + "\ncluster = " + cluster + "\n" + more;
    }

    private static void assertOk(String line) {
        assertTrue(line.startsWith("OK"), line);
    }

    /** The frontend and its cluster are up once one WebSocket round trip goes through. */
    private static void awaitWebSocket(Path scripts, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = Py.client(scripts, "hold", url, "0.1").result(30);
            if (last.startsWith("OK")) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("no WebSocket through " + url + ": " + last);
    }

    private static String rawGet(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: odd\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            int c;
            while (b.indexOf("\r\n\r\n") < 0 && (c = in.read()) >= 0) {
                b.append((char) c);
            }
            int at = b.indexOf("Content-Length: ");
            if (at >= 0) {
                int n = Integer.parseInt(b.substring(at + 16, b.indexOf("\r\n", at)).trim());
                b.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
            }
            return b.toString();
        }
    }

    private static void requirePythonWebsockets() throws Exception {
        ExternalTools.require("python3");
        Process p = new ProcessBuilder("python3", "-c", "import websockets").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("python3 cannot import websockets (pip install websockets, or Debian's"
                    + " python3-websockets; .ci/run installs it): " + out);
        }
    }

    /** The Python scripts, copied out of the test resources. */
    private static Path scripts() throws IOException {
        Path dir = Files.createTempDirectory("sb-websocket");
        for (String name : new String[] {CLIENT, SERVER}) {
            try (InputStream in = WebSocketSystemIT.class.getClassLoader().getResourceAsStream(name)) {
                Files.write(dir.resolve(Path.of(name).getFileName()), in.readAllBytes());
            }
        }
        return dir;
    }

    /** A Python process of the test: the echo server or a client run; its output lines are kept. */
    private static final class Py implements AutoCloseable {
        final Process process;
        final int port;
        final List<String> lines = new CopyOnWriteArrayList<>();

        private Py(Process process, int port) {
            this.process = process;
            this.port = port;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                        System.out.println("[python " + process.pid() + "] " + l);
                    }
                } catch (IOException e) {
                    // ended
                }
            }, "python-output");
            t.setDaemon(true);
            t.start();
        }

        static Py server(Path scripts, int port) throws Exception {
            Py p = new Py(new ProcessBuilder("python3", scripts.resolve("ws_echo.py").toString(), Integer.toString(port))
                    .redirectErrorStream(true).start(), port);
            p.awaitLine("READY", 30);
            return p;
        }

        static Py client(Path scripts, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("python3", scripts.resolve("ws_client.py").toString()));
            cmd.addAll(List.of(args));
            return new Py(new ProcessBuilder(cmd).redirectErrorStream(true).start(), 0);
        }

        void awaitLine(String prefix, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
                    return;
                }
                if (!process.isAlive() && lines.stream().noneMatch(l -> l.startsWith(prefix))) {
                    Thread.sleep(100); // the reader may still be behind
                    if (lines.stream().noneMatch(l -> l.startsWith(prefix))) {
                        throw new AssertionError("python exited without " + prefix + ": " + lines);
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no " + prefix + " from python within " + seconds + " s: " + lines);
        }

        /** Waits for a client's result line (OK or FAIL). */
        String result(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "FAIL: no result within " + seconds + " s: " + lines;
            }
            Thread.sleep(100); // the last line through the reader
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.startsWith("OK") || l.startsWith("FAIL")) {
                    return l;
                }
            }
            return "FAIL: no result line: " + lines;
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    /** A back-end that answers every request with 101 Switching Protocols, asked for or not. */
    private static final class Always101 implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        Always101() throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        StringBuilder head = new StringBuilder();
                        int c;
                        while (head.indexOf("\r\n\r\n") < 0 && (c = in.read()) >= 0) {
                            head.append((char) c);
                        }
                        s.getOutputStream().write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1));
                        s.getOutputStream().flush();
                        in.read(); // until the proxy closes
                    } catch (IOException e) {
                        // next
                    }
                }
            }, "always-101");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
