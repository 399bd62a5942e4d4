package io.switchboard.intelligentswitch.impl;

import io.switchboard.api.core.HandlerEntry;
import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The handler spawner: a ring handler whose backlog stays over {@link #GROW_BACKLOG} gets its
 * threads doubled (up to its maximum); one idle for {@link #SHRINK_AFTER} probes goes back to the
 * threads it declared. Hysteresis by counts and a cool-down after each change.
 */
final class HandlerSpawner {
    static final long GROW_BACKLOG = 64;
    static final int GROW_AFTER = 2;
    static final int SHRINK_AFTER = 30;
    static final int COOL_DOWN = 3;

    /** Spawner state of one ring handler type. */
    private static final class Growth {
        int over;
        int under;
        int coolDown;
    }

    private final HandlerRegistry registry;
    private final Consumer<String> info;
    private final Map<String, Growth> growth = new HashMap<>();
    private final ArrayDeque<String> decisions;

    HandlerSpawner(HandlerRegistry registry, ArrayDeque<String> decisions, Consumer<String> info) {
        this.registry = registry;
        this.decisions = decisions;
        this.info = info;
    }

    /** One probe: each ring handler's backlog against the marks. */
    synchronized void probe() {
        for (Map.Entry<HandlerEntry, HandlerRegistry.Registered> x : registry.ringHandlers().entrySet()) {
            HandlerEntry e = x.getKey();
            HandlerRegistry.Registered r = x.getValue();
            Growth g = growth.computeIfAbsent(e.type(), k -> new Growth());
            if (g.coolDown > 0) {
                g.coolDown--;
                continue;
            }
            long backlog = e.bus().backlog();
            int threads = e.bus().threads();
            g.over = backlog > GROW_BACKLOG ? g.over + 1 : 0;
            g.under = backlog == 0 ? g.under + 1 : 0;
            if (g.over >= GROW_AFTER && threads < r.maxThreads) {
                resize(e.type(), threads, Math.min(r.maxThreads, threads * 2), "backlog " + backlog + " > " + GROW_BACKLOG + " for " + g.over + " probes");
                g.over = 0;
                g.coolDown = COOL_DOWN;
            } else if (g.under >= SHRINK_AFTER && threads > r.threads) {
                resize(e.type(), threads, r.threads, "no backlog for " + g.under + " probes");
                g.under = 0;
                g.coolDown = COOL_DOWN;
            }
        }
    }

    /** Resizes a ring handler now (an operator's or a test's decision); false when the type has no ring. */
    synchronized boolean resize(String type, int from, int to, String reason) {
        if (!registry.resize(type, to)) {
            return false;
        }
        decided("handler " + type + ": " + from + " -> " + to + " threads: " + reason);
        return true;
    }

    private void decided(String decision) {
        synchronized (decisions) {
            decisions.addLast(LocalTime.now().withNano(0) + " " + decision);
            while (decisions.size() > 20) {
                decisions.removeFirst();
            }
        }
        info.accept("handler spawner: " + decision);
    }

    List<String> decisions() {
        synchronized (decisions) {
            return new ArrayList<>(decisions);
        }
    }
}
