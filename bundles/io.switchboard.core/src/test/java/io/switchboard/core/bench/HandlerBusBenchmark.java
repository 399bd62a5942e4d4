package io.switchboard.core.bench;

import io.switchboard.api.core.HandlerBus;
import io.switchboard.core.impl.CoreManager;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a handler with threads of its own costs per message compared with one that runs inline on
 * the event loop: the same tiny task run inline, or published on a one-thread bus with the caller
 * busy-waiting until it has run (a round trip to the bus thread and back), per wait strategy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HandlerBusBenchmark {

    /** The tiny task: one volatile increment, only ever by one thread at a time. */
    static final class Counter implements Runnable {
        volatile long count;

        @Override
        public void run() {
            count = count + 1;
        }
    }

    @State(Scope.Thread)
    public static class Inline {
        final Counter task = new Counter();
    }

    @State(Scope.Thread)
    public static class Hop {
        @Param({"blocking", "yielding", "busy-spin"})
        public String waitStrategy;

        final Counter task = new Counter();
        HandlerBus bus;
        long sent;

        @Setup(Level.Trial)
        public void start() {
            CoreManager core = CoreManager.start(64, 1024, waitStrategy);
            bus = core.newBus("bench", 1);
            // the bus does not need the control ring: stop its thread so it does not compete for the
            // cores (with busy-spin it would spin on one of them)
            core.deactivate();
        }

        @TearDown(Level.Trial)
        public void stop() {
            bus.close();
        }
    }

    @Benchmark
    public long inline(Inline s) {
        s.task.run();
        return s.task.count;
    }

    @Benchmark
    public long hop(Hop s) {
        long target = ++s.sent;
        if (!s.bus.publish(0, s.task)) {
            throw new IllegalStateException("bus refused a task with nothing else queued");
        }
        int spins = 0;
        while (s.task.count < target) {
            Thread.onSpinWait();
            if (++spins == 1 << 26) { // never loop forever on a dead bus
                throw new IllegalStateException("task not run by the bus thread");
            }
        }
        return target;
    }
}
