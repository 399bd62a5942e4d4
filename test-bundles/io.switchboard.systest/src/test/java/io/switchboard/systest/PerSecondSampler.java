package io.switchboard.systest;

import java.util.ArrayList;
import java.util.List;

/** Samples a growing count once a second and keeps the increments: throughput second by second. */
final class PerSecondSampler implements AutoCloseable {
    interface Count {
        long get() throws Exception;
    }

    private final Count count;
    private final List<Long> perSecond = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    PerSecondSampler(Count count) {
        this.count = count;
        this.thread = new Thread(this::run, "per-second-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            long last = count.get();
            long next = System.nanoTime() + 1_000_000_000L;
            while (running) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                next += 1_000_000_000L;
                long now = count.get();
                synchronized (perSecond) {
                    perSecond.add(now - last);
                }
                last = now;
            }
        } catch (Exception e) {
            // stopped, or the counter's source went away: the seconds so far stand
        }
    }

    /** The increments so far, one per whole second. */
    List<Long> seconds() {
        synchronized (perSecond) {
            return new ArrayList<>(perSecond);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
