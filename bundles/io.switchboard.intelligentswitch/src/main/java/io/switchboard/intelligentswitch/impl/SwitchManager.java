package io.switchboard.intelligentswitch.impl;

import io.switchboard.api.core.HandlerEntry;
import io.switchboard.api.core.SwitchTable;
import io.switchboard.api.core.SwitchingCore;
import io.switchboard.api.core.TableEdit;
import io.switchboard.api.flow.FlowHandler;
import io.switchboard.api.flow.Message;
import io.switchboard.api.flow.Reassignment;
import io.switchboard.api.runtime.Protocol;
import io.switchboard.api.switching.IntelligentSwitch;
import io.switchboard.api.switching.SwitchStats;
import io.switchboard.api.switching.TrackedFlow;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The intelligent switch. Per message it reads the flow's reassignment (a field of the flow) and the
 * current switch table (one volatile read) and calls the owning handler: inline on the event loop,
 * or through the handler's bus when it runs on threads of its own. Handlers are OSGi services;
 * their coming and going reaches the table through the switching core's control ring.
 */
@Component(service = IntelligentSwitch.class)
public class SwitchManager implements IntelligentSwitch {
    /** Service property: most threads the handler spawner may give a ring handler. */
    static final String MAX_THREADS = "switchboard.handler.maxThreads";
    static final long GROW_BACKLOG = 64;
    static final int GROW_AFTER = 2;
    static final int SHRINK_AFTER = 30;
    static final int COOL_DOWN = 3;
    /** Counted as the handler of messages served while no default handler is registered. */
    static final String BUILT_IN = "(built-in)";

    @Reference
    private SwitchingCore core;

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Logger log;

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, SwitchedFlow> open = new ConcurrentHashMap<>();
    private final LongAdder flowsOpened = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder reassignments = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();
    private final Map<String, LongAdder> byHandler = new ConcurrentHashMap<>();
    private final HandlerRegistry registry = new HandlerRegistry();

    /** A switch outside a framework (tests). */
    public static SwitchManager withCore(SwitchingCore core) {
        SwitchManager m = new SwitchManager();
        m.core = core;
        m.activate();
        return m;
    }

    private ScheduledExecutorService spawner;
    private final ArrayDeque<String> decisions = new ArrayDeque<>();

