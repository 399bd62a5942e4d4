package io.switchboard.core.impl;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.switchboard.api.core.HandlerBus;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A handler bus: one ring, {@code threads} consumers. Every consumer sees every slot and runs those
 * whose key maps to it, so the tasks of one flow keep their order on one thread. Publishing never
 * blocks an event loop: a full ring refuses the task.
 */
final class Bus implements HandlerBus {
    private final Disruptor<TaskEvent> disruptor;
    private final RingBuffer<TaskEvent> ring;
    private final int threads;
    private final LongAdder published = new LongAdder();
    private volatile boolean closed;

    private final Consumer<Bus> onClose;

    Bus(String name, int threads, int ringSize, WaitStrategy wait, Consumer<Throwable> failure, Consumer<Bus> onClose) {
        this.threads = threads;
        this.onClose = onClose;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "sb-bus-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        disruptor = new Disruptor<>(TaskEvent::new, ringSize, tf, ProducerType.MULTI, wait);
        @SuppressWarnings("unchecked")
        EventHandler<TaskEvent>[] shards = new EventHandler[threads];
        for (int i = 0; i < threads; i++) {
            int shard = i;
            shards[i] = (event, sequence, endOfBatch) -> {
                if (Math.floorMod(event.key, threads) == shard) {
                    Runnable task = event.task;
                    event.task = null;
                    try {
                        task.run();
                    } catch (Throwable e) { // even a checked exception thrown sneakily: the shard must live on
                        failure.accept(e);
                    }
                }
            };
        }
        disruptor.handleEventsWith(shards);
        ring = disruptor.start();
    }

    @Override
    public boolean publish(long key, Runnable task) {
        if (closed) {
            return false;
        }
        boolean ok = ring.tryPublishEvent((event, sequence) -> {
            event.key = key;
            event.task = task;
        });
        if (ok) {
            published.increment();
        }
        return ok;
    }

    @Override public long published() { return published.sum(); }
    @Override public int threads() { return threads; }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        disruptor.shutdown(); // waits until what was published has run
        onClose.accept(this);
    }
}
