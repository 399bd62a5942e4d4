package io.switchboard.support.log;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Logs a recurring problem once per burst: the first occurrence at once, then at most one line per
 * interval with the count since the last line. Safe from any thread, and cheap on the data path
 * (one counter increment when nothing is logged).
 */
public final class Throttled {
    private final long intervalNanos;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong lastLoggedNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong loggedAt = new AtomicLong();

    public Throttled(long interval, TimeUnit unit) {
        this.intervalNanos = unit.toNanos(interval);
    }

    /**
     * Counts one occurrence; logs {@code message + " (N so far, M since the last report)"} when
     * this is the first one or the interval has passed.
     */
    public void occurred(Consumer<String> log, String message) {
        long n = total.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLoggedNanos.get();
        if ((last == Long.MIN_VALUE || now - last >= intervalNanos) && lastLoggedNanos.compareAndSet(last, now)) {
            long since = n - loggedAt.getAndSet(n);
            log.accept(message + " (" + n + " so far" + (last == Long.MIN_VALUE ? "" : ", " + since + " since the last report") + ")");
        }
    }

    /** Occurrences counted so far. */
    public long count() {
        return total.get();
    }
}
