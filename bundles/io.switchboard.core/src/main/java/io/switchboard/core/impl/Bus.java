package io.switchboard.core.impl;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.RingStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A handler bus: one ring, {@code threads} consumers. Every consumer sees every slot and runs those
 * whose key maps to it, so the tasks of one flow keep their order on one thread. Publishing never
 * blocks an event loop: a full ring refuses the task.
 */
final class Bus implements HandlerBus {
    private final Disruptor<TaskEvent> disruptor;
    private final RingBuffer<TaskEvent> ring;
    private final String name;
    private final int threads;
    private final LongAdder published = new LongAdder();
    private volatile boolean closed;
    /** Publishers between their closed-check and their publish: close waits for them. */
    private final AtomicInteger publishing = new AtomicInteger();
    /** Completed once closed and everything published has run. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    /** The bus that took over, if any: publishing here after close goes there. */
    private volatile Bus successor;
    private final HandlerBus predecessor;

    private final Consumer<Bus> onClose;

    /**
     * @param predecessor the bus this one takes over from, or null: this bus runs nothing until it
     *                    has drained. It may be a bus of another core (an older version of this
     *                    bundle): then only the gate holds, and the switch passes late publishers on.
     */
    Bus(String name, int threads, int ringSize, WaitStrategy wait, Consumer<Throwable> failure, Consumer<Bus> onClose, HandlerBus predecessor) {
        this.name = name;
        this.threads = threads;
        this.onClose = onClose;
        this.predecessor = predecessor;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "sb-bus-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        disruptor = new Disruptor<>(TaskEvent::new, ringSize, tf, ProducerType.MULTI, wait);
        CompletableFuture<Void> gate = predecessor == null ? CompletableFuture.completedFuture(null)
                : predecessor.drained().toCompletableFuture();
        @SuppressWarnings("unchecked")
        EventHandler<TaskEvent>[] shards = new EventHandler[threads];
        for (int i = 0; i < threads; i++) {
            shards[i] = new Shard(i, gate, failure);
        }
        disruptor.handleEventsWith(shards);
        ring = disruptor.start();
        if (predecessor instanceof Bus) {
            ((Bus) predecessor).successor = this;
        }
    }

    /** One consumer thread: runs the tasks whose key maps to it, once the predecessor has drained. */
    private final class Shard implements EventHandler<TaskEvent> {
        private final int shard;
        private final CompletableFuture<Void> gate;
        private final Consumer<Throwable> failure;

        Shard(int shard, CompletableFuture<Void> gate, Consumer<Throwable> failure) {
            this.shard = shard;
            this.gate = gate;
            this.failure = failure;
        }

        @Override
        public void onStart() {
            gate.join(); // keep per-key order across a change of threads
        }

        @Override
        public void onEvent(TaskEvent event, long sequence, boolean endOfBatch) {
            if (Math.floorMod(event.key, threads) == shard) {
                Runnable task = event.task;
                event.task = null;
                try {
                    task.run();
                } catch (Throwable e) { // even a checked exception thrown sneakily: the shard must live on
                    failure.accept(e);
                }
            }
        }
    }

    @Override
    public boolean publish(long key, Runnable task) {
        publishing.incrementAndGet();
        try {
            if (closed) {
                Bus next = successor;
                return next != null && next.publish(key, task);
            }
            boolean ok = ring.tryPublishEvent((event, sequence) -> {
                event.key = key;
                event.task = task;
            });
            if (ok) {
                published.increment();
            }
            return ok;
        } finally {
            publishing.decrementAndGet();
        }
    }

    /** The ring's size and free slots now (read without a lock: two volatile reads of the sequences). */
    RingStatus status() {
        return new RingStatus(name, ring.getBufferSize(), ring.remainingCapacity());
    }

    @Override public long published() { return published.sum(); }
    @Override public boolean closed() { return closed; }
    @Override public CompletionStage<Void> drained() { return drained; }
    @Override public int threads() { return threads; }

    @Override
    public long backlog() {
        return ring.getCursor() - ring.getMinimumGatingSequence();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (predecessor != null) {
            predecessor.close(); // this bus's threads wait for it: it must drain first
        }
        closed = true;
        while (publishing.get() != 0) {
            Thread.onSpinWait(); // a publisher that saw the bus open finishes its publish first
        }
        // Disruptor's shutdown() waits only for consumers whose thread already runs: one not yet
        // started would be halted before it ran what it was given. Wait for every consumer here.
        long last = ring.getCursor();
        while (ring.getMinimumGatingSequence() < last) {
            LockSupport.parkNanos(100_000);
        }
        disruptor.shutdown();
        drained.complete(null);
        onClose.accept(this);
    }
}