    /** Handlers bound before the core reference was set are published now; the handler spawner starts. */
    @Activate
    void activate() {
        registry.activate();
        spawner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sb-handler-spawner");
            t.setDaemon(true);
            return t;
        });
        spawner.scheduleWithFixedDelay(this::probeHandlers, 1, 1, TimeUnit.SECONDS);
    }

    /** One probe of the handler spawner (tests call it directly). */
    void probeHandlers() {
        try {
            registry.probe();
        } catch (RuntimeException e) {
            warn("handler spawner probe failed: " + e);
        }
    }

    /** Changes the threads of a ring handler now; false when the type has no ring. */
    public boolean resizeHandler(String type, int threads) {
        return registry.resize(type, threads);
    }

    private synchronized void decided(String decision) {
        decisions.addLast(java.time.LocalTime.now().withNano(0) + " " + decision);
        while (decisions.size() > 20) {
            decisions.removeFirst();
        }
        info("handler spawner: " + decision);
    }

    @Override
    public synchronized List<String> handlerDecisions() {
        return new ArrayList<>(decisions);
    }

    SwitchingCore core() {
        return core;
    }

    HandlerEntry handler(String type) {
        return core.table().handlers().get(type);
    }

    // ---- handlers (control plane) ----

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(FlowHandler handler, ServiceReference<FlowHandler> ref) {
        registry.add(handler, properties(ref), ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName());
    }

    void removeHandler(FlowHandler handler, ServiceReference<FlowHandler> ref) {
        registry.remove(handler, properties(ref));
    }

    private static Map<String, Object> properties(ServiceReference<?> ref) {
        Map<String, Object> p = new HashMap<>();
        for (String key : ref.getPropertyKeys()) {
            p.put(key, ref.getProperty(key));
        }
        return p;
    }

    /** Registers a handler with its service properties (tests use this directly). */
    public void addHandler(FlowHandler handler, Map<String, Object> props, String bundle) {
        registry.add(handler, props, bundle);
    }

    public void removeHandler(FlowHandler handler, Map<String, Object> props) {
        registry.remove(handler, props);
    }

    /** Handler services by type; the best of each type (highest ranking, then oldest) is in the table. */
    private final class HandlerRegistry {
        private final Map<String, List<Registered>> byType = new HashMap<>();
        private final Map<String, HandlerEntry> inTable = new HashMap<>();
        /** Until activation the core may not be bound yet (DS binds references in name order). */
        private boolean active;

        synchronized void activate() {
            active = true;
            for (String type : new ArrayList<>(byType.keySet())) {
                publishBest(type);
            }
        }

        private final class Registered {
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

        /** Spawner state of one ring handler type. */
        private final class Growth {
            int over;
            int under;
            int coolDown;
        }

        private final Map<String, Growth> growth = new HashMap<>();

        /**
         * The handler spawner: a ring handler whose backlog stays over {@link #GROW_BACKLOG} gets its
         * threads doubled (up to its maximum); one idle for {@link #SHRINK_AFTER} probes goes back to
         * the threads it declared. Hysteresis by counts and a cool-down after each change.
         */
        synchronized void probe() {
            for (HandlerEntry e : new ArrayList<>(inTable.values())) {
                if (e.bus() == null) {
                    continue;
                }
                List<Registered> list = byType.get(e.type());
                if (list == null || list.isEmpty() || list.get(0).handler != e.handler()) {
                    continue;
                }
                Registered r = list.get(0);
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
                    resize(e, r, Math.min(r.maxThreads, threads * 2), "backlog " + backlog + " > " + GROW_BACKLOG + " for " + g.over + " probes");
                    g.over = 0;
                    g.coolDown = COOL_DOWN;
                } else if (g.under >= SHRINK_AFTER && threads > r.threads) {
                    resize(e, r, r.threads, "no backlog for " + g.under + " probes");
                    g.under = 0;
                    g.coolDown = COOL_DOWN;
                }
            }
        }

        /** Hands the type's messages to a new bus of {@code threads}; per-flow order is kept across the change. */
        synchronized void resize(HandlerEntry old, Registered r, int threads, String reason) {
            HandlerEntry entry = new HandlerEntry(old.type(), old.handler(), old.serviceId(), old.bundle(),
                    core.newBus(old.type(), threads, old.bus()));
            inTable.put(old.type(), entry);
            core.edit(TableEdit.putHandler(entry));
            awaitTable(old.type(), entry);
            old.bus().close(); // runs what it has; then the new bus starts; late publishers are passed on
            decided("handler " + old.type() + ": " + old.bus().threads() + " -> " + threads + " threads: " + reason);
        }

        /** For tests and operators: resize a ring handler now. False when the type has no ring. */
        synchronized boolean resize(String type, int threads) {
            HandlerEntry e = inTable.get(type);
            List<Registered> list = byType.get(type);
            if (e == null || e.bus() == null || list == null || list.isEmpty() || threads < 1) {
                return false;
            }
            resize(e, list.get(0), threads, "set by hand");
            return true;
        }

        synchronized void add(FlowHandler handler, Map<String, Object> props, String bundle) {
            Object type = props.get(FlowHandler.TYPE);
            if (!(type instanceof String) || ((String) type).isBlank()) {
                warn("flow handler service " + props.get(Constants.SERVICE_ID) + " has no " + FlowHandler.TYPE + " property; ignored");
                return;
            }
            int threads;
            try {
                Object t = props.get(FlowHandler.THREADS);
                threads = t == null ? 0 : Integer.parseInt(t.toString().trim());
            } catch (NumberFormatException e) {
                warn("flow handler " + type + ": " + FlowHandler.THREADS + " is not a number; runs inline");
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
                    warn("flow handler " + type + ": " + MAX_THREADS + " is not a number; using " + max);
                }
            }
            List<Registered> list = byType.computeIfAbsent((String) type, k -> new ArrayList<>());
            list.add(new Registered(handler, ((Number) props.get(Constants.SERVICE_ID)).longValue(),
                    ranking instanceof Integer ? (Integer) ranking : 0, bundle, declared, Math.min(max, 64)));
            // Service order: highest ranking first, then the oldest registration.
            list.sort(Comparator.comparingInt((Registered r) -> -r.ranking).thenComparingLong(r -> r.serviceId));
            publishBest((String) type);
        }

        synchronized void remove(FlowHandler handler, Map<String, Object> props) {
            Object type = props.get(FlowHandler.TYPE);
            List<Registered> list = type == null ? null : byType.get(type.toString());
            if (list == null) {
                return;
            }
            list.removeIf(r -> r.handler == handler);
            if (list.isEmpty()) {
                byType.remove(type.toString());
            }
            publishBest(type.toString());
        }

        private void publishBest(String type) {
            if (!active) {
                return;
            }
            List<Registered> list = byType.get(type);
            HandlerEntry old = inTable.get(type);
            Registered best = list == null || list.isEmpty() ? null : list.get(0);
            if (best != null && old != null && old.handler() == best.handler) {
                return;
            }
            if (best == null) {
                if (old == null) {
                    return;
                }
                inTable.remove(type);
                core.edit(TableEdit.removeHandler(old));
                awaitTable(type, null);
                info("handler " + type + " removed; its flows go back to the default handler");
            } else {
                String bundle = best.bundle;
                HandlerEntry entry = new HandlerEntry(type, best.handler, best.serviceId, bundle,
                        best.threads > 0 ? core.newBus(type, best.threads) : null);
                inTable.put(type, entry);
                core.edit(TableEdit.putHandler(entry));
                awaitTable(type, entry);
                info("handler " + type + " from " + bundle + (best.threads > 0 ? " on " + best.threads + " threads of its own" : " inline"));
            }
            if (old != null && old.bus() != null) {
                old.bus().close();
            }
        }

        /** Returns once the table shows the change, so that a departing handler gets no new message. */
        private void awaitTable(String type, HandlerEntry expected) {
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (core.table().handlers().get(type) != expected && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }

        synchronized void closeAll() {
            active = false;
            for (HandlerEntry e : inTable.values()) {
                if (e.bus() != null) {
                    e.bus().close();
                }
            }
            inTable.clear();
            byType.clear();
        }
    }

    @Deactivate
    void deactivate() {
        if (spawner != null) {
            spawner.shutdownNow();
        }
        registry.closeAll();
    }

    // ---- flows (data plane) ----

    @Override
    public TrackedFlow open(String frontend, Protocol protocol, String cluster, InetSocketAddress client, InetSocketAddress local) {
        SwitchedFlow f = new SwitchedFlow(this, ids.incrementAndGet(), frontend, protocol, cluster, client, local);
        open.put(f.id(), f);
        flowsOpened.increment();
        return f;
    }

    @Override
    public void close(TrackedFlow flow) {
        SwitchedFlow f = (SwitchedFlow) flow;
        f.closed = true;
        open.remove(f.id());
        f.release();
    }

    @Override
    public void route(TrackedFlow flow, Message message) {
        SwitchedFlow f = (SwitchedFlow) flow;
        f.countMessage();
        messages.increment();
        SwitchTable table = core.table();
        Reassignment r = f.reassignment;
        if (r != null) {
            HandlerEntry h = table.handlers().get(r.type());
            if (h != null) {
                f.handlerServiceId = h.serviceId(); // a newer version of the same type takes over the flow
                deliver(h, f, message, false);
                return;
            }
            // Its handler went away: the flow falls back to the default handler, nothing is dropped.
            fallbacks.increment();
            f.release();
        }
        HandlerEntry d = table.handlers().get(FlowHandler.DEFAULT_TYPE);
        if (d == null) {
            // No default handler (its bundle is being updated, say): serve from the frontend's cluster.
            count(BUILT_IN);
            message.forward(f.cluster());
            return;
        }
        deliver(d, f, message, true);
    }

    private void deliver(HandlerEntry h, SwitchedFlow f, Message m, boolean fromDefault) {
        if (h.bus() == null) {
            invoke(h, f, m, fromDefault);
        } else if (!h.bus().publish(f.id(), () -> invoke(h, f, m, fromDefault))) {
            m.fail("handler " + h.type() + " is overloaded");
        }
    }

    private void invoke(HandlerEntry h, SwitchedFlow f, Message m, boolean fromDefault) {
        count(h.type());
        f.reassignedDuringCall = false;
        try {
            h.handler().handle(f, m);
        } catch (Exception | LinkageError e) {
            handlerFailures.increment();
            long n = handlerFailures.sum();
            if (Long.bitCount(n) == 1) {
                warn("handler " + h.type() + " failed on " + f + " (" + n + " failures so far): " + e);
            }
            m.fail("handler " + h.type() + " failed");
            return;
        }
        if (f.reassignedDuringCall) {
            f.reassignedDuringCall = false;
            if (fromDefault) {
                // The default handler gave this very message away: pass it to the new owner.
                HandlerEntry next = core.table().handlers().get(f.reassignment.type());
                if (next == null) {
                    f.release();
                    m.fail("handler " + f.owner() + " went away");
                } else {
                    deliver(next, f, m, false);
                }
            }
            return; // a specialized handler that reassigns starts the new scope with the next message
        }
        if (!fromDefault) {
            consumeScope(f);
        }
    }

    private static void consumeScope(SwitchedFlow f) {
        Reassignment r = f.reassignment;
        if (r == null) {
            return;
        }
        if (f.handBackRequested) {
            f.release();
        } else if (r.scope() == Reassignment.Scope.NEXT_MESSAGES && --f.remaining <= 0) {
            f.release();
        }
    }

    private void count(String type) {
        LongAdder a = byHandler.get(type);
        if (a == null) {
            a = byHandler.computeIfAbsent(type, k -> new LongAdder());
        }
        a.increment();
    }

    void reassigned(SwitchedFlow f, Reassignment r) {
        reassignments.increment();
        core.edit(TableEdit.reassigned(f.record(r)));
    }

    @Override
    public List<TrackedFlow> flows() {
        List<TrackedFlow> all = new ArrayList<>(open.values());
        all.sort(Comparator.comparingLong(TrackedFlow::id));
        return all;
    }

    @Override
    public SwitchStats stats() {
        Map<String, Long> by = new HashMap<>();
        byHandler.forEach((k, v) -> by.put(k, v.sum()));
        return new SwitchStats(flowsOpened.sum(), messages.sum(), reassignments.sum(), fallbacks.sum(),
                handlerFailures.sum(), by);
    }

    private void warn(String msg) {
        Logger l = log;
        if (l != null) {
            l.warn(msg);
        }
    }

    private void info(String msg) {
        Logger l = log;
        if (l != null) {
            l.info(msg);
        }
    }
}
