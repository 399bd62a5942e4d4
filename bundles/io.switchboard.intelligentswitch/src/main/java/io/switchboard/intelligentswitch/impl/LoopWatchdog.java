package io.switchboard.intelligentswitch.impl;

import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Catches a handler that blocks the thread it runs on (an event loop, for an inline handler). Each
 * thread that calls handlers has a slot where the switch notes which handler it is in and since
 * when (two plain writes per message); a watchdog thread looks at the slots a few times a second.
 * A handler found inside one call for longer than the limit is named in the log, and its new
 * messages take the default path until it has stayed out of trouble for the recovery time.
 */
final class LoopWatchdog {
    /** One thread's note of the handler it is running. */
    static final class Slot {
        final Thread thread = Thread.currentThread();
        volatile String handler;
        volatile String bundle;
        /** System.nanoTime() when the current call began; 0 outside any call. */
        volatile long since;
    }

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(this::newSlot);
    private final List<Slot> all = new CopyOnWriteArrayList<>();
    private final Map<String, Long> blockedUntil = new ConcurrentHashMap<>();
    private final Map<String, String> incidents = new ConcurrentHashMap<>();
    private volatile Set<String> blocked = Set.of();
    private volatile long limitNanos;
    private volatile long recoveryNanos;
    private final Consumer<String> warn;

    LoopWatchdog(long limitMillis, long recoveryMillis, Consumer<String> warn) {
        this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMillis);
        this.recoveryNanos = TimeUnit.MILLISECONDS.toNanos(recoveryMillis);
        this.warn = warn;
    }

    void limits(long limitMillis, long recoveryMillis) {
        this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMillis);
        this.recoveryNanos = TimeUnit.MILLISECONDS.toNanos(recoveryMillis);
    }

    private Slot newSlot() {
        Slot s = new Slot();
        all.add(s);
        return s;
    }

    /** The calling thread's slot; the caller notes each handler call in it. */
    Slot slot() {
        return slots.get();
    }

    /** Whether messages for the handler type take the default path now. */
    boolean blocked(String type) {
        Set<String> b = blocked;
        return !b.isEmpty() && b.contains(type);
    }

    /** One look at every slot (the watchdog thread calls it a few times a second). */
    void check() {
        long now = System.nanoTime();
        for (Iterator<Slot> it = all.iterator(); it.hasNext(); ) {
            Slot s = it.next();
            if (!s.thread.isAlive()) {
                all.remove(s);
                continue;
            }
            long since = s.since;
            String type = s.handler;
            if (since != 0 && type != null && now - since > limitNanos) {
                Long until = blockedUntil.get(type);
                blockedUntil.put(type, now + recoveryNanos);
                if (until == null) {
                    String what = "handler " + type + " (" + s.bundle + ") has blocked thread " + s.thread.getName() + " for "
                            + TimeUnit.NANOSECONDS.toMillis(now - since) + " ms";
                    incidents.put(type, LocalTime.now().withNano(0) + " " + what);
                    warn.accept(what + " (limit " + TimeUnit.NANOSECONDS.toMillis(limitNanos)
                            + " ms): its new messages take the default path until it has been quiet for "
                            + TimeUnit.NANOSECONDS.toSeconds(recoveryNanos) + " s");
                }
            }
        }
        boolean changed = false;
        for (Iterator<Map.Entry<String, Long>> it = blockedUntil.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (now - e.getValue() > 0) {
                it.remove();
                incidents.remove(e.getKey());
                warn.accept("handler " + e.getKey() + " has been quiet for " + TimeUnit.NANOSECONDS.toSeconds(recoveryNanos)
                        + " s: it gets its messages again");
                changed = true;
            }
        }
        if (changed || !blocked.equals(blockedUntil.keySet())) {
            blocked = Set.copyOf(blockedUntil.keySet());
        }
    }

    /** What was caught, for operators: one line per blocked handler. */
    List<String> incidents() {
        return new ArrayList<>(incidents.values());
    }
}
