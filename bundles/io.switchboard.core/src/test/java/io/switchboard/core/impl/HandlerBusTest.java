package io.switchboard.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerBus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HandlerBusTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private CoreManager core;
    private final List<HandlerBus> buses = new ArrayList<>();

    @BeforeEach
    void start() {
        core = CoreManager.start(64, 1024, "blocking");
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            for (HandlerBus b : buses) {
                // close() waits for the backlog: never let a broken bus hang the test run
                Thread closer = new Thread(b::close, "test-closer");
                closer.setDaemon(true);
                closer.start();
                closer.join(2_000);
            }
        } finally {
            core.deactivate();
        }
    }

    private HandlerBus bus(String name, int threads) {
        HandlerBus b = core.newBus(name, threads);
        buses.add(b);
        return b;
    }

    private static String uniqueName(String base) {
        return base + NAMES.incrementAndGet();
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(Poll.DEFAULT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS),
                () -> what + ": " + latch.getCount() + " still missing");
    }

    /** A full ring refuses a task (by design); wait for room, within the deadline. */
    private static void publishWaiting(HandlerBus bus, long key, Runnable task) {
        if (!bus.publish(key, task)) {
            Poll.until(() -> bus.publish(key, task), () -> "ring stayed full");
        }
    }

    private static Set<Thread> liveThreadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
                .collect(Collectors.toSet());
    }

    @Test
    void tasksOfOneKeyRunInPublicationOrderOnOneThread() throws InterruptedException {
        HandlerBus bus = bus(uniqueName("order"), 4);
        long[] keys = {0, 1, 2, 3, 4, 5, 6, 7, 1_000_003, -1, -6, Long.MIN_VALUE, Long.MAX_VALUE};
        int rounds = 500;
        Map<Long, Queue<Integer>> seen = new ConcurrentHashMap<>();
        Map<Long, Set<Thread>> threads = new ConcurrentHashMap<>();
        for (long k : keys) {
            seen.put(k, new ConcurrentLinkedQueue<>());
            threads.put(k, ConcurrentHashMap.newKeySet());
        }
        CountDownLatch all = new CountDownLatch(keys.length * rounds);
        for (int i = 0; i < rounds; i++) {
            for (long k : keys) { // interleaved: each round publishes one task per key
                int seq = i;
                publishWaiting(bus, k, () -> {
                    seen.get(k).add(seq);
                    threads.get(k).add(Thread.currentThread());
                    all.countDown();
                });
            }
        }
        await(all, "tasks did not all run");

        for (long k : keys) {
            List<Integer> order = new ArrayList<>(seen.get(k));
            assertEquals(rounds, order.size(), "key " + k);
            for (int i = 0; i < rounds; i++) {
                assertEquals(i, order.get(i), "key " + k + " ran out of order: " + order);
            }
            assertEquals(1, threads.get(k).size(), "key " + k + " ran on " + threads.get(k));
            assertNotSame(Thread.currentThread(), threads.get(k).iterator().next(), "ran on the publisher");
        }
        assertEquals((long) keys.length * rounds, bus.published());
    }

    @Test
    void differentKeysSpreadOverAllThreads() throws InterruptedException {
        int n = 4;
        String name = uniqueName("spread");
        HandlerBus bus = bus(name, n);
        assertEquals(n, bus.threads());
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(64);
        for (long k = 0; k < 64; k++) {
            assertTrue(bus.publish(k, () -> {
                used.add(Thread.currentThread());
                all.countDown();
            }));
        }
        await(all, "tasks did not all run");
        assertEquals(n, used.size(), "64 keys ran on " + used);
        assertFalse(used.contains(Thread.currentThread()));
        // they are the bus's own threads
        assertTrue(liveThreadsNamed("sb-bus-" + name + "-").containsAll(used), "not the bus's threads: " + used);
    }

    @Test
    void aBusWithOneThreadRunsEveryKey() throws InterruptedException {
        HandlerBus bus = bus(uniqueName("one"), 1);
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(3);
        for (long k : new long[] {5, -5, Long.MIN_VALUE}) {
            assertTrue(bus.publish(k, () -> {
                used.add(Thread.currentThread());
                all.countDown();
            }));
        }
        await(all, "tasks did not all run");
        assertEquals(1, used.size());
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheBus() throws InterruptedException {
        HandlerBus bus = bus(uniqueName("throws"), 2);
        List<Integer> ran = new ArrayList<>(); // key 0 only: one thread
        CountDownLatch done = new CountDownLatch(2);
        assertTrue(bus.publish(0, () -> ran.add(1)));
        assertTrue(bus.publish(0, () -> {
            throw new IllegalStateException("test: a failing handler");
        }));
        assertTrue(bus.publish(0, () -> ran.add(2)));
        assertTrue(bus.publish(0, () -> {
            throw new AssertionError("test: a failing handler (Error)");
        }));
        assertTrue(bus.publish(0, () -> {
            ran.add(3);
            done.countDown();
        }));
        assertTrue(bus.publish(1, done::countDown)); // the other thread is unaffected too
        await(done, "tasks after the failures did not run");
        assertEquals(List.of(1, 2, 3), ran); // the latch orders the bus thread's writes before this read

        // and it keeps going for many more tasks than the ring holds
        CountDownLatch more = new CountDownLatch(3_000);
        for (int i = 0; i < 3_000; i++) {
            boolean fail = i % 3 == 0;
            Runnable task = () -> {
                more.countDown();
                if (fail) {
                    throw new RuntimeException("test");
                }
            };
            publishWaiting(bus, i, task);
        }
        await(more, "bus stopped after repeated failures");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void throwUnchecked(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void aTaskThatThrowsACheckedExceptionDoesNotStopTheBus() throws InterruptedException {
        HandlerBus bus = bus(uniqueName("checked"), 1);
        assertTrue(bus.publish(0, () -> HandlerBusTest.<RuntimeException>throwUnchecked(new java.io.IOException("test"))));
        CountDownLatch after = new CountDownLatch(1);
        assertTrue(bus.publish(0, after::countDown));
        await(after, "task after a checked exception did not run");
    }

    @Test
    void closeRightAfterStartRunsEverythingEvenOnThreadsNotYetRunning() {
        // Disruptor's own shutdown skipped consumers whose thread had not started yet: their tasks never ran.
        for (int round = 0; round < 300; round++) {
            HandlerBus bus = bus(uniqueName("young"), 8);
            AtomicLong ran = new AtomicLong();
            for (int key = 0; key < 64; key++) {
                assertTrue(bus.publish(key, ran::incrementAndGet));
            }
            bus.close();
            assertEquals(64, ran.get(), "round " + round + ": tasks published before close() that never ran");
        }
    }

    @Test
    void closeRunsWhatWasPublishedThenRefuses() throws InterruptedException {
        String name = uniqueName("close");
        HandlerBus bus = bus(name, 2);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicLong ran = new AtomicLong();
        assertTrue(bus.publish(0, () -> {
            try {
                gate.await(); // holds thread 0 until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ran.incrementAndGet();
        }));
        for (int i = 1; i <= 200; i++) {
            assertTrue(bus.publish(i, ran::incrementAndGet));
        }
        Thread closer = new Thread(bus::close, "test-closer");
        closer.setDaemon(true);
        closer.start();
        assertTrue(closer.isAlive(), "close() returned while a published task had not run");
        // probes published before close() set its flag are accepted, and must run as well
        AtomicLong acceptedProbes = new AtomicLong();
        Poll.until(() -> {
            boolean accepted = bus.publish(0, ran::incrementAndGet);
            if (accepted) {
                acceptedProbes.incrementAndGet();
            }
            return !accepted;
        }, () -> "publish still accepted while closing");
        gate.countDown();
        closer.join(Poll.DEFAULT_TIMEOUT_MILLIS);
        assertFalse(closer.isAlive(), "close() did not return");

        long expected = 201 + acceptedProbes.get();
        assertEquals(expected, ran.get(), "close() returned before everything published had run");
        assertEquals(expected, bus.published());
        assertFalse(bus.publish(7, ran::incrementAndGet), "publish accepted after close()");
        bus.close(); // twice is harmless
        assertFalse(bus.publish(7, ran::incrementAndGet));
        assertEquals(expected, bus.published(), "refused tasks were counted");
        assertEquals(expected, ran.get(), "a refused task ran");
        Poll.until(() -> liveThreadsNamed("sb-bus-" + name + "-").isEmpty(),
                () -> "bus threads still alive: " + liveThreadsNamed("sb-bus-" + name + "-"));
    }

    @Test
    void aFullRingRefusesInsteadOfBlocking() throws InterruptedException {
        core.deactivate();
        core = CoreManager.start(64, 8, "blocking");
        HandlerBus bus = bus(uniqueName("full"), 1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        assertTrue(bus.publish(0, () -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        int accepted = 0;
        while (bus.publish(1, ran::incrementAndGet)) {
            accepted++;
            assertTrue(accepted < 8, "a ring of 8 accepted more than 8 tasks with its consumer stuck");
        }
        assertEquals(7, accepted, "with the first slot held, 7 more fit in a ring of 8");
        assertEquals(8, bus.published(), "refused tasks were counted");
        gate.countDown();
        int expected = accepted;
        Poll.until(() -> ran.get() == expected, () -> "accepted tasks did not all run: " + ran.get());
        CountDownLatch again = new CountDownLatch(1);
        assertTrue(bus.publish(1, again::countDown), "refused after the ring drained");
        await(again, "task after a full ring did not run");
    }

    @Test
    void busesAreIndependent() throws InterruptedException {
        HandlerBus a = bus(uniqueName("a"), 1);
        HandlerBus b = bus(uniqueName("b"), 1);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch ranOnB = new CountDownLatch(1);
        assertTrue(a.publish(0, () -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(b.publish(0, ranOnB::countDown));
        try {
            await(ranOnB, "bus b waited for a task stuck on bus a");
        } finally {
            gate.countDown();
        }
        Set<Thread> threads = new HashSet<>();
        CountDownLatch both = new CountDownLatch(2);
        for (HandlerBus bus : List.of(a, b)) {
            assertTrue(bus.publish(0, () -> {
                synchronized (threads) {
                    threads.add(Thread.currentThread());
                }
                both.countDown();
            }));
        }
        await(both, "tasks did not run");
        synchronized (threads) {
            assertEquals(2, threads.size(), "two buses share a thread");
        }
    }
}
