package io.switchboard.intelligentswitch.impl;

import io.switchboard.api.core.HandlerBus;
import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.core.TableEdit;
import io.switchboard.api.flow.FlowHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.Constants;

/**
 * Handler services by type; the best of each type (highest ranking, then oldest) is in the switch
 * table. A type whose last service goes away (its bundle is being updated) stays in the table as
 * the last one known good until a replacement registers or the grace period ends; only then do its
 * flows fall back to the default handler. A handler on threads of its own gets a ring from the
 * switching core; when the ring changes (more threads, a new core, a new version of the switch) the
 * new ring starts only once the old one has run everything, so each flow keeps its order.
 */
final class HandlerRegistry {
    /** Service property: most threads the handler spawner may give a ring handler. */
    static final String MAX_THREADS = "switchboard.handler.maxThreads";

    /** A registered handler service. */
    static final class Registered {
        final FlowHandler handler;
        final long serviceId;
        final int ranking;
        final String bundle;
        final int threads;
        /** Most threads the spawner may give it ({@value FlowHandler#THREADS} x 4 unless its service says). */
        final int maxThreads;

        Registered(FlowHandler handler, long serviceId, int ranking, String bundle, int threads, int maxThreads) {
            this.handler = handler;
            this.serviceId = serviceId;
            this.ranking = ranking;
            this.bundle = bundle;
            this.threads = threads;
            this.maxThreads = Math.max(threads, maxThreads);
        }
    }

    private final Map<String, List<Registered>> byType = new HashMap<>();
    /** Types whose last service went away, with the bundle it came from (an uninstall ends their grace). */
    private final Map<String, Long> departedFrom = new HashMap<>();
    private final Map<String, HandlerEntry> inTable = new HashMap<>();
    private final ScheduledExecutorService timer;
    private volatile long graceMillis;
    private final Consumer<String> info;
    private final Consumer<String> warn;
    private volatile SwitchingCore core;
    /** Whether the core takes edits (false between an old core leaving and a new one arriving). */
    private boolean coreLive;

    HandlerRegistry(ScheduledExecutorService timer, long graceMillis, Consumer<String> info, Consumer<String> warn) {
        this.timer = timer;
        this.graceMillis = graceMillis;
        this.info = info;
        this.warn = warn;
    }

    void grace(long millis) {
        graceMillis = millis;
    }

    /** The table in force: the live core's, or the last one known good. */
    SwitchTable table() {
        SwitchingCore c = core;
        return c == null ? null : c.table();
    }

    HandlerEntry entry(String type) {
        SwitchTable t = table();
        return t == null ? null : t.handlers().get(type);
    }

    /** A (new) core: every handler in the table is published there, ring handlers on rings of the new core. */
    synchronized void core(SwitchingCore c) {
        SwitchTable before = table();
        core = c;
        coreLive = true;
        for (String type : new ArrayList<>(byType.keySet())) {
            publishBest(type, before);
        }
    }

    /** The core went away: the last table known good keeps routing; edits wait for the next core. */
    synchronized void coreGone(SwitchingCore c) {
        if (core == c) {
            coreLive = false;
        }
    }

    synchronized void add(FlowHandler handler, Map<String, Object> props, String bundle) {
        Object type = props.get(FlowHandler.TYPE);
        if (!(type instanceof String) || ((String) type).isBlank()) {
            warn.accept("flow handler service " + props.get(Constants.SERVICE_ID) + " has no " + FlowHandler.TYPE + " property; ignored");
            return;
        }
        int threads;
        try {
            Object t = props.get(FlowHandler.THREADS);
            threads = t == null ? 0 : Integer.parseInt(t.toString().trim());
        } catch (NumberFormatException e) {
            warn.accept("flow handler " + type + ": " + FlowHandler.THREADS + " is not a number; runs inline");
            threads = 0;
        }
        Object ranking = props.get(Constants.SERVICE_RANKING);
        int declared = Math.max(0, Math.min(threads, 64));
        int max = declared * 4;
        Object m = props.get(MAX_THREADS);
        if (m != null) {
            try {
                max = Integer.parseInt(m.toString().trim());
            } catch (NumberFormatException e) {
                warn.accept("flow handler " + type + ": " + MAX_THREADS + " is not a number; using " + max);
            }
        }
        departedFrom.remove((String) type);
        List<Registered> list = byType.computeIfAbsent((String) type, k -> new ArrayList<>());
        list.add(new Registered(handler, ((Number) props.get(Constants.SERVICE_ID)).longValue(),
                ranking instanceof Integer ? (Integer) ranking : 0, bundle, declared, Math.min(max, 64)));
        // Service order: highest ranking first, then the oldest registration.
        list.sort(Comparator.comparingInt((Registered r) -> -r.ranking).thenComparingLong(r -> r.serviceId));
        publishBest((String) type, table());
    }

