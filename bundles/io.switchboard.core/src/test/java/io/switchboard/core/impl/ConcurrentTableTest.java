package io.switchboard.core.impl;

import static io.switchboard.core.impl.Fixtures.handler;
import static io.switchboard.core.impl.Fixtures.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.ReassignmentRecord;
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
 * Several producers edit while several readers read. Writer {@code w} repeats, for i = 1..N:
 * PUT_HANDLER(type "w", service id i), REASSIGNED(flow (w,i)), RELEASED(flow (w,i)). Since one
 * producer's edits apply in order and a snapshot is only published whole, every snapshot a reader
 * sees must be a prefix of each writer's sequence, so:
 * <ul>
 * <li>versions never go back, and a different snapshot has a strictly higher version;</li>
 * <li>at most one flow of a writer is reassigned at a time;</li>
 * <li>if flow (w,i) is reassigned, the handler of type "w" is the one with service id i (the handler
 * map and the reassignment map of one snapshot come from the same point in the sequence);</li>
 * <li>per writer, the handler's service id and the reassigned flow's index never go back;</li>
 * <li>a snapshot does not change after it was read.</li>
 * </ul>
 */
class ConcurrentTableTest {
    private static final int WRITERS = 3;
    private static final int READERS = 2;
    private static final int ROUNDS = 4_000;
    private static final long FLOWS_PER_WRITER = 1_000_000L;
    private static final long TIMEOUT_MILLIS = 4_000;

    private static long flowId(int writer, int round) {
        return writer * FLOWS_PER_WRITER + round;
    }

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
                        core.edit(TableEdit.putHandler(handler("w" + writer, i)));
                        core.edit(TableEdit.reassigned(record(flowId(writer, i), "w" + writer)));
                        core.edit(TableEdit.released(flowId(writer, i)));
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

            // nothing was lost: each writer's last handler is there and every flow was released
            Poll.until(() -> core.table().reassignments().isEmpty() && lastHandlersVisible(core.table()),
                    () -> "final state never visible: " + core.table().handlers().size() + " handlers, "
                            + core.table().reassignments().size() + " reassignments");
            assertEquals(WRITERS, core.table().handlers().size());
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
            if (h == null || h.serviceId() != ROUNDS) {
                return false;
            }
        }
        return true;
    }

    private static void read(CoreManager core, AtomicBoolean writersDone, AtomicReference<String> violation, AtomicLong versionsSeen, long deadline) {
        SwitchTable last = null;
        long[] lastServiceId = new long[WRITERS];
        long[] lastRound = new long[WRITERS];
        long distinct = 0;
        boolean finalPass = false;
        while (violation.get() == null) {
            boolean stop = writersDone.get();
            SwitchTable t = core.table();
            if (t != last) {
                distinct++;
                String problem = check(t, last, lastServiceId, lastRound);
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
    private static String check(SwitchTable t, SwitchTable last, long[] lastServiceId, long[] lastRound) {
        if (last != null && t.version() <= last.version()) {
            return "version went from " + last.version() + " to " + t.version() + " on a new snapshot";
        }
        Map<Long, ReassignmentRecord> re = t.reassignments();
        Map<String, HandlerEntry> handlers = t.handlers();
        long[] round = new long[WRITERS];
        for (Map.Entry<Long, ReassignmentRecord> e : re.entrySet()) {
            long flow = e.getKey();
            ReassignmentRecord r = e.getValue();
            int w = (int) (flow / FLOWS_PER_WRITER);
            if (w < 0 || w >= WRITERS || r.flowId() != flow || !r.frontend().equals("w" + w)) {
                return "v" + t.version() + ": record under flow " + flow + " is for flow " + r.flowId() + " of " + r.frontend();
            }
            if (round[w] != 0) {
                return "v" + t.version() + ": writer " + w + " has two flows reassigned: " + round[w] + " and " + flow % FLOWS_PER_WRITER;
            }
            round[w] = flow % FLOWS_PER_WRITER;
        }
        for (int w = 0; w < WRITERS; w++) {
            HandlerEntry h = handlers.get("w" + w);
            long sid = h == null ? 0 : h.serviceId();
            if (round[w] != 0 && sid != round[w]) {
                return "v" + t.version() + ": flow " + round[w] + " of writer " + w + " is reassigned but its handler is "
                        + (h == null ? "missing" : "service " + sid) + " (partial batch)";
            }
            if (sid < lastServiceId[w]) {
                return "v" + t.version() + ": handler of writer " + w + " went back from " + lastServiceId[w] + " to " + sid;
            }
            if (round[w] != 0 && round[w] < lastRound[w]) {
                return "v" + t.version() + ": reassigned flow of writer " + w + " went back from " + lastRound[w] + " to " + round[w];
            }
            lastServiceId[w] = sid;
            if (round[w] != 0) {
                lastRound[w] = round[w];
            }
        }
        return null;
    }

    /** A snapshot read before must read the same now; checks its sizes and that its records are consistent. */
    private static String recheck(SwitchTable old) {
        int handlers = old.handlers().size();
        int reassignments = old.reassignments().size();
        long[] round = new long[WRITERS];
        for (ReassignmentRecord r : old.reassignments().values()) {
            round[(int) (r.flowId() / FLOWS_PER_WRITER)] = r.flowId() % FLOWS_PER_WRITER;
        }
        for (int w = 0; w < WRITERS; w++) {
            HandlerEntry h = old.handlers().get("w" + w);
            if (round[w] != 0 && (h == null || h.serviceId() != round[w])) {
                return "snapshot v" + old.version() + " changed after it was read";
            }
        }
        if (handlers != old.handlers().size() || reassignments != old.reassignments().size()) {
            return "snapshot v" + old.version() + " changed size after it was read";
        }
        return null;
    }
}
