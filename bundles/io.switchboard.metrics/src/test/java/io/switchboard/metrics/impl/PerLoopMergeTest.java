package io.switchboard.metrics.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.telemetry.TrafficCell;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Two threads stand for two event loops, each writing only its own cell, while a third scrapes: a
 * scrape never sees a counter go back, and once the writers are done it sees every request.
 */
class PerLoopMergeTest {
    private static final int REQUESTS = 2_000_000;

    @Test
    void scrapesWhileLoopsCountSeeMonotonicCountsAndFinallyEveryRequest() throws Exception {
        List<TrafficCell> cells = new ArrayList<>();
        List<Thread> loops = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int l = 0; l < 2; l++) {
            TrafficCell mine = new TrafficCell("web", "app", "a1", "10.0.0.1:80");
            cells.add(mine);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < REQUESTS; i++) {
                    mine.request(i % 10 == 0 ? 502 : 200, (i % 1000) * 10_000L);
                }
            });
            t.start();
            loops.add(t);
        }
        go.countDown();
        long before2xx = 0;
        long beforeCount = 0;
        int scrapes = 0;
        while (loops.stream().anyMatch(Thread::isAlive) || scrapes == 0) {
            TrafficSum s = only(TrafficSeries.merge(cells));
            assertTrue(s.requests[2] >= before2xx, "2xx went back");
            assertTrue(s.count() >= beforeCount, "the histogram's count went back");
            before2xx = s.requests[2];
            beforeCount = s.count();
            scrapes++;
        }
        for (Thread t : loops) {
            t.join();
        }
        TrafficSum s = only(TrafficSeries.merge(cells));
        assertEquals(2L * REQUESTS * 9 / 10, s.requests[2]);
        assertEquals(2L * REQUESTS / 10, s.requests[5]);
        assertEquals(2L * REQUESTS, s.count());
        long sum = 0;
        for (int i = 0; i < REQUESTS; i++) {
            sum += (i % 1000) * 10_000L;
        }
        assertEquals(2 * sum, s.durationNanos);
    }

    private static TrafficSum only(Collection<TrafficSum> sums) {
        assertEquals(1, sums.size());
        return sums.iterator().next();
    }
}
