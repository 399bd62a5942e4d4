package io.switchboard.accesslog.impl;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to the entries, in JDK containers only: the next version of this bundle takes the
 * very same objects, so the totals run on across updates, and an old writer still draining adds to
 * them too.
 */
final class LogCounters {
    /** Entries whose line reached the operating system. */
    final LongAdder written;
    /** Entries dropped because the ring was full. */
    final LongAdder dropped;
    /** Entries lost to a write error. */
    final LongAdder failed;
    final AtomicReference<String> lastError;

    LogCounters() {
        this(new LongAdder(), new LongAdder(), new LongAdder(), new AtomicReference<>());
    }

    private LogCounters(LongAdder written, LongAdder dropped, LongAdder failed, AtomicReference<String> lastError) {
        this.written = written;
        this.dropped = dropped;
        this.failed = failed;
        this.lastError = lastError;
    }

    Map<String, Object> toHandover() {
        Map<String, Object> m = new HashMap<>();
        m.put("written", written);
        m.put("dropped", dropped);
        m.put("failed", failed);
        m.put("lastError", lastError);
        return m;
    }

    /** The counters an earlier version left, or new ones when it left none (or something else). */
    @SuppressWarnings("unchecked")
    static LogCounters fromHandover(Map<String, Object> left) {
        if (left != null && left.get("written") instanceof LongAdder && left.get("dropped") instanceof LongAdder
                && left.get("failed") instanceof LongAdder && left.get("lastError") instanceof AtomicReference) {
            return new LogCounters((LongAdder) left.get("written"), (LongAdder) left.get("dropped"),
                    (LongAdder) left.get("failed"), (AtomicReference<String>) left.get("lastError"));
        }
        return new LogCounters();
    }
}
