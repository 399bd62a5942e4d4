package io.switchboard.accesslog.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogPipelineTest {
    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private final List<String> problems = new ArrayList<>();

    private AccessLogSettings settings(String format, int ringSize) {
        return new AccessLogSettings(true, dir.resolve("access.log"), format, ringSize, 0, false, 0);
    }

    private static Exchanges request(String target) {
        Exchanges x = Exchanges.get();
        x.target = target;
        x.startNanos = System.nanoTime();
        return x;
    }

    @Test
    void aFullRingDropsAndCountsInsteadOfWaiting() throws Exception {
        LogCounters counters = new LogCounters();
        AccessLogService log = new AccessLogService(counters, clock, problems::add);
        CompletableFuture<Void> blocked = new CompletableFuture<>(); // the writer waits for it: it writes nothing yet
        log.apply(settings("combined", 16), blocked);
        long began = System.nanoTime();
        for (int i = 0; i < 21; i++) {
            log.log(request("/" + i));
        }
        assertTrue(System.nanoTime() - began < TimeUnit.SECONDS.toNanos(1), "a full ring never makes the caller wait");
        assertEquals(5, log.dropped());
        assertEquals(16, log.backlog());
        blocked.complete(null);
        awaitWritten(log, 16);
        log.close().get(5, TimeUnit.SECONDS);
        List<String> lines = Files.readAllLines(dir.resolve("access.log"));
        assertEquals(16, lines.size());
        assertTrue(lines.get(0).contains("\"GET /0 HTTP/1.1\""), lines.get(0));
        assertTrue(lines.get(15).contains("\"GET /15 HTTP/1.1\""), lines.get(15));
        assertEquals(0, log.failed());
    }

    @Test
    void anEntryIsWrittenAndFlushedWithoutMoreComingAtTheTimeItStarted() throws Exception {
        AccessLogService log = new AccessLogService(new LogCounters(), clock, problems::add);
        log.apply(settings("json", 64), CompletableFuture.completedFuture(null));
        Exchanges x = request("/alone");
        x.startNanos -= TimeUnit.SECONDS.toNanos(2); // it began two seconds ago
        long expected = clock.millis() - 2000;
        log.log(x);
        awaitWritten(log, 1);
        List<String> lines = Files.readAllLines(dir.resolve("access.log"));
        assertEquals(1, lines.size(), "on disk once the ring was found empty");
        String time = lines.get(0).substring("{\"time\":\"".length(), lines.get(0).indexOf("\","));
        long logged = java.time.OffsetDateTime.parse(time).toInstant().toEpochMilli();
        assertTrue(Math.abs(logged - expected) < 100, "logged at " + time + ", began at " + java.time.Instant.ofEpochMilli(expected));
        log.close().get(5, TimeUnit.SECONDS);
    }

    @Test
    void anExchangeThatThrowsWhileCopiedLeavesTheRingWorking() throws Exception {
        AccessLogService log = new AccessLogService(new LogCounters(), clock, problems::add);
        log.apply(settings("combined", 64), CompletableFuture.completedFuture(null));
        Exchanges broken = new Exchanges() {
            @Override public String userAgent() { throw new IllegalStateException("broken"); }
        };
        try {
            log.log(broken);
        } catch (IllegalStateException expected) {
            // the caller's to catch (the HTTP handler does)
        }
        for (int i = 0; i < 40; i++) {
            log.log(request("/after" + i));
        }
        awaitWritten(log, 40);
        log.close().get(5, TimeUnit.SECONDS);
        assertEquals(40, Files.readAllLines(dir.resolve("access.log")).size());
    }

    /**
     * The next version takes over while two threads log as fast as they can: every entry is written
     * once, each thread's in its order, and the old writer is done before the new one writes.
     */
    @Test
    void aHandOverToTheNextVersionUnderLoadLosesNoEntryAndKeepsTheOrder() throws Exception {
        LogCounters counters = new LogCounters();
        AccessLogService v1 = new AccessLogService(counters, clock, problems::add);
        v1.apply(settings("haproxy", 1024), CompletableFuture.completedFuture(null));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong[] sent = {new AtomicLong(), new AtomicLong()};
        // the handler's reference: the last service known good, switched to the new one when it binds
        java.util.concurrent.atomic.AtomicReference<io.switchboard.api.log.AccessLog> bound = new java.util.concurrent.atomic.AtomicReference<>(v1);
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int loop = t;
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    long n = sent[loop].get();
                    Exchanges x = request("/" + loop + "/" + n);
                    bound.get().log(x);
                    sent[loop].incrementAndGet();
                    if ((n & 15) == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000); // an event loop has other work too
                    }
                }
            });
            th.start();
            loops.add(th);
        }
        Thread.sleep(200);
        // The next version: its own service, sharing the counters; it starts writing once v1 has drained.
        AccessLogService v2 = new AccessLogService(counters, clock, problems::add);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        v2.apply(settings("haproxy", 1024), gate);
        CompletableFuture<Void> v1Drained = v1.handOverTo(v2);
        v1Drained.whenComplete((v, e) -> gate.complete(null));
        Thread.sleep(50);
        bound.set(v2); // the handler binds the new service a little later
        Thread.sleep(200);
        stop.set(true);
        for (Thread th : loops) {
            th.join();
        }
        assertTrue(v1Drained.isDone());
        long total = sent[0].get() + sent[1].get();
        awaitWritten(v2, total - counters.dropped.sum());
        v2.close().get(5, TimeUnit.SECONDS);
        assertEquals(total, counters.written.sum() + counters.dropped.sum(), "every entry written or counted as dropped");

        Map<Integer, Long> expected = new HashMap<>(Map.of(0, 0L, 1, 0L));
        long lines = 0;
        for (String l : Files.readAllLines(dir.resolve("access.log"))) {
            String target = l.substring(l.indexOf("\"GET /") + 6, l.lastIndexOf(" HTTP/1.1\""));
            int loop = Integer.parseInt(target.substring(0, target.indexOf('/')));
            long n = Long.parseLong(target.substring(target.indexOf('/') + 1));
            assertTrue(n >= expected.get(loop), "thread " + loop + ": " + n + " after " + expected.get(loop));
            expected.put(loop, n + 1);
            lines++;
        }
        assertEquals(counters.written.sum(), lines);
        assertTrue(total > 1000, "the threads logged " + total);
        System.out.println("[accesslog] hand-over under load: " + total + " entries, " + counters.dropped.sum() + " dropped (ring full)");
    }

    @Test
    void newSettingsTakeOverWithoutLosingAnEntry() throws Exception {
        AccessLogService log = new AccessLogService(new LogCounters(), clock, problems::add);
        log.apply(settings("combined", 64), CompletableFuture.completedFuture(null));
        for (int i = 0; i < 30; i++) {
            log.log(request("/a" + i));
        }
        log.apply(settings("json", 128), CompletableFuture.completedFuture(null));
        for (int i = 0; i < 30; i++) {
            log.log(request("/b" + i));
        }
        awaitWritten(log, 60);
        log.close().get(5, TimeUnit.SECONDS);
        List<String> lines = Files.readAllLines(dir.resolve("access.log"));
        assertEquals(60, lines.size());
        assertTrue(lines.get(29).startsWith("192.0.2.7 - - ["), lines.get(29));
        assertTrue(lines.get(30).startsWith("{\"time\":"), lines.get(30));
    }

    @Test
    void turnedOffItWritesWhatItHadAndTakesNoMore() throws Exception {
        AccessLogService log = new AccessLogService(new LogCounters(), clock, problems::add);
        log.apply(settings("combined", 64), CompletableFuture.completedFuture(null));
        for (int i = 0; i < 10; i++) {
            log.log(request("/" + i));
        }
        log.apply(AccessLogSettings.DEFAULTS, CompletableFuture.completedFuture(null));
        assertFalse(log.enabled());
        log.log(request("/ignored"));
        awaitWritten(log, 10);
        Thread.sleep(100);
        assertEquals(10, Files.readAllLines(dir.resolve("access.log")).size());
        assertEquals(0, log.dropped());
    }

    private static void awaitWritten(AccessLogService log, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.written() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, log.written());
    }
}
