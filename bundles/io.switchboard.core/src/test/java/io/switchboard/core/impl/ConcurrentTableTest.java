package io.switchboard.core.impl;

import static io.switchboard.core.impl.Fixtures.handler;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.TableEdit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several writers edit the table through the control ring while readers read snapshots. Writer w,
 * round i, queues PUT_HANDLER("shadow-w", i) and then PUT_HANDLER("w", i). Since one writer's edits
 * are applied in order and each batch is published whole:
 * <ul>
 * <li>versions only go up;</li>
 * <li>if handler "w" has service id i, "shadow-w" has i (or more: a later round's shadow may be in
 * the same batch): never less, which would be half a batch;</li>
 * <li>per writer, the service ids never go back;</li>
 * <li>a snapshot once read never changes.</li>
 * </ul>
 */
class ConcurrentTableTest {
    private static final int WRITERS = 3;
    private static final int READERS = 2;
    private static final int ROUNDS = 4_000;
    private static final long TIMEOUT_MILLIS = 4_000;

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "yielding"})
    void readersSeeMonotonicVersionsAndOnlyWholeBatches(String waitStrategy) throws Exception {
        // a small ring so producers wrap it many times and wait on the writer
        CoreManager core = CoreManager.start(32, 64, waitStrategy);
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicReference<Throwable> crash = new AtomicReference<>();
        AtomicLong versionsSeen = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        List<Thread> writers = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        AtomicBoolean writersDone = new AtomicBoolean();
        Thread.UncaughtExceptionHandler onCrash = (t, e) -> crash.compareAndSet(null, e);
        try {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int i = 1; i <= ROUNDS && violation.get() == null && System.nanoTime() - deadline < 0; i++) {
                        core.edit(TableEdit.putHandler(handler("shadow-" + writer, i)));
                        core.edit(TableEdit.putHandler(handler("w" + writer, i)));
                    }
                }, "test-writer-" + w);
                t.setUncaughtExceptionHandler(onCrash);
                t.setDaemon(true);
                writers.add(t);
            }
            for (int r = 0; r < READERS; r++) {
                Thread t = new Thread(() -> read(core, writersDone, violation, versionsSeen, deadline), "test-reader-" + r);
                t.setUncaughtExceptionHandler(onCrash);
                t.setDaemon(true);
                readers.add(t);
            }
            readers.forEach(Thread::start);
            writers.forEach(Thread::start);
            for (Thread t : writers) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            boolean writersFinished = writers.stream().noneMatch(Thread::isAlive);
            writersDone.set(true);
            for (Thread t : readers) {
                t.join(1_000);
            }

            assertNull(crash.get(), () -> "a test thread failed: " + crash.get());
            assertNull(violation.get());
            assertTrue(writersFinished, "writers did not finish within " + TIMEOUT_MILLIS + " ms");
            assertFalse(readers.stream().anyMatch(Thread::isAlive), "readers did not stop");
            assertTrue(System.nanoTime() - deadline < 0, "ran past the deadline");

            // nothing was lost: each writer's last handlers are there
            Poll.until(() -> lastHandlersVisible(core.table()), () -> "final state never visible: " + core.table().handlers().size() + " handlers");
            assertEquals(2 * WRITERS, core.table().handlers().size());
            // the readers did watch the table change, or this test proved nothing
            assertTrue(versionsSeen.get() > 10, "readers saw only " + versionsSeen.get() + " versions");
        } finally {
            writersDone.set(true);
            core.deactivate();
        }
    }

    private static boolean lastHandlersVisible(SwitchTable t) {
        for (int w = 0; w < WRITERS; w++) {
            HandlerEntry h = t.handlers().get("w" + w);
            HandlerEntry shadow = t.handlers().get("shadow-" + w);
            if (h == null || h.serviceId() != ROUNDS || shadow == null || shadow.serviceId() != ROUNDS) {
                return false;
            }
        }
        return true;
    }

    private static void read(CoreManager core, AtomicBoolean writersDone, AtomicReference<String> violation, AtomicLong versionsSeen, long deadline) {
        SwitchTable last = null;
        long[] lastServiceId = new long[WRITERS];
        long distinct = 0;
        boolean finalPass = false;
        while (violation.get() == null) {
            boolean stop = writersDone.get();
            SwitchTable t = core.table();
            if (t != last) {
                distinct++;
                String problem = check(t, last, lastServiceId);
                if (problem != null) {
                    violation.compareAndSet(null, Thread.currentThread().getName() + ": " + problem);
                    break;
                }
                if (last != null) {
                    String changed = recheck(last);
                    if (changed != null) {
                        violation.compareAndSet(null, Thread.currentThread().getName() + ": " + changed);
                        break;
                    }
                }
                last = t;
            }
            if (stop || System.nanoTime() - deadline > 0) {
                if (finalPass) {
                    break;
                }
                finalPass = true; // one more read after the writers were done
            }
        }
        versionsSeen.addAndGet(distinct);
    }

    /** The invariants of one snapshot, given the previous one this reader saw. Null when all hold. */
    private static String check(SwitchTable t, SwitchTable last, long[] lastServiceId) {
        if (last != null && t.version() <= last.version()) {
            return "version went from " + last.version() + " to " + t.version() + " on a new snapshot";
        }
        Map<String, HandlerEntry> handlers = t.handlers();
        for (int w = 0; w < WRITERS; w++) {
            HandlerEntry h = handlers.get("w" + w);
            HandlerEntry shadow = handlers.get("shadow-" + w);
            long sid = h == null ? 0 : h.serviceId();
            long shadowSid = shadow == null ? 0 : shadow.serviceId();
            if (shadowSid < sid) {
                return "v" + t.version() + ": handler of writer " + w + " is at " + sid + " but its shadow, put before it, at "
                        + shadowSid + " (partial batch)";
            }
            if (sid < lastServiceId[w]) {
                return "v" + t.version() + ": handler of writer " + w + " went back from " + lastServiceId[w] + " to " + sid;
            }
            lastServiceId[w] = sid;
        }
        return null;
    }

    /** A snapshot read before must read the same now. */
    private static String recheck(SwitchTable old) {
        int size = old.handlers().size();
        for (int w = 0; w < WRITERS; w++) {
            HandlerEntry h = old.handlers().get("w" + w);
            HandlerEntry shadow = old.handlers().get("shadow-" + w);
            if (h != null && (shadow == null || shadow.serviceId() < h.serviceId())) {
                return "snapshot v" + old.version() + " changed after it was read";
            }
        }
        if (size != old.handlers().size()) {
            return "snapshot v" + old.version() + " changed size after it was read";
        }
        return null;
    }
}
