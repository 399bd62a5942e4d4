package io.switchboard.systest;

import static io.switchboard.systest.SystemTests.awaitStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The access log in the exported runtime under wrk load: one line per request nginx served, none
 * dropped at this rate; then the access log bundle and the HTTP handler are updated and refreshed
 * under load, and still no request fails and every request is either a line or counted as dropped.
 * The log rotates by size meanwhile (lines are counted over every file).
 */
class AccessLogSystemIT {
    private static final int CONNECTIONS = 64;
    private static final DateTimeFormatter HAPROXY_DATE = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS", Locale.ROOT);

    @Test
    void everyRequestIsALineAcrossUpdatesOfTheAccessLogAndTheHttpHandler() throws Exception {
        ExternalTools.require("wrk", "nginx");
        int web = RuntimeProcess.freePort();
        try (NginxBackends nginx = NginxBackends.start(2)) {
            List<Integer> be = nginx.ports();
            Map<String, String> conf = Map.of(
                    "io.switchboard.cluster-web.cfg", "endpoints = 127.0.0.1:" + be.get(0) + ", 127.0.0.1:" + be.get(1) + "\n",
                    "io.switchboard.frontend-web.cfg", "address = 127.0.0.1\nport = " + web + "\ncluster = web\n",
                    "io.switchboard.accesslog.cfg", "enabled = true\nformat = haproxy\nrotateBytes = 33554432\nkeep = 50\n");
            try (RuntimeProcess rt = new RuntimeProcess(conf, "-Dswitchboard.demo=false")) {
                rt.awaitPort(web, 60_000);
                awaitStatus(web, 200, 20_000);
                Path dir = rt.workDir.resolve("logs");
                String url = "http://127.0.0.1:" + web + "/";
                WrkRun.start(url, CONNECTIONS, 3).await(30); // warm-up

                // Steady load: one line per request served, none dropped.
                Counts before = settled(rt, nginx, dir);
                WrkRun.Summary steady = WrkRun.start(url, CONNECTIONS, 5).await(30);
                Counts after = settled(rt, nginx, dir);
                System.out.println("[systest] access log, steady: wrk " + steady.requests() + " requests (" + (long) steady.requestsPerSecond()
                        + "/s), nginx served " + (after.served - before.served) + ", lines " + (after.lines - before.lines)
                        + ", written " + (after.written - before.written) + ", dropped " + (after.dropped - before.dropped));
                assertEquals(0, steady.non2xx() + steady.socketErrors(), steady.text());
                assertEquals(after.served - before.served, after.lines - before.lines, "one line per request nginx served");
                assertEquals(after.lines - before.lines, after.written - before.written, "every line counted as written");
                assertEquals(0, after.dropped + after.failed, "nothing dropped or failed at " + (long) steady.requestsPerSecond() + " requests/s");
                assertTrue(after.lines - before.lines >= steady.requests(), "wrk counts only the responses it read");

                // Updates under load: no request fails, every request a line or counted as dropped, no hole in the log.
                WrkRun load = WrkRun.start(url, CONNECTIONS, 120);
                List<String> steps = new ArrayList<>();
                WrkRun.Summary s;
                try {
                    Thread.sleep(1_000);
                    for (String bundle : List.of("io.switchboard.accesslog", "io.switchboard.handler.http", "io.switchboard.accesslog")) {
                        long t0 = System.nanoTime();
                        rt.updateAndRefresh(bundle);
                        steps.add(bundle + " " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                        Thread.sleep(1_000);
                    }
                } finally {
                    s = load.stop();
                }
                Counts end = settled(rt, nginx, dir);
                long served = end.served - after.served;
                long lines = end.lines - after.lines;
                long dropped = end.dropped - after.dropped;
                long gap = largestGapMillis(dir, after.lines);
                System.out.println("[systest] access log, updates and refreshes (" + String.join(", ", steps) + "): wrk " + s.requests()
                        + " requests, " + (s.non2xx() + s.socketErrors()) + " failed; nginx served " + served + ", lines " + lines
                        + ", written " + (end.written - after.written) + ", dropped " + dropped + ", failed " + (end.failed - after.failed)
                        + "; largest gap between consecutive requests in the log " + gap + " ms; " + files(dir).size() + " files");
                assertEquals(0, s.non2xx() + s.socketErrors(), "failed requests while the access log and the HTTP handler were updated:\n" + s.text());
                assertEquals(served, lines + dropped, "every request served is a line or counted as dropped");
                assertEquals(lines, end.written - after.written, "every line counted as written");
                assertEquals(0, end.failed, "no write errors");
                assertTrue(gap < 2_000, "the log has a hole of " + gap + " ms");
                List<String> said = rt.command("sb:accesslog", 10_000);
                assertTrue(String.join("\n", said).contains("haproxy to logs/access.log"), said.toString());
            }
        }
    }

    /** Requests nginx served, lines in the log files, and the access log's counters, once they stop moving. */
    record Counts(long served, long lines, long written, long dropped, long failed) {
    }

    private static Counts settled(RuntimeProcess rt, NginxBackends nginx, Path dir) throws Exception {
        Counts last = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1_200); // longer than the writer's flush interval
            long[] c = counters(rt);
            // each status request counts itself: take it off
            Counts now = new Counts(nginx.requests() - statusRequests++, lines(dir), c[0], c[1], c[2]);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the access log did not settle: " + last);
    }

    private static long statusRequests = 1;

    /** written, dropped, failed, as sb:accesslog shows them. */
    private static long[] counters(RuntimeProcess rt) throws Exception {
        List<String> out = rt.command("sb:accesslog", 10_000);
        for (int i = 0; i + 1 < out.size(); i++) {
            if (out.get(i).trim().startsWith("WRITTEN")) {
                String[] n = out.get(i + 1).trim().split("\\s+");
                return new long[] {Long.parseLong(n[0]), Long.parseLong(n[1]), Long.parseLong(n[2])};
            }
        }
        throw new AssertionError("sb:accesslog: " + out);
    }

    /** The log files, oldest first (access.log.N ... access.log.1, access.log). */
    private static List<Path> files(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith("access.log")).forEach(files::add);
        }
        files.sort((a, b) -> Integer.compare(number(b), number(a)));
        return files;
    }

    private static int number(Path p) {
        String n = p.getFileName().toString();
        return n.equals("access.log") ? 0 : Integer.parseInt(n.substring("access.log.".length()));
    }

    /** Lines of the frontend's requests over every file. */
    private static long lines(Path dir) throws IOException {
        long n = 0;
        for (Path p : files(dir)) {
            try (Stream<String> lines = Files.lines(p)) {
                n += lines.filter(l -> l.contains("] web web/")).count();
            }
        }
        return n;
    }

    /** The longest time between two consecutive requests (by their logged time) from line {@code from} on. */
    private static long largestGapMillis(Path dir, long from) throws IOException {
        List<Long> times = new ArrayList<>();
        long i = 0;
        for (Path p : files(dir)) {
            for (String l : Files.readAllLines(p)) {
                if (l.contains("] web web/") && i++ >= from) {
                    String date = l.substring(l.indexOf('[') + 1, l.indexOf(']'));
                    times.add(LocalDateTime.parse(date, HAPROXY_DATE).atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli());
                }
            }
        }
        Collections.sort(times);
        long gap = 0;
        for (int k = 1; k < times.size(); k++) {
            gap = Math.max(gap, times.get(k) - times.get(k - 1));
        }
        return gap;
    }
}
