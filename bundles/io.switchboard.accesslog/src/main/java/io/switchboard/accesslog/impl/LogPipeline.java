package io.switchboard.accesslog.impl;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.switchboard.api.log.AccessLog;
import io.switchboard.api.log.LoggedExchange;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One ring and the one thread that writes it out. Event loops (several: the ring is multi-producer)
 * claim a slot with {@code tryNext()}, copy the exchange's facts in and publish; a full ring drops
 * the entry and counts it. The writer formats and writes each entry, flushes when it finds the ring
 * empty (and at least once a second), and parks {@link #IDLE_PARK_NANOS} when there is nothing.
 *
 * <p>A pipeline is replaced (new settings, a new version of the bundle) by {@link #retire}: from then
 * on producers hand their entries to the successor; the writer seals the ring — it stops freeing
 * slots and claims every free one itself, so no producer can claim again — writes out every entry
 * claimed before the seal, closes the file and completes {@link #drained()}. The successor's writer
 * waits for that before it opens the file: one writer at a time, entries in order, none lost, and
 * nothing added to the event loop's path (it reads one volatile flag it reads anyway).
 */
final class LogPipeline {
    /** How long the writer sleeps when the ring is empty: the ring must hold this long's entries. */
    static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a writer waits for its predecessor to drain before it writes anyway. */
    static final long GATE_MILLIS = 10_000;
    /** Slots handed back to producers at least this often within a long batch. */
    private static final int RELEASE_EVERY = 256;

    private final RingBuffer<LogEntry> ring;
    /** The last slot the writer is done with: gates the producers. Frozen once retired. */
    private final Sequence processed = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
    private final LogFormat format;
    private final LogFile file;
    private final LogCounters counters;
    private final Clock clock;
    private final CompletionStage<?> gate;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final StringBuilder line = new StringBuilder(512);
    private volatile boolean retired;
    /** Where entries go once retired; null: nowhere (the log was turned off). Set before {@link #retired}. */
    private volatile AccessLog successor;
    private Thread thread;

    /**
     * @param gate completes when the predecessor has drained and closed the file (or at once)
     */
    LogPipeline(int ringSize, LogFormat format, LogFile file, LogCounters counters, Clock clock, CompletionStage<?> gate) {
        this.ring = RingBuffer.createMultiProducer(LogEntry::new, ringSize, Unsignalled.INSTANCE);
        this.ring.addGatingSequences(processed);
        this.format = format;
        this.file = file;
        this.counters = counters;
        this.clock = clock;
        this.gate = gate;
    }

    void start(String threadName) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /**
     * Copies the exchange into a free slot, on the caller's thread. False when this pipeline is
     * retired: the caller hands the entry to {@link #successor()}. A full ring drops the entry (true).
     */
    boolean offer(LoggedExchange exchange, long endNanos) {
        if (retired) {
            return false;
        }
        long seq;
        try {
            seq = ring.tryNext();
        } catch (InsufficientCapacityException full) {
            if (retired) {
                return false; // sealed, not full: the successor takes it
            }
            counters.dropped.increment();
            return true;
        }
        LogEntry slot = ring.get(seq);
        slot.valid = false;
        try {
            slot.copyFrom(exchange, endNanos);
            slot.valid = true;
        } finally {
            ring.publish(seq); // even half-filled: an unpublished slot would stall the writer for good
        }
        return true;
    }

    AccessLog successor() {
        return successor;
    }

    boolean retired() {
        return retired;
    }

    /** Entries published and not written yet. */
    long backlog() {
        return Math.max(0, ring.getCursor() - processed.get());
    }

    CompletableFuture<Void> drained() {
        return drained;
    }

    /** Entries go to {@code next} from now on (null: nowhere); completes once this pipeline has written out the rest. */
    CompletableFuture<Void> retire(AccessLog next) {
        successor = next;
        retired = true;
        if (thread == null) {
            drained.complete(null); // never started: nothing can be in it that anyone waits for
        }
        return drained;
    }

    private void run() {
        try {
            gate.toCompletableFuture().get(GATE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the predecessor is stuck or failed: write anyway, it no longer holds the file up
        }
        file.open();
        long next = 0;
        try {
            while (!retired) {
                long end = writeAvailable(next);
                if (end > next) {
                    processed.set(end - 1);
                    next = end;
                }
                if (!available(next)) {
                    file.flush(); // the ring is empty: what was written is on disk, not waiting
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
                file.housekeeping();
            }
            long last = seal();
            for (long s = next; s <= last; s++) {
                while (!ring.isAvailable(s)) {
                    Thread.onSpinWait(); // claimed before the seal: its producer is copying it in
                }
                write(s);
            }
        } finally {
            file.close();
            drained.complete(null);
        }
    }

    private boolean available(long seq) {
        return seq <= ring.getCursor() && ring.isAvailable(seq);
    }

    /** Writes the published entries from {@code next} on; returns the first one not written. */
    private long writeAvailable(long next) {
        long cursor = ring.getCursor();
        long s = next;
        while (s <= cursor && ring.isAvailable(s)) {
            write(s);
            s++;
            if ((s & (RELEASE_EVERY - 1)) == 0) {
                processed.set(s - 1);
            }
        }
        return s;
    }

    private long nowMillis;
    private long nowNanos;
    private boolean clockRead;

    private void write(long seq) {
        LogEntry e = ring.get(seq);
        if (e.valid) {
            line.setLength(0);
            format.format(e, wallMillis(e.startNanos), line);
            file.append(line);
        }
        e.clear();
    }

    /** The wall-clock time of a {@link System#nanoTime()} reading, from one clock reading per millisecond. */
    private long wallMillis(long nanos) {
        long n = System.nanoTime();
        if (!clockRead || n - nowNanos > 1_000_000) {
            nowMillis = clock.millis();
            nowNanos = n;
            clockRead = true;
        }
        return nowMillis - (nowNanos - nanos) / 1_000_000;
    }

    /**
     * Stops producers for good: {@link #processed} no longer moves, and the writer claims every free
     * slot, so a producer's {@code tryNext()} fails and finds the pipeline retired. Returns the last
     * slot a producer claimed.
     */
    private long seal() {
        while (true) {
            long free = ring.remainingCapacity();
            if (free == 0) {
                return ring.getCursor();
            }
            try {
                return ring.tryNext((int) free) - free;
            } catch (InsufficientCapacityException e) {
                // a producer claimed meanwhile: look again
            }
        }
    }
}
