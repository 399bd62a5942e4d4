package io.switchboard.systest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 with prior knowledge through the exported runtime to nginx back-ends: curl byte for byte
 * (a small response, an 8 MiB file), nghttp with that file and small responses as streams of one
 * connection (the small ones end first), h2load with many streams per connection, and h2load again while
 * {@code io.switchboard.handler.http} is updated and refreshed under it: not one stream may fail.
 */
class Http2SystemIT {
    private static final String HTTP = "io.switchboard.handler.http";

    @Test
    void curlAndH2loadThroughTheRuntimeAndTheHttpBundleUpdatedUnderH2Load() throws Exception {
        ExternalTools.require("nginx", "curl", "h2load", "nghttp");
        int port = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(2)) {
            byte[] big = new byte[8 << 20];
            new Random(11).nextBytes(big);
            Files.write(nginx.files().resolve("big.bin"), big);
            List<Integer> be = nginx.ports();
            Map<String, String> conf = Map.of(
                    "io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + be.get(0) + ", 127.0.0.1:" + be.get(1) + "\n",
                    "io.switchboard.frontend-h2.cfg", "address = 127.0.0.1\nport = " + port + "\ncluster = web\nh2c = true\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf)) {
                rt.awaitPort(port, 60_000);
                String base = "http://127.0.0.1:" + port;
                SystemTests.awaitStatus(port, 200, 20_000); // HTTP/1.1 on the same frontend

                Path out = Files.createTempDirectory("sb-h2");
                String small = run(List.of("curl", "-sS", "--http2-prior-knowledge", "-D", "-", base + "/"), 30);
                assertTrue(small.startsWith("HTTP/2 200"), small);
                assertTrue(small.endsWith("\r\n\r\nok\n"), small);

                run(List.of("curl", "-sS", "--http2-prior-knowledge", "-o", out.resolve("big").toString(), base + "/files/big.bin"), 60);
                assertArrayEquals(big, Files.readAllBytes(out.resolve("big")), "8 MiB byte for byte");

                // One connection (nghttp, of the same nghttp2 tools as h2load): the big file and four small
                // responses as concurrent streams; each small one ends before the big one.
                List<String> cmd = new ArrayList<>(List.of("nghttp", "-n", "-s", base + "/files/big.bin"));
                for (int i = 0; i < 4; i++) {
                    cmd.add(base + "/s" + i);
                }
                String streams = run(cmd, 60);
                Matcher m = Pattern.compile("(?m)^\\s*\\d+\\s+\\S+\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+(\\S+)\\s+(/\\S*)$").matcher(streams);
                List<String> rows = new ArrayList<>();
                while (m.find()) {
                    rows.add(m.group(3) + " " + m.group(1) + " " + m.group(2));
                }
                assertEquals(List.of("/s0 200 3", "/s1 200 3", "/s2 200 3", "/s3 200 3", "/files/big.bin 200 8M").stream().sorted().toList(),
                        rows.stream().sorted().toList(), streams);
                assertEquals("/files/big.bin 200 8M", rows.get(rows.size() - 1), "sorted by completion, the big one last: " + streams);

                String load = run(List.of("h2load", "-n", "20000", "-c", "8", "-m", "10", base + "/"), 120);
                assertNoFailure(load, 20000);

                // Under h2load, handler.http updated and refreshed (Felix's update + refresh, and sb:update).
                Map<String, Long> before = served(rt);
                // h2load does not open a new connection after GOAWAY (its clients end there): a new h2load
                // starts as soon as one ends, as a real client reconnects.
                java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
                List<String> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
                Thread loader = new Thread(() -> {
                    while (loading.get()) {
                        try {
                            Process p = new ProcessBuilder("h2load", "-n", "20000", "-c", "8", "-m", "10", base + "/")
                                    .redirectErrorStream(true).start();
                            runs.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                            p.waitFor();
                        } catch (Exception e) {
                            runs.add(e.toString());
                        }
                    }
                }, "h2load-loop");
                loader.start();
                Thread.sleep(3_000);
                int drainsBefore = (int) rt.output.stream().filter(l -> l.contains("drained: frontend h2:")).count();
                for (int i = 0; i < 3; i++) {
                    rt.updateAndRefresh(HTTP);
                    Thread.sleep(2_000);
                    List<String> answer = rt.command("sb:update " + HTTP, 120_000);
                    assertTrue(answer.stream().anyMatch(l -> l.startsWith("updated " + HTTP)), answer.toString());
                    Thread.sleep(2_000);
                }
                loading.set(false);
                loader.join(120_000);
                Map<String, Long> after = served(rt);
                long drains = rt.output.stream().filter(l -> l.contains("drained: frontend h2:")).count() - drainsBefore;
                assertTrue(drains >= 3, "connections under load drained by GOAWAY at each update: " + drains);
                long succeeded = 0;
                long notOpened = 0;
                for (String run : runs) {
                    Matcher r = REQUESTS.matcher(run);
                    Matcher c = CODES.matcher(run);
                    assertTrue(r.find() && c.find(), run);
                    assertEquals(r.group(4), c.group(1), "every success a 2xx: " + run);
                    succeeded += Long.parseLong(r.group(4));
                    notOpened += Long.parseLong(r.group(5));
                }
                assertTrue(succeeded > 1000, runs.toString());
                // Every stream that reached the proxy was answered 2xx by a back-end: what the proxy counted on
                // the frontend is exactly what the h2load runs counted as succeeded, and nothing else.
                assertEquals(succeeded, after.getOrDefault("2xx", 0L) - before.getOrDefault("2xx", 0L),
                        "streams the proxy answered 2xx during the updates, against h2load's: " + before + " -> " + after);
                for (String cls : List.of("none", "1xx", "3xx", "4xx", "5xx")) {
                    assertEquals(before.getOrDefault(cls, 0L), after.getOrDefault(cls, 0L), cls + " during the updates: " + after);
                }
                // What h2load counts as failed are the requests of its clients left unsent once GOAWAY came (h2load
                // does not reconnect): never on the wire, so never seen by the proxy (above).
                System.out.println("h2 drains under h2load: " + runs.size() + " h2load runs, " + drains + " drains, " + succeeded
                        + " streams succeeded, 0 failed; " + notOpened + " requests left unsent by h2load after GOAWAY");
                assertTrue(rt.output.stream().noneMatch(l -> l.contains("LEAK")), "Netty reported a leak");
            }
        }
    }

    private static final Pattern REQUESTS = Pattern.compile(
            "requests: (\\d+) total, (\\d+) started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");
    private static final Pattern CODES = Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");

    /** h2load's summary: no failed or errored request, every status 2xx; {@code expected} done when not -1. */
    static void assertNoFailure(String out, int expected) {
        Matcher r = REQUESTS.matcher(out);
        Matcher c = CODES.matcher(out);
        assertTrue(r.find() && c.find(), out);
        assertEquals("0", r.group(5), "failed: " + out);
        assertEquals("0", r.group(6), "errored: " + out);
        assertEquals(r.group(4), c.group(1), "every success a 2xx: " + out);
        assertEquals("0", c.group(4), out);
        assertTrue(Long.parseLong(r.group(4)) > 1000, out);
        if (expected >= 0) {
            assertEquals(String.valueOf(expected), r.group(4), out);
        }
    }

    /** The frontend's requests as the proxy counted them, by status class (sb:metrics). */
    private static Map<String, Long> served(RuntimeProcess rt) throws Exception {
        Map<String, Long> byClass = new java.util.HashMap<>();
        Pattern line = Pattern.compile("switchboard_http_requests_total\\{(.*)\\} ([0-9.eE+]+)");
        for (String l : rt.command("sb:metrics", 30_000)) {
            Matcher m = line.matcher(l);
            if (m.find() && m.group(1).contains("frontend=\"h2\"")) {
                Matcher cls = Pattern.compile("code_class=\"([^\"]+)\"").matcher(m.group(1));
                if (cls.find()) {
                    byClass.merge(cls.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
                }
            }
        }
        return byClass;
    }

    static String run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), cmd + " ended");
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }
}