    synchronized void remove(FlowHandler handler, Map<String, Object> props) {
        Object type = props.get(FlowHandler.TYPE);
        List<Registered> list = type == null ? null : byType.get(type.toString());
        if (list == null) {
            return;
        }
        list.removeIf(r -> r.handler == handler);
        if (!list.isEmpty()) {
            publishBest(type.toString(), table());
            return;
        }
        // The last service of the type left: it stays the handler of its flows, as the last one
        // known good, until a replacement comes (an update) or the grace period ends (an uninstall).
        HandlerEntry departed = inTable.get(type.toString());
        if (departed != null) {
            Object bundleId = props.get(Constants.SERVICE_BUNDLEID);
            departedFrom.put(type.toString(), bundleId instanceof Long ? (Long) bundleId : -1L);
            timer.schedule(() -> expire(type.toString(), departed, "nothing replaced it within " + graceMillis / 1000 + " s"),
                    graceMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** A bundle was uninstalled: the handlers it left are not being updated, they are gone. */
    synchronized void bundleGone(long bundleId) {
        for (Map.Entry<String, Long> e : new HashMap<>(departedFrom).entrySet()) {
            if (e.getValue() == bundleId) {
                HandlerEntry departed = inTable.get(e.getKey());
                if (departed != null) {
                    expire(e.getKey(), departed, "its bundle was uninstalled");
                }
            }
        }
    }

    private synchronized void expire(String type, HandlerEntry departed, String why) {
        List<Registered> list = byType.get(type);
        if ((list == null || list.isEmpty()) && inTable.get(type) == departed) {
            byType.remove(type);
            inTable.remove(type);
            departedFrom.remove(type);
            if (coreLive) {
                core.edit(TableEdit.removeHandler(departed));
                awaitTable(type, null);
            }
            if (departed.bus() != null) {
                departed.bus().close();
            }
            info.accept("handler " + type + " removed: " + why + "; its flows go back to the default handler");
        }
    }

    /** Puts the best service of the type in the table, if it is not there already (on this core). */
    private void publishBest(String type, SwitchTable before) {
        List<Registered> list = byType.get(type);
        if (list == null || list.isEmpty() || core == null) {
            return; // without a core yet: published when it binds
        }
        Registered best = list.get(0);
        HandlerEntry current = before == null ? null : before.handlers().get(type);
        HandlerEntry mine = inTable.get(type);
        SwitchTable now = table();
        boolean onThisCore = now != null && now.handlers().get(type) == mine && mine != null;
        if (mine != null && mine.handler() == best.handler && onThisCore) {
            return;
        }
        HandlerBus predecessor = current == null ? null : current.bus();
        HandlerBus bus = best.threads > 0 ? core.newBus(type, best.threads, predecessor) : null;
        HandlerEntry entry = new HandlerEntry(type, best.handler, best.serviceId, best.bundle, bus);
        put(type, entry);
        if (predecessor != null) {
            predecessor.close(); // runs what it has; then the new ring starts
        }
        if (current == null || current.handler() != best.handler) {
            info.accept("handler " + type + " from " + best.bundle + (best.threads > 0 ? " on " + best.threads + " threads of its own" : " inline"));
        }
    }

    /** Publishes the entry and returns once the table shows it, so that a departing handler gets no new message. */
    private void put(String type, HandlerEntry entry) {
        inTable.put(type, entry);
        if (coreLive) {
            core.edit(TableEdit.putHandler(entry));
            awaitTable(type, entry);
        }
    }

    private void awaitTable(String type, HandlerEntry expected) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            SwitchTable t = table();
            if (t != null && t.handlers().get(type) == expected) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    /** Hands the type's messages to a new ring of {@code threads}; per-flow order is kept across the change. */
    synchronized boolean resize(String type, int threads) {
        HandlerEntry old = inTable.get(type);
        if (old == null || old.bus() == null || threads < 1 || !coreLive) {
            return false;
        }
        HandlerEntry entry = new HandlerEntry(type, old.handler(), old.serviceId(), old.bundle(), core.newBus(type, threads, old.bus()));
        put(type, entry);
        old.bus().close(); // runs what it has; then the new bus starts; late publishers are passed on
        return true;
    }

    /** The ring handlers in the table, each with its registration (for the spawner). */
    synchronized Map<HandlerEntry, Registered> ringHandlers() {
        Map<HandlerEntry, Registered> out = new HashMap<>();
        for (HandlerEntry e : inTable.values()) {
            List<Registered> list = byType.get(e.type());
            if (e.bus() != null && list != null && !list.isEmpty() && list.get(0).handler == e.handler()) {
                out.put(e, list.get(0));
            }
        }
        return out;
    }

    /** The rings in the table: a version of the switch that stops with no successor closes them after a while. */
    synchronized List<HandlerBus> buses() {
        List<HandlerBus> out = new ArrayList<>();
        for (HandlerEntry e : inTable.values()) {
            if (e.bus() != null) {
                out.add(e.bus());
            }
        }
        return out;
    }
}
